//! The config's reading: defaults, types, ranges, unknown keys and normalisation.

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test address")
}

fn ok(v: Value) -> Config {
    match Config::from_json(&v) {
        Ok(c) => c,
        Err(e) => panic!("refused {v}: {e}"),
    }
}

fn err(v: Value) -> ConfigError {
    match Config::from_json(&v) {
        Ok(_) => panic!("accepted {v}"),
        Err(e) => e,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn zato_defaults() {
    let c = Config::default();
    assert_eq!(c.profile, "zato");
    // main
    assert!(c.main.encrypt_email && c.main.encrypt_password);
    assert_eq!(c.main.site_name, "site");
    assert_eq!((&c.main.smtp_conn, &c.main.email_service), (&None, &None));
    // hash_secret, argon2
    assert_eq!((c.hash_secret.rounds, c.hash_secret.salt_size), (120_000, 64));
    assert_eq!((c.argon2.m_cost, c.argon2.t_cost, c.argon2.p_cost), (19_456, 2, 1));
    // apps
    assert_eq!(c.apps.all, set(&["CRM"]));
    assert_eq!(c.apps.default, "CRM");
    assert_eq!(c.apps.http_header, "X-Zato-SSO-Current-App");
    assert!(c.apps.signup_allowed.is_empty() && c.apps.login_metadata_allowed.is_empty());
    assert_eq!(c.apps.login_allowed, set(&["CRM"]));
    assert!(c.apps.inform_if_app_invalid);
    assert!(c.apps.super_user_allowed.is_empty());
    // login
    assert!(!c.login.reject_if_not_listed);
    assert!(c.login.inform_if_locked && c.login.inform_if_not_confirmed && c.login.inform_if_not_approved);
    assert!(c.login.inform_if_totp_missing, "the template's True, not the code's fallback False");
    // password_reset
    assert_eq!((c.password_reset.valid_for, c.password_reset.password_change_session_duration), (1440, 1800));
    assert_eq!(c.password_reset.user_search_by, UserSearchBy::Username);
    assert_eq!(c.password_reset.email_from, "hello@example.com");
    assert_eq!(c.password_reset.email_title_en_GB, "Password reset");
    assert!(!c.password_reset.require_totp && !c.password_reset.end_sessions);
    // session
    assert_eq!((c.session.expiry, &c.session.expiry_hook, c.session.max_lifetime, c.session.idle_timeout), (60, &None, 0, 0));
    // password
    let p = &c.password;
    assert_eq!((p.expiry, p.about_to_expire_threshold), (730, 30));
    assert!(!p.inform_if_expired && p.inform_if_about_to_expire && p.inform_if_must_be_changed && p.inform_if_invalid);
    assert!(p.log_in_if_about_to_expire);
    assert_eq!((p.min_length, p.max_length, p.min_complexity), (8, 256, 0));
    assert_eq!(p.min_complexity_algorithm, "zxcvbn");
    assert_eq!(p.reject_list.len(), 24);
    assert_eq!(p.reject_list.first().map(String::as_str), Some("111111"));
    assert_eq!(p.reject_list.last().map(String::as_str), Some("zxcvbnm"));
    for w in ["password", "qwerty", "letmein", "google", "mynoob", "987654321", "1q2w3e4r5t"] {
        assert!(p.reject_list.iter().any(|e| e == w), "{w}");
    }
    assert!(p.reject_list.iter().all(|e| !e.is_empty() && e.trim() == e && e.to_lowercase() == *e));
    assert!(!p.common_list);
    // signup
    let g = &c.signup;
    assert!(g.is_approval_needed && g.email_required && g.is_email_required);
    assert!(g.password_allow_whitespace && g.always_return_confirm_token);
    assert_eq!((g.max_length_username, g.max_length_email), (128, 128));
    assert!(g.callback_service_list.is_empty() && g.templates.is_empty());
    assert!(!g.inform_if_user_exists && !g.inform_if_user_invalid && !g.inform_if_email_exists && !g.inform_if_email_invalid);
    assert!(!g.inform_if_app_invalid);
    // user_validation
    assert_eq!(c.user_validation.service, strings(&["zato.sso.signup.validate"]));
    assert_eq!(c.user_validation.reject_username, strings(&["zato", "admin", "root", "system", "sso"]));
    assert_eq!(c.user_validation.reject_email, strings(&["zato", "admin", "root", "system", "sso"]));
    // user_address_list, search, throttle
    assert!(c.user_address_list.is_empty());
    assert_eq!((c.search.default_page_size.get(), c.search.max_page_size.get()), (50, 100));
    assert!(c.throttle.enabled);
    // helpers
    assert_eq!((c.session_expiry_minutes(), c.password_reset_lifetime_minutes()), (60, 1440));
    // null and {} are the defaults
    assert_eq!(ok(Value::Null), c);
    assert_eq!(ok(json!({})), c);
    assert_eq!(ok(json!({ "profile": "zato" })), c);
    assert_eq!(ok(json!({ "profile": null })), c);
    assert_eq!(ok(json!({ "main": null, "password": {} })), c);
}

#[test]
fn top_level_and_sections() {
    for v in [json!([1]), json!("x"), json!(5), json!(true), json!([])] {
        let e = err(v);
        assert_eq!(e.path, "");
        assert!(e.to_string().starts_with("config: expected an object"), "{e}");
    }
    let e = err(json!({ "pasword": {} }));
    assert_eq!((e.path.as_str(), e.problem.as_str()), ("pasword", "unknown section"));
    assert_eq!(e.to_string(), "config.pasword: unknown section");
    assert_eq!(err(json!({ "prt": { "valid_for": 10 } })).path, "prt");
    assert_eq!(err(json!({ "Password": {} })).path, "Password", "section names are case-sensitive");
    for bad in [json!(5), json!("x"), json!([]), json!(true)] {
        let e = err(json!({ "main": bad }));
        assert_eq!(e.path, "main");
        assert!(e.problem.starts_with("expected an object"), "{e}");
    }
    let long = "s".repeat(500);
    let e = err(json!({ long: {} }));
    assert!(e.to_string().len() < 80, "{e}");
    let e = err(json!({ "bad\nsection": {} }));
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn unknown_keys_name_section_and_key() {
    let e = err(json!({ "password": { "min_lenght": 3 } }));
    assert_eq!(e.path, "password.min_lenght");
    assert_eq!(e.to_string(), "config.password.min_lenght: unknown key");
    for (section, key) in [
        ("main", "encrypt"),
        ("hash_secret", "iterations"),
        ("argon2", "memory"),
        ("apps", "list"),
        ("login", "inform_if_expired"),
        ("password_reset", "email_title_"),
        ("password_reset", "user_search"),
        ("session", "expiry_minutes"),
        ("password", "MIN_LENGTH"),
        ("signup", "email_confirm"),
        ("user_validation", "services"),
        ("search", "page_size"),
        ("throttle", "limit"),
    ] {
        let e = err(json!({ section: { key: 1 } }));
        assert_eq!(e.path, format!("{section}.{key}"));
        assert_eq!(e.problem, "unknown key");
    }
}

#[test]
fn wrong_types_are_refused() {
    let cases = [
        (json!({ "login": { "inform_if_locked": 1 } }), "login.inform_if_locked", "expected true or false, got 1"),
        (json!({ "login": { "inform_if_locked": "true" } }), "login.inform_if_locked", "expected true or false, got \"true\""),
        (json!({ "main": { "encrypt_email": null } }), "main.encrypt_email", "expected true or false, got null"),
        (json!({ "password": { "min_length": "x" } }), "password.min_length", "expected an integer from 0 to 4096, got \"x\""),
        (json!({ "password": { "min_length": 8.5 } }), "password.min_length", "expected an integer from 0 to 4096, got 8.5"),
        (json!({ "password": { "min_length": -1 } }), "password.min_length", "expected an integer from 0 to 4096, got -1"),
        (json!({ "password": { "min_length": 1e300 } }), "password.min_length", "expected an integer from 0 to 4096, got 1e+300"),
        (json!({ "password": { "min_length": u64::MAX } }), "password.min_length", "expected an integer from 0 to 4096, got 18446744073709551615"),
        (json!({ "password": { "min_length": null } }), "password.min_length", "expected an integer from 0 to 4096, got null"),
        (json!({ "password": { "min_length": [8] } }), "password.min_length", "expected an integer from 0 to 4096, got an array"),
        (json!({ "session": { "expiry": 0 } }), "session.expiry", "expected an integer from 1 to 5256000, got 0"),
        (json!({ "session": { "expiry": "60" } }), "session.expiry", "expected an integer from 1 to 5256000, got \"60\""),
        (json!({ "search": { "max_page_size": 0 } }), "search.max_page_size", "expected an integer from 1 to 10000, got 0"),
        (json!({ "search": { "default_page_size": -5 } }), "search.default_page_size", "expected an integer from 1 to 10000, got -5"),
        (json!({ "password": { "expiry": 0 } }), "password.expiry", "expected an integer from 1 to 3650000, got 0"),
        (json!({ "main": { "site_name": 5 } }), "main.site_name", "expected a string, got 5"),
        (json!({ "main": { "smtp_conn": false } }), "main.smtp_conn", "expected a string or null, got false"),
        (json!({ "session": { "expiry_hook": {} } }), "session.expiry_hook", "expected a string or null, got {}"),
        (json!({ "apps": { "all": [1] } }), "apps.all", "expected a list of strings, item 0 is 1"),
        (json!({ "apps": { "all": ["CRM", null] } }), "apps.all", "expected a list of strings, item 1 is null"),
        (json!({ "apps": { "login_allowed": 5 } }), "apps.login_allowed", "expected a list of strings, or one string, got 5"),
        (json!({ "password": { "reject_list": { "a": 1 } } }), "password.reject_list", "expected a list of strings, or one string, got an object"),
        (
            json!({ "password_reset": { "user_search_by": "id" } }),
            "password_reset.user_search_by",
            "expected \"username\", \"email\" or \"username_or_email\", got \"id\"",
        ),
        (
            json!({ "password_reset": { "user_search_by": "" } }),
            "password_reset.user_search_by",
            "expected \"username\", \"email\" or \"username_or_email\", got \"\"",
        ),
        (json!({ "password_reset": { "email_title_fr_FR": 1 } }), "password_reset.email_title_fr_FR", "expected a string, got 1"),
        (json!({ "signup": { "email_welcome_title": [] } }), "signup.email_welcome_title", "expected a string, got []"),
        (json!({ "profile": "other" }), "profile", "expected \"zato\" or \"strict\", got \"other\""),
    ];
    for (v, path, problem) in cases {
        let e = err(v.clone());
        assert_eq!((e.path.as_str(), e.problem.as_str()), (path, problem), "{v}");
    }
}

#[test]
fn integers_and_ranges() {
    // A float without a fraction is that integer.
    assert_eq!(ok(json!({ "password": { "min_length": 12.0 } })).password.min_length, 12);
    // Range edges.
    assert_eq!(ok(json!({ "password": { "min_length": 0 } })).password.min_length, 0);
    assert_eq!(ok(json!({ "password": { "min_length": 4096, "max_length": 4096 } })).password.min_length, 4096);
    assert!(Config::from_json(&json!({ "password": { "max_length": 4097 } })).is_err());
    assert!(Config::from_json(&json!({ "password": { "max_length": 0 } })).is_err());
    assert_eq!(ok(json!({ "password": { "about_to_expire_threshold": 0 } })).password.about_to_expire_threshold, 0);
    assert!(Config::from_json(&json!({ "password": { "about_to_expire_threshold": -1 } })).is_err());
    assert_eq!(ok(json!({ "search": { "default_page_size": 1, "max_page_size": 1 } })).search.max_page_size.get(), 1);
    assert!(Config::from_json(&json!({ "search": { "max_page_size": 10_001 } })).is_err());
    assert!(Config::from_json(&json!({ "hash_secret": { "rounds": 0 } })).is_err());
    assert!(Config::from_json(&json!({ "hash_secret": { "salt_size": 7 } })).is_err());
    assert!(Config::from_json(&json!({ "signup": { "max_length_username": 0 } })).is_err());
    assert!(Config::from_json(&json!({ "password_reset": { "valid_for": 0 } })).is_err());
    assert!(Config::from_json(&json!({ "password_reset": { "password_change_session_duration": -1 } })).is_err());
    assert_eq!(ok(json!({ "session": { "max_lifetime": 0, "idle_timeout": 0 } })).session.max_lifetime, 0);
    // min_complexity: 0 only (zxcvbn is not built in).
    assert_eq!(ok(json!({ "password": { "min_complexity": 0 } })).password.min_complexity, 0);
    let e = err(json!({ "password": { "min_complexity": 3 } }));
    assert_eq!(e.path, "password.min_complexity");
    assert!(e.problem.contains("only 0"), "{e}");
    assert!(Config::from_json(&json!({ "password": { "min_complexity": 5 } })).is_err());
    // Cross-key rules.
    let e = err(json!({ "password": { "min_length": 300 } }));
    assert_eq!(e.path, "password.min_length");
    assert_eq!(ok(json!({ "password": { "min_length": 300, "max_length": 300 } })).password.max_length, 300);
    assert_eq!(err(json!({ "search": { "default_page_size": 200 } })).path, "search.default_page_size");
    assert_eq!(ok(json!({ "search": { "default_page_size": 200, "max_page_size": 500 } })).search.default_page_size.get(), 200);
    assert_eq!(err(json!({ "apps": { "all": [] } })).path, "apps.all");
    assert_eq!(err(json!({ "apps": { "all": " , \n" } })).path, "apps.all");
}

#[test]
fn argon2_ranges() {
    let a = ok(json!({ "argon2": { "m_cost": 65536, "t_cost": 3, "p_cost": 4 } })).argon2;
    assert_eq!((a.m_cost, a.t_cost, a.p_cost), (65536, 3, 4));
    for good in [
        json!({ "m_cost": 8 }),
        json!({ "m_cost": 1_048_576 }),
        json!({ "t_cost": 1 }),
        json!({ "t_cost": 100 }),
        json!({ "p_cost": 16, "m_cost": 128 }),
        json!({ "p_cost": 2, "m_cost": 16 }),
    ] {
        assert!(Config::from_json(&json!({ "argon2": good.clone() })).is_ok(), "{good}");
    }
    for (bad, path) in [
        (json!({ "m_cost": 7 }), "argon2.m_cost"),
        (json!({ "m_cost": 1_048_577 }), "argon2.m_cost"),
        (json!({ "t_cost": 0 }), "argon2.t_cost"),
        (json!({ "t_cost": 101 }), "argon2.t_cost"),
        (json!({ "p_cost": 0 }), "argon2.p_cost"),
        (json!({ "p_cost": 17 }), "argon2.p_cost"),
        (json!({ "p_cost": 2, "m_cost": 15 }), "argon2.m_cost"),
        (json!({ "p_cost": 16, "m_cost": 127 }), "argon2.m_cost"),
        (json!({ "m_cost": "19456" }), "argon2.m_cost"),
    ] {
        assert_eq!(err(json!({ "argon2": bad.clone() })).path, path, "{bad}");
    }
    // 16 lanes need 128 KiB; the default 19456 is plenty.
    assert_eq!(ok(json!({ "argon2": { "p_cost": 16 }, "profile": "zato" })).argon2.p_cost, 16);
}

#[test]
fn merges_per_key() {
    let c = ok(json!({
        "password": { "min_length": 12 },
        "apps": { "all": "CRM, Other" },
        "login": { "inform_if_locked": false },
        "session": { "expiry": 30, "expiry_hook": "my.hook" },
        "main": { "smtp_conn": "smtp1", "site_name": "" },
    }));
    assert_eq!(c.password.min_length, 12);
    assert_eq!(c.password.max_length, 256, "other keys keep their defaults");
    assert_eq!(c.password.reject_list.len(), 24);
    assert_eq!(c.apps.all, set(&["CRM", "Other"]));
    assert_eq!(c.apps.login_allowed, set(&["CRM"]));
    assert!(!c.login.inform_if_locked && c.login.inform_if_not_confirmed);
    assert_eq!((c.session_expiry_minutes(), c.session.expiry_hook.as_deref()), (30, Some("my.hook")));
    assert_eq!(c.main.smtp_conn.as_deref(), Some("smtp1"));
    assert_eq!(c.main.site_name, "site", "an empty site_name is `site`");
    assert!(c.main.encrypt_email);
    // Optional strings: null and "" unset.
    let c = ok(json!({ "session": { "expiry_hook": null }, "main": { "smtp_conn": "", "email_service": "  svc " } }));
    assert_eq!((c.session.expiry_hook, c.main.smtp_conn, c.main.email_service.as_deref()), (None, None, Some("svc")));
    // Password reset.
    let c = ok(json!({ "password_reset": {
        "valid_for": 60, "password_change_session_duration": 300, "user_search_by": "username_or_email",
        "email_from": "sso@example.org", "email_title_en_GB": "Reset", "email_title_de_DE": "Zurücksetzen",
    } }));
    assert_eq!(c.password_reset_lifetime_minutes(), 60);
    assert_eq!(c.password_reset.password_change_session_duration, 300);
    assert_eq!(c.password_reset.user_search_by, UserSearchBy::UsernameOrEmail);
    assert_eq!((c.password_reset.email_from.as_str(), c.password_reset.email_title_en_GB.as_str()), ("sso@example.org", "Reset"));
    assert_eq!(ok(json!({ "password_reset": { "user_search_by": "email" } })).password_reset.user_search_by, UserSearchBy::Email);
    // Signup templates are kept.
    let c = ok(json!({ "signup": { "email_confirm_title_en_GB": "Confirm", "inform_if_app_invalid": true } }));
    assert_eq!(c.signup.templates.get("email_confirm_title_en_GB").map(String::as_str), Some("Confirm"));
    assert!(c.signup.inform_if_app_invalid);
}

#[test]
fn reject_list_normalisation_ignores_blank_lines() {
    // O-47: blank lines (and whitespace-only ones) never become an empty entry.
    let c = ok(json!({ "password": { "reject_list": "  Foo \n\n bar\n   \n\r\nBAZ\r\n" } }));
    assert_eq!(c.password.reject_list, strings(&["foo", "bar", "baz"]));
    let c = ok(json!({ "password": { "reject_list": "\n" } }));
    assert!(c.password.reject_list.is_empty());
    let c = ok(json!({ "password": { "reject_list": ["  Acme ", "", "   ", "WELCOME"] } }));
    assert_eq!(c.password.reject_list, strings(&["acme", "welcome"]));
    let c = ok(json!({ "password": { "reject_list": [] } }));
    assert!(c.password.reject_list.is_empty());
    let c = ok(json!({ "password": { "reject_list": "acme, Welcome" } }));
    assert_eq!(c.password.reject_list, strings(&["acme", "welcome"]));
    let c = ok(json!({ "password": { "reject_list": DEFAULT_REJECT_LIST.replace('\n', "\n\n  ") } }));
    assert_eq!(c.password.reject_list, Config::default().password.reject_list);
    assert!(!c.password.reject_list.iter().any(String::is_empty));
    // reject_username / reject_email are trimmed and lower-cased too.
    let c = ok(json!({ "user_validation": { "reject_username": ["  Admin ", ""], "reject_email": "Root\n\nSSO" } }));
    assert_eq!(c.user_validation.reject_username, strings(&["admin"]));
    assert_eq!(c.user_validation.reject_email, strings(&["root", "sso"]));
}

#[test]
fn single_string_lists() {
    let c = ok(json!({ "apps": {
        "all": "CRM",
        "login_allowed": " CRM ,Portal\nAdmin ",
        "signup_allowed": "Portal",
        "login_metadata_allowed": "",
        "super_user_allowed": "Admin, Ops",
    } }));
    assert_eq!(c.apps.all, set(&["CRM"]));
    assert_eq!(c.apps.login_allowed, set(&["Admin", "CRM", "Portal"]), "trimmed, case kept");
    assert_eq!(c.apps.signup_allowed, set(&["Portal"]));
    assert!(c.apps.login_metadata_allowed.is_empty());
    assert_eq!(c.apps.super_user_allowed, set(&["Admin", "Ops"]));
    let c = ok(json!({ "apps": { "all": ["CRM", " CRM ", "Portal", ""] } }));
    assert_eq!(c.apps.all, set(&["CRM", "Portal"]), "a set: duplicates merged");
    let c = ok(json!({ "user_validation": { "service": "my.Validator" }, "signup": { "callback_service_list": "a.b, c.D" } }));
    assert_eq!(c.user_validation.service, strings(&["my.Validator"]));
    assert_eq!(c.signup.callback_service_list, strings(&["a.b", "c.D"]));
    let c = ok(json!({ "user_validation": { "service": [] } }));
    assert!(c.user_validation.service.is_empty());
}

#[test]
fn address_list_semantics() {
    let c = ok(json!({ "user_address_list": {
        "any": "*",
        "empty": "",
        "blank": " , ",
        "empty_list": [],
        "nets": ["10.0.0.0/8", "::1"],
        "one": "192.168.1.1, 192.168.1.2",
        "spaced": "192.168.1.1 192.168.2.0/24\n172.16.0.1",
        "mapped": "10.0.0.0/8",
    } }));
    let none: &[IpAddr] = &[];
    // Not listed: allowed (reject_if_not_listed is false), with or without addresses.
    assert!(c.is_address_allowed("unlisted", none));
    assert!(c.is_address_allowed("unlisted", &[ip("8.8.8.8")]));
    assert!(c.is_address_allowed("Any", &[ip("8.8.8.8")]), "usernames are case-sensitive: `Any` is not listed");
    // `*`: allowed, even without addresses.
    assert!(c.is_address_allowed("any", none));
    assert!(c.is_address_allowed("any", &[ip("8.8.8.8"), ip("::1")]));
    // Listed with an empty value: denied.
    for u in ["empty", "blank", "empty_list"] {
        assert_eq!(c.user_address_list.get(u), Some(&AddressRule::Deny), "{u}");
        assert!(!c.is_address_allowed(u, none), "{u}");
        assert!(!c.is_address_allowed(u, &[ip("10.0.0.1")]), "{u}");
    }
    // Listed with networks, no addresses: denied.
    assert!(!c.is_address_allowed("nets", none));
    // Listed with networks: any address in any network.
    assert!(c.is_address_allowed("nets", &[ip("10.2.3.4")]));
    assert!(c.is_address_allowed("nets", &[ip("1.1.1.1"), ip("10.2.3.4")]));
    assert!(c.is_address_allowed("nets", &[ip("::1")]));
    assert!(!c.is_address_allowed("nets", &[ip("11.0.0.1")]));
    assert!(!c.is_address_allowed("nets", &[ip("11.0.0.1"), ip("::2")]));
    assert!(c.is_address_allowed("one", &[ip("192.168.1.2")]));
    assert!(!c.is_address_allowed("one", &[ip("192.168.1.3")]));
    assert!(c.is_address_allowed("spaced", &[ip("192.168.2.77")]));
    assert!(c.is_address_allowed("spaced", &[ip("172.16.0.1")]));
    assert!(!c.is_address_allowed("spaced", &[ip("172.16.0.2")]));
    assert!(c.is_address_allowed("mapped", &[ip("::ffff:10.1.1.1")]));

    // reject_if_not_listed = true: unlisted users are denied; listed ones as before.
    let strict = ok(json!({
        "login": { "reject_if_not_listed": true },
        "user_address_list": { "a": "*", "e": "", "n": "10.0.0.0/8" },
    }));
    assert!(!strict.is_address_allowed("unlisted", &[ip("10.0.0.1")]));
    assert!(!strict.is_address_allowed("unlisted", none));
    assert!(strict.is_address_allowed("a", none));
    assert!(!strict.is_address_allowed("e", &[ip("10.0.0.1")]));
    assert!(strict.is_address_allowed("n", &[ip("10.0.0.1")]));
    assert!(!strict.is_address_allowed("n", none));
    // With no list at all, reject_if_not_listed denies everybody.
    let nobody = ok(json!({ "login": { "reject_if_not_listed": true } }));
    assert!(!nobody.is_address_allowed("admin", &[ip("127.0.0.1")]));
    // `*` among networks means any address; the other entries must still be valid.
    let c = ok(json!({ "user_address_list": { "x": ["10.0.0.0/8", "*"] } }));
    assert_eq!(c.user_address_list.get("x"), Some(&AddressRule::Any));
    assert_eq!(err(json!({ "user_address_list": { "x": "*, nope" } })).path, "user_address_list.x");
}

#[test]
fn address_list_errors() {
    for (v, problem_start) in [
        (json!("10.0.0.0/40"), "bad prefix length"),
        (json!("10.0.0.1, nope"), "not an IP address or network"),
        (json!(["10.0.0.1", 5]), "expected addresses or networks as strings, item 1 is 5"),
        (json!([["10.0.0.1"]]), "expected addresses or networks as strings, item 0 is an array"),
        (json!(5), "expected \"*\""),
        (json!(null), "expected \"*\""),
        (json!(true), "expected \"*\""),
        (json!({ "a": "*" }), "expected \"*\""),
    ] {
        let e = err(json!({ "user_address_list": { "alice": v.clone() } }));
        assert_eq!(e.path, "user_address_list.alice", "{v}");
        assert!(e.problem.starts_with(problem_start), "{v}: {e}");
    }
    assert!(Config::from_json(&json!({ "user_address_list": [] })).is_err());
    assert!(Config::from_json(&json!({ "user_address_list": "*" })).is_err());
    let long = "z".repeat(5000);
    let e = err(json!({ "user_address_list": { "u": long } }));
    assert!(e.to_string().len() < 120, "{e}");
}

#[test]
fn long_values_are_not_echoed() {
    let long = "x".repeat(1000);
    for v in [
        json!({ "password": { "min_length": long.clone() } }),
        json!({ "main": { "encrypt_email": long.clone() } }),
        json!({ "password_reset": { "user_search_by": long.clone() } }),
        json!({ "profile": long.clone() }),
        json!({ "password": { long.clone(): 1 } }),
        json!({ "apps": { "all": [long.clone(), 5] } }),
    ] {
        let e = err(v);
        let s = e.to_string();
        assert!(s.len() < 160, "{s}");
        assert!(!s.contains(&"x".repeat(41)), "{s}");
    }
    let e = err(json!({ "password": { "min_length": "a\nb" } }));
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn profiles() {
    let s = ok(json!({ "profile": "strict" }));
    assert_eq!(s, Config::strict());
    assert_eq!(s.profile, "strict");
    assert!(!s.login.inform_if_locked && s.password.common_list && s.password_reset.require_totp && s.password_reset.end_sessions);
    // Keys the host gives win over the profile's defaults, in any key order.
    let s = ok(json!({ "password": { "min_length": 20 }, "profile": "strict" }));
    assert_eq!((s.password.min_length, s.session.max_lifetime, s.login.inform_if_locked), (20, 720, false));
    assert!(Config::from_json(&json!({ "profile": "Zato" })).is_err());
    assert!(Config::from_json(&json!({ "profile": 1 })).is_err());
    assert!(Config::from_json(&json!({ "profile": {} })).is_err());
}

#[test]
fn throttle_section() {
    let c = ok(json!({ "throttle": { "enabled": false, "per_user": 5, "window": 60, "lock_user_after": 0 } }));
    assert!(!c.throttle.enabled);
    assert_eq!((c.throttle.per_user, c.throttle.window, c.throttle.per_address), (5, 60, 100));
    assert_eq!(err(json!({ "throttle": { "per_user": 0 } })).path, "throttle.per_user");
}

#[test]
fn to_json_round_trips() {
    let custom = ok(json!({
        "main": { "encrypt_email": false, "smtp_conn": "smtp", "site_name": "Acme" },
        "apps": { "all": ["CRM", "Portal"], "login_metadata_allowed": "Portal", "super_user_allowed": "CRM" },
        "password": { "reject_list": "acme\n\nfoo", "min_length": 10, "common_list": true },
        "password_reset": { "user_search_by": "email", "email_title_en_GB": "Hi", "email_title_fr_FR": "Salut" },
        "session": { "expiry_hook": "hook", "idle_timeout": 15 },
        "signup": { "email_confirm_body_en_GB": "Body", "callback_service_list": ["a", "b"] },
        "user_address_list": { "a": "*", "b": "", "c": ["10.1.2.3/8", "::1", "::ffff:10.0.0.1"], "d": [] },
        "throttle": { "backoff": 5 },
    }));
    for c in [Config::default(), Config::strict(), custom] {
        let j = c.to_json();
        assert_eq!(ok(j.clone()), c, "{j}");
    }
    let j = Config::default().to_json();
    assert_eq!(j["password"]["reject_list"].as_array().map(Vec::len), Some(24));
    assert_eq!(j["password_reset"]["user_search_by"], "username");
    assert_eq!(j["main"]["smtp_conn"], Value::Null);
    let j = ok(json!({ "user_address_list": { "c": "10.1.2.3/8, 2001:db8::1/32" } })).to_json();
    assert_eq!(j["user_address_list"]["c"], json!(["10.0.0.0/8", "2001:db8::/32"]));
}

/// Every key of every section, with values of every JSON type: an error or a config,
/// never a panic.
#[test]
fn no_panic_on_any_value() {
    let mut deep = json!([]);
    for _ in 0..64 {
        deep = json!([deep]);
    }
    let samples = [
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(1),
        json!(-1),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(0.5),
        json!(-0.0),
        json!(1e300),
        json!(-1e300),
        json!(f64::MAX),
        json!(4294967296u64),
        json!(""),
        json!(" "),
        json!("*"),
        json!("\n\n,"),
        json!("x".repeat(10_000)),
        json!("\u{0}\u{1b}[31m"),
        json!([]),
        json!([""]),
        json!(["a", 1]),
        json!({}),
        json!({ "k": "v" }),
        deep,
    ];
    let defaults = Config::default().to_json();
    let Value::Object(sections) = &defaults else { panic!("to_json gives an object") };
    for (name, section) in sections {
        let _ = Config::from_json(&json!({ name: section.clone() }));
        for sample in &samples {
            let _ = Config::from_json(&json!({ name: sample.clone() }));
            let keys: Vec<String> = match section {
                Value::Object(m) => m.keys().cloned().chain(["unknown".to_string(), "email_title_x".into(), "email_confirm_x".into()]).collect(),
                _ => vec![],
            };
            for key in keys {
                let _ = Config::from_json(&json!({ name: { key: sample.clone() } }));
            }
            let _ = Config::from_json(&json!({ "user_address_list": { "u": sample.clone() } }));
        }
    }
    for sample in &samples {
        let _ = Config::from_json(sample);
        let _ = Config::from_json(&json!({ "profile": sample.clone() }));
    }
}
