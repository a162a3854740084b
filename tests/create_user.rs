#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Spec §3.1, §2.1, §2.4, §2.5, §8.4: creating users and super-users.

mod common;
use common::*;
use edge_sso::{Code, CreateOptions, MemoryStore, Store};
use serde_json::{json, Value};

#[test]
fn super_user_bootstrap_has_cli_semantics() {
    let f = Fixture::new(json!({}));
    let mut data = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD, "sign_up_status": "before_confirmation" }));
    let id = block_on(f.sso.create_super_user(None, &mut data)).unwrap();
    assert!(id.starts_with("zusr"));
    assert!(!data.contains_key("password"), "the clear-text password leaves data");
    assert_eq!(data["user_id"], json!(id));
    assert_eq!(data["is_super_user"], json!(true));
    assert_eq!(data["approval_status"], json!("approved"), "auto-approved");
    assert_eq!(data["approval_status_mod_by"], json!("auto"), "creator is auto");
    assert_eq!(data["sign_up_status"], json!("final"), "sign-up status is forced to final");
    assert_eq!(data["is_approval_needed"], json!(false));
    let ust = f.login(ADMIN, ADMIN_PASSWORD).unwrap().ust;
    let me = f.get_current(&ust).unwrap();
    assert_eq!(me["is_super_user"], json!(true));
    assert_eq!(f.audit_ops(), vec!["user.create_super_user", "user.login", "user.get_current_user"]);
}

#[test]
fn super_user_password_policy_runs_before_anything_is_written() {
    let f = Fixture::new(json!({}));
    let mut data = obj(json!({ "username": ADMIN, "password": "short" }));
    assert_code(block_on(f.sso.create_super_user(None, &mut data)), Code::PasswordTooShort, true);
    assert!(f.sso.store().is_empty(), "nothing written: {:?}", f.sso.store().dump());
    // The name is still free.
    f.bootstrap();
    let mut again = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    assert_code(block_on(f.sso.create_super_user(None, &mut again)), Code::UsernameExists, false);
}

#[test]
fn create_user_enriches_data_in_place_with_the_seed_defaults() {
    let f = Fixture::new(json!({}));
    let ust = f.admin_ust();
    let admin_id = f.get_current(&ust).unwrap()["user_id"].clone();
    let data = f
        .create(&ust, json!({ "username": "user1", "password": "a good passphrase", "password_must_change": true, "display_name": "My User" }))
        .unwrap();
    assert!(!data.contains_key("password"));
    assert!(data["user_id"].as_str().unwrap().starts_with("zusr"));
    assert_eq!(data["username"], json!("user1"));
    assert_eq!(data["display_name"], json!("My User"));
    assert_eq!(data["first_name"], Value::Null);
    assert_eq!(data["middle_name"], Value::Null);
    assert_eq!(data["last_name"], Value::Null);
    assert_eq!(data["is_active"], json!(true));
    assert_eq!(data["is_internal"], json!(false));
    assert_eq!(data["is_super_user"], json!(false));
    assert_eq!(data["is_locked"], json!(false));
    // signup.is_approval_needed defaults to true.
    assert_eq!(data["approval_status"], json!("before_decision"));
    assert_eq!(data["is_approval_needed"], json!(true));
    assert_eq!(data["approval_status_mod_by"], admin_id);
    assert_eq!(data["approval_status_mod_time"], json!("2024-01-01T00:00:00"));
    assert_eq!(data["password_is_set"], json!(true));
    assert_eq!(data["password_must_change"], json!(true));
    assert_eq!(data["password_last_set"], json!("2024-01-01T00:00:00"));
    // password.expiry defaults to 730 days.
    assert_eq!(data["password_expiry"], json!("2025-12-31T00:00:00"));
    assert_eq!(data["sign_up_status"], json!("final"));
    assert_eq!(data["sign_up_time"], json!("2024-01-01T00:00:00"));
    assert_eq!(data["is_totp_enabled"], json!(false));
    // Spec §10 O-28: the label is echoed as readers see it, never sealed.
    assert_eq!(data["totp_label"], json!(""));
}

#[test]
fn auto_approve_and_approval_config() {
    let f = Fixture::new(json!({}));
    let ust = f.admin_ust();
    let mut data = obj(json!({ "username": "u2" }));
    block_on(f.sso.create_user(&caller().with_ust(&ust), &mut data, CreateOptions { auto_approve: true })).unwrap();
    assert_eq!(data["approval_status"], json!("approved"));
    assert_eq!(data["is_approval_needed"], json!(false));

    let g = Fixture::new(json!({ "signup": { "is_approval_needed": false } }));
    let ust = g.admin_ust();
    assert_eq!(g.create(&ust, json!({ "username": "u3" })).unwrap()["approval_status"], json!("approved"));
}

#[test]
fn names_are_stripped_and_display_name_derived() {
    let f = Fixture::new(json!({}));
    let ust = f.admin_ust();
    let d = f.create(&ust, json!({ "username": "n1", "first_name": "  Jan ", "middle_name": "", "last_name": "Kowalski " })).unwrap();
    assert_eq!(d["display_name"], json!("Jan Kowalski"));
    assert_eq!(d["first_name"], json!("Jan"));
    assert_eq!(d["middle_name"], Value::Null);
    assert_eq!(d["last_name"], json!("Kowalski"));
    let d = f.create(&ust, json!({ "username": "n2" })).unwrap();
    assert_eq!(d["display_name"], json!(""), "no names: an empty string, not null");
    let d = f.create(&ust, json!({ "username": "n3", "display_name": " Shown ", "first_name": "Hidden" })).unwrap();
    assert_eq!(d["display_name"], json!("Shown"));
    // Spec §10 O-8: the derived display name gets its search copy (Zato's upper-case copy,
    // case-folded here: README "Differences from Zato").
    let rec = f.sso.store().dump().into_iter().find(|(_, v)| v.contains("\"username\":\"n1\"")).unwrap().1;
    assert!(rec.contains("\"display_name_fold\":\"jan kowalski\""), "{rec}");
    let d = f.create(&ust, json!({ "username": "n4", "last_name": "Straße" })).unwrap();
    let rec = f.sso.store().dump().into_iter().find(|(_, v)| v.contains(&format!("\"user_id\":{}", d["user_id"]))).unwrap().1;
    assert!(rec.contains("\"last_name_fold\":\"strasse\""), "ß folds as Zato's upper-casing does (SS): {rec}");
}

#[test]
fn create_checks_run_in_spec_order() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    // Step 1 first: no session beats every data problem.
    let mut bad = obj(json!({ "nope": 1 }));
    assert_code(block_on(f.sso.create_user(&caller().with_ust("garbage"), &mut bad, Default::default())), Code::SessionNoSuchSession, false);
    // A regular user's session: E005001, revealed.
    let g = Fixture::new(json!({ "signup": { "is_approval_needed": false } }));
    let admin_g = g.admin_ust();
    g.create(&admin_g, json!({ "username": "reg", "password": "regular passphrase" })).unwrap();
    let reg = g.login("reg", "regular passphrase").unwrap().ust;
    assert_code(g.create(&reg, json!({ "username": "x" })), Code::AuthNotAllowed, true);
    // Shape: unknown key, wrong types.
    assert_code(f.create(&admin, json!({ "username": "x", "is_admin": true })), Code::InvalidInput, false);
    assert_code(f.create(&admin, json!({ "username": 5 })), Code::InvalidInput, false);
    assert_code(f.create(&admin, json!({ "username": "x", "is_locked": "yes" })), Code::InvalidInput, false);
    assert_code(f.create(&admin, json!({ "username": "x", "email": ["a"] })), Code::InvalidInput, false);
    // Step 3: username missing or empty.
    assert_code(f.create(&admin, json!({})), Code::UsernameInvalid, true);
    assert_code(f.create(&admin, json!({ "username": "" })), Code::UsernameInvalid, true);
    assert_code(f.create(&admin, json!({ "username": null, "password": "x" })), Code::UsernameInvalid, true);
    // Spec §10 O-21: length and whitespace rules, revealed.
    assert_code(f.create(&admin, json!({ "username": "a".repeat(129) })), Code::UsernameTooLong, true);
    assert_code(f.create(&admin, json!({ "username": "a b" })), Code::UsernameHasWhitespace, true);
    // Step 4 before step 6: a taken name wins over a bad password. Hidden.
    f.create(&admin, json!({ "username": "taken" })).unwrap();
    assert_code(f.create(&admin, json!({ "username": "taken", "password": "x" })), Code::UsernameExists, false);
    // Step 5: sign_up_status is validated (spec §10 O-21).
    assert_code(f.create(&admin, json!({ "username": "s", "sign_up_status": "weird" })), Code::InvalidInput, false);
    // Step 6: the password policy, revealed per password.inform_if_invalid.
    assert_code(f.create(&admin, json!({ "username": "p", "password": "short" })), Code::PasswordTooShort, true);
    assert_code(f.create(&admin, json!({ "username": "p", "password": "x".repeat(257) })), Code::PasswordTooLong, true);
    assert_code(f.create(&admin, json!({ "username": "p", "password": "my qwerty pass" })), Code::PasswordInvalid, true);
    assert_code(f.create(&admin, json!({ "username": "p", "email": "a b@example.com" })), Code::EmailHasWhitespace, true);
    assert_code(f.create(&admin, json!({ "username": "p", "email": format!("{}@x.io", "a".repeat(130)) })), Code::EmailTooLong, true);
    assert_code(f.create(&admin, json!({ "username": "p", "totp_key": "not base32!" })), Code::InvalidInput, false);
}

#[test]
fn password_policy_reveal_follows_config() {
    let f = Fixture::new(json!({ "password": { "inform_if_invalid": false } }));
    let admin = f.admin_ust();
    assert_code(f.create(&admin, json!({ "username": "p", "password": "short" })), Code::PasswordTooShort, false);
}

/// Security issue item 17 (RFC 8265 UsernameCaseMapped; Zato compares names as given): names
/// that differ only in case or width are one name, and the display form is kept.
#[test]
fn usernames_differing_only_in_case_or_width_are_one_name() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.regular(&admin, "Alice", "alice's passphrase");
    for twin in ["alice", "ALICE", "ａｌｉｃｅ"] {
        assert_code(f.create(&admin, json!({ "username": twin })), Code::UsernameExists, false);
    }
    let r = f.login("ALICE", "alice's passphrase").unwrap();
    assert_eq!(r.username, "Alice");
}

/// Security issue item 17: look-alike names are refused (E001001) rather than stored.
#[test]
fn look_alike_usernames_are_refused() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    for bad in ["ad\u{200b}min", "alice\u{200b}", "ad\u{00ad}min", "admi\u{0301}n", "\u{1d41a}dmin", "\u{fb01}nance", "bob\u{202e}"] {
        assert_code(f.create(&admin, json!({ "username": bad })), Code::UsernameInvalid, true);
    }
    // Full-width forms fold onto ASCII, so the reserved-word check sees them too (sign-up).
    let e = f
        .call("user.signup", json!([null, { "username": "\u{ff52}\u{ff4f}\u{ff4f}\u{ff54}", "password": "a long enough passphrase" }, APP, ADDR]))
        .unwrap_err();
    assert!(e.detail.contains("username.invalid"), "{e:?}");
}

#[test]
fn secrets_are_sealed_at_rest() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "sec", "password": "secret passphrase 1", "email": "sec@example.com", "totp_key": "JBSWY3DPEHPK3PXP", "totp_label": "my phone" }))
        .unwrap();
    for (k, v) in f.sso.store().dump() {
        for secret in ["secret passphrase 1", "sec@example.com", "JBSWY3DPEHPK3PXP", "my phone", "$argon2id$"] {
            assert!(!v.contains(secret) && !k.contains(secret), "{secret} in clear at {k}");
        }
    }
}

#[test]
fn emails_are_stored_in_clear_when_encrypt_email_is_off() {
    let f = Fixture::new(json!({ "main": { "encrypt_email": false } }));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "e", "email": "e@example.com" })).unwrap();
    assert!(f.sso.store().dump().iter().any(|(_, v)| v.contains("e@example.com")));
}

#[test]
fn no_password_means_a_random_one_nobody_knows() {
    let f = Fixture::new(json!({ "signup": { "is_approval_needed": false } }));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "nopw" })).unwrap();
    assert_code(f.login("nopw", ""), Code::AuthNotAllowed, false);
}

#[test]
fn concurrent_creates_of_one_username_create_one_user() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let futures: Vec<_> = (0..20)
        .map(|_| {
            let admin = admin.clone();
            let sso = &f.sso;
            async move {
                let mut d = obj(json!({ "username": "race" }));
                sso.create_user(&caller().with_ust(&admin), &mut d, Default::default()).await
            }
        })
        .collect();
    let results = block_on(futures::future::join_all(futures));
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_code(r, Code::UsernameExists, false);
    }
    let users = f.sso.store().dump().into_iter().filter(|(k, _)| k.starts_with("sso/user/")).count();
    assert_eq!(users, 2, "admin and one 'race'");
}

#[test]
fn a_store_without_put_if_absent_still_enforces_uniqueness_sequentially() {
    let f = Fixture::with_store(MemoryStore::without_put_if_absent(), json!({}));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "kv" })).unwrap();
    assert_code(f.create(&admin, json!({ "username": "kv" })), Code::UsernameExists, false);
}

#[test]
fn a_stale_claim_left_by_a_failed_create_is_taken_over() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    // A claim whose user record never got written (the create failed, and so did its undo).
    let key = edge_sso::store::keys::username("ghost");
    f.sso.store().raw_put(&key, &format!("{{\"user_id\":\"zusrnone\",\"claimed_at_ms\":{T0}}}"));
    // While fresh it may be a create in progress: refused.
    assert_code(f.create(&admin, json!({ "username": "ghost" })), Code::UsernameExists, false);
    f.advance_secs(61);
    let admin = f.login(ADMIN, ADMIN_PASSWORD).unwrap().ust;
    f.create(&admin, json!({ "username": "ghost" })).unwrap();
    assert!(block_on(f.sso.store().get(&key)).unwrap().unwrap() != format!("{{\"user_id\":\"zusrnone\",\"claimed_at_ms\":{T0}}}"));
}

#[test]
fn supplied_user_id_is_validated_and_unique() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let d = f.create(&admin, json!({ "username": "own", "user_id": "zusrmine" })).unwrap();
    assert_eq!(d["user_id"], json!("zusrmine"));
    assert_code(f.create(&admin, json!({ "username": "own2", "user_id": "zusrmine" })), Code::InvalidInput, false);
    // The name of the refused create is free again.
    f.create(&admin, json!({ "username": "own2" })).unwrap();
    assert_code(f.create(&admin, json!({ "username": "own3", "user_id": "a/b" })), Code::InvalidInput, false);
}

#[test]
fn create_user_writes_back_exactly_the_record_fields_and_keeps_the_rest() {
    let f = Fixture::new(json!({}));
    let ust = f.admin_ust();
    let given = json!({ "username": "kept", "password": "a good passphrase", "email": "k@example.com", "creation_ctx": { "via": "test" }, "rate_limit_def": "*=1/d" });
    let data = f.create(&ust, given.clone()).unwrap();
    let mut keys: Vec<&str> = data.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = vec![
        "user_id",
        "username",
        "display_name",
        "first_name",
        "middle_name",
        "last_name",
        "is_active",
        "is_internal",
        "is_locked",
        "is_super_user",
        "approval_status",
        "approval_status_mod_time",
        "approval_status_mod_by",
        "is_approval_needed",
        "password_is_set",
        "password_last_set",
        "password_must_change",
        "password_expiry",
        "sign_up_status",
        "sign_up_time",
        "is_totp_enabled",
        "totp_label",
        // What the caller gave and the creation does not answer stays as given.
        "email",
        "creation_ctx",
        "rate_limit_def",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!((&data["email"], &data["creation_ctx"], &data["rate_limit_def"]), (&given["email"], &given["creation_ctx"], &given["rate_limit_def"]));
    assert_eq!((&data["display_name"], &data["first_name"], &data["totp_label"]), (&json!(""), &Value::Null, &json!("")));
    // A refused creation leaves data as it was, password included.
    let mut refused = obj(json!({ "username": "kept", "password": "a good passphrase" }));
    assert_code(block_on(f.sso.create_user(&caller().with_ust(&ust), &mut refused, Default::default())), Code::UsernameExists, false);
    assert_eq!(Value::Object(refused), json!({ "username": "kept", "password": "a good passphrase" }));
}
