#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Spec §4.1 (L1–L9), §4.2 (C1–C7), §4.3, §4.4, §3.9 logout, §3.0 session resolution.

mod common;
use common::*;
use edge_sso::{Code, LoginOptions};
use serde_json::json;

const PW: &str = "user passphrase 1";
const KEY: &str = "JBSWY3DPEHPK3PXP";

/// A fixture whose created users are approved at once, with one user `u`.
fn with_user(overrides: serde_json::Value, extra: serde_json::Value) -> (Fixture, String) {
    let mut o = json!({ "signup": { "is_approval_needed": false } });
    merge(&mut o, overrides);
    let f = Fixture::new(o);
    let admin = f.admin_ust();
    let mut data = json!({ "username": "u", "password": PW });
    merge(&mut data, extra);
    f.create(&admin, data).unwrap();
    (f, admin)
}

#[test]
fn login_returns_a_sealed_ust_and_session_times() {
    let (f, _) = with_user(json!({}), json!({}));
    let r = f.login("u", PW).unwrap();
    assert!(r.ust.starts_with("es1."), "sealed UST");
    assert!(!r.ust.contains("zust"));
    assert_eq!(r.username, "u");
    assert!(r.user_id.starts_with("zusr"));
    assert_eq!(edge_sso::time::format_zato(&r.creation_time), "2024-01-01T00:00:00");
    // session.expiry defaults to 60 minutes.
    assert_eq!(edge_sso::time::format_zato(&r.expiration_time), "2024-01-01T01:00:00");
    assert!(!r.has_w_about_to_exp);
    // A new token on every login.
    assert_ne!(f.login("u", PW).unwrap().ust, r.ust);
    assert_eq!(f.get_current(&r.ust).unwrap()["username"], json!("u"));
}

#[test]
fn l1_l2_unknown_unapproved_and_wrong_password_look_the_same() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "pending", "password": PW })).unwrap();
    for (user, pass) in [("nobody", PW), ("pending", PW), (ADMIN, "wrong passphrase"), (ADMIN, ""), ("", PW)] {
        let e = f.login(user, pass).unwrap_err();
        assert_eq!(e.codes(), vec!["E005001"], "{user}");
        assert!(!e.reveal, "hidden for {user}");
        assert_eq!(e.public_codes(), vec!["E005001"]);
    }
}

#[test]
fn l3_totp_missing_wrong_and_right() {
    let (f, _) = with_user(json!({}), json!({ "is_totp_enabled": true, "totp_key": KEY }));
    assert_code(f.login("u", PW), Code::AuthTotpMissing, true);
    let wrong = LoginOptions { totp_code: Some("000000".into()), ..Default::default() };
    let right = totp_now(&f, KEY);
    let wrong = if right == "000000" { LoginOptions { totp_code: Some("111111".into()), ..Default::default() } } else { wrong };
    assert_code(f.login_with("u", PW, wrong), Code::AuthNotAllowed, false);
    assert_code(f.login_with("u", PW, LoginOptions { totp_code: Some("invalid".into()), ..Default::default() }), Code::AuthNotAllowed, false);
    f.login_with("u", PW, LoginOptions { totp_code: Some(right), ..Default::default() }).unwrap();
    // The previous step's code is refused: the current step only.
    let old = totp_now(&f, KEY);
    f.advance_secs(30);
    if old != totp_now(&f, KEY) {
        assert_code(f.login_with("u", PW, LoginOptions { totp_code: Some(old), ..Default::default() }), Code::AuthNotAllowed, false);
    }
    // Credentials come first: a wrong password with a missing code is E005001.
    assert_code(f.login("u", "wrong passphrase"), Code::AuthNotAllowed, false);
}

#[test]
fn l3_totp_missing_is_hidden_when_configured() {
    let (f, _) = with_user(json!({ "login": { "inform_if_totp_missing": false } }), json!({ "is_totp_enabled": true, "totp_key": KEY }));
    assert_code(f.login("u", PW), Code::AuthNotAllowed, false);
}

#[test]
fn l4_app_must_be_allowed_to_log_in() {
    let (f, _) = with_user(json!({ "apps": { "all": ["CRM", "Other"], "login_allowed": ["CRM"] } }), json!({}));
    let r = f.sso.login(&Caller { cid: None, current_app: "Other", remote_addr: ADDR }, "u", PW, LoginOptions::default());
    assert_code(block_on(r), Code::AppListInvalid, true);
    let (g, _) = with_user(json!({ "apps": { "all": ["CRM", "Other"], "inform_if_app_invalid": false } }), json!({}));
    assert_code(
        block_on(g.sso.login(&Caller { cid: None, current_app: "Other", remote_addr: ADDR }, "u", PW, LoginOptions::default())),
        Code::AuthNotAllowed,
        true,
    );
}

#[test]
fn c1_app_must_be_known() {
    // In login_allowed but not in apps.all: L4 passes, C1 refuses (hidden).
    let (f, _) = with_user(json!({ "apps": { "all": ["CRM"], "login_allowed": ["CRM", "Ghost"] } }), json!({}));
    assert_code(
        block_on(f.sso.login(&Caller { cid: None, current_app: "Ghost", remote_addr: ADDR }, "u", PW, LoginOptions::default())),
        Code::AppListInvalid,
        false,
    );
}

#[test]
fn c2_ip_allow_list() {
    let (f, _) = with_user(json!({ "user_address_list": { "u": "192.168.0.0/16" } }), json!({}));
    assert_code(f.login("u", PW), Code::AuthNotAllowed, true);
    block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "192.168.1.7" }, "u", PW, LoginOptions::default())).unwrap();
    // Any of several addresses may match.
    block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "10.0.0.1, 192.168.1.7" }, "u", PW, LoginOptions::default())).unwrap();
    // Listed with networks and no address: denied.
    assert_code(
        block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "" }, "u", PW, LoginOptions::default())),
        Code::AuthNotAllowed,
        true,
    );
    let (g, _) = with_user(json!({ "login": { "reject_if_not_listed": true }, "user_address_list": { "admin": "*" } }), json!({}));
    assert_code(g.login("u", PW), Code::AuthNotAllowed, true);
    g.login(ADMIN, ADMIN_PASSWORD).unwrap();
    // An unparseable address is bad input, not a crash (spec §10 O-48).
    assert_code(
        block_on(g.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "not-an-ip" }, "u", PW, LoginOptions::default())),
        Code::InvalidInput,
        false,
    );
}

#[test]
fn c3_locked_user() {
    let (f, _) = with_user(json!({}), json!({ "is_locked": true }));
    assert_code(f.login("u", PW), Code::AuthLocked, true);
    let (g, _) = with_user(json!({ "login": { "inform_if_locked": false } }), json!({ "is_locked": true }));
    assert_code(g.login("u", PW), Code::AuthNotAllowed, true);
}

#[test]
fn c4_unconfirmed_user() {
    let (f, _) = with_user(json!({}), json!({ "sign_up_status": "before_confirmation" }));
    assert_code(f.login("u", PW), Code::AuthInvalidSignupStatus, true);
    let (g, _) = with_user(json!({ "login": { "inform_if_not_confirmed": false } }), json!({ "sign_up_status": "before_confirmation" }));
    assert_code(g.login("u", PW), Code::AuthNotAllowed, true);
}

#[test]
fn c6_expired_password() {
    let (f, _) = with_user(json!({}), json!({}));
    f.advance_days(731);
    assert_code(f.login("u", PW), Code::AuthNotAllowed, true);
    let (g, _) = with_user(json!({ "password": { "inform_if_expired": true } }), json!({}));
    g.advance_days(731);
    assert_code(g.login("u", PW), Code::PasswordExpired, true);
    // An expired password blocks login even with a new password supplied.
    let opts = LoginOptions { new_password: Some("brand new passphrase".into()), ..Default::default() };
    assert_code(g.login_with("u", PW, opts), Code::PasswordExpired, true);
}

#[test]
fn c7_explicit_login_metadata_needs_an_allowed_app() {
    let (f, _) = with_user(json!({}), json!({}));
    let opts = LoginOptions { user_agent: Some("curl".into()), has_user_agent: true, ..Default::default() };
    assert_code(f.login_with("u", PW, opts), Code::MetadataNotAllowed, false);
    let (g, _) = with_user(json!({ "apps": { "login_metadata_allowed": ["CRM"] } }), json!({}));
    let opts = LoginOptions { has_remote_addr: true, ..Default::default() };
    g.login_with("u", PW, opts).unwrap();
}

#[test]
fn l6_about_to_expire_warns_by_default() {
    let (f, _) = with_user(json!({}), json!({}));
    f.advance_days(701); // within 30 days of the 730-day expiry
    let r = f.login("u", PW).unwrap();
    assert!(r.has_w_about_to_exp);
    // Spec §10 O-16 (decided): inform off → log in silently.
    let (g, _) = with_user(json!({ "password": { "inform_if_about_to_expire": false } }), json!({}));
    g.advance_days(701);
    assert!(!g.login("u", PW).unwrap().has_w_about_to_exp);
    // log_in_if_about_to_expire off → refused with E003006, revealed per inform_if_about_to_expire.
    let (h, _) = with_user(json!({ "password": { "log_in_if_about_to_expire": false } }), json!({}));
    h.advance_days(701);
    assert_code(h.login("u", PW), Code::PasswordEAboutToExp, true);
}

#[test]
fn l7_l8_forced_password_change() {
    let (f, _) = with_user(json!({}), json!({ "password_must_change": true }));
    assert_code(f.login("u", PW), Code::PasswordMustSendNew, true);
    // A new password that fails the policy is refused with its code (revealed).
    let short = LoginOptions { new_password: Some("short".into()), ..Default::default() };
    assert_code(f.login_with("u", PW, short), Code::PasswordTooShort, true);
    let ok = LoginOptions { new_password: Some("the new passphrase".into()), ..Default::default() };
    f.login_with("u", PW, ok).unwrap();
    // The flag is cleared and the old password is gone.
    assert_code(f.login("u", PW), Code::AuthNotAllowed, false);
    f.login("u", "the new passphrase").unwrap();
}

#[test]
fn l7_l8_hidden_variants_never_log_in_silently() {
    // Spec §10 O-15: no crash; O-14: a refused new password is a refused login.
    let (f, _) =
        with_user(json!({ "password": { "inform_if_must_be_changed": false, "inform_if_invalid": false } }), json!({ "password_must_change": true }));
    assert_code(f.login("u", PW), Code::AuthNotAllowed, true);
    let short = LoginOptions { new_password: Some("short".into()), ..Default::default() };
    assert_code(f.login_with("u", PW, short), Code::AuthNotAllowed, true);
    assert_code(f.login("u", PW), Code::AuthNotAllowed, true); // still must change
}

#[test]
fn a_new_password_without_must_change_is_ignored() {
    let (f, _) = with_user(json!({}), json!({}));
    f.login_with("u", PW, LoginOptions { new_password: Some("another passphrase".into()), ..Default::default() }).unwrap();
    f.login("u", PW).unwrap();
}

#[test]
fn weaker_hashes_are_upgraded_at_login() {
    let (f, _) = with_user(json!({}), json!({}));
    // Same store and keys, stronger Argon2 parameters.
    let g = Fixture::with_store(
        edge_sso::MemoryStore::new(),
        json!({ "signup": { "is_approval_needed": false }, "argon2": { "m_cost": 128, "t_cost": 2 } }),
    );
    f.sso.store().move_into(g.sso.store());
    let before = g.sso.store().dump();
    g.login("u", PW).unwrap();
    let after = g.sso.store().dump();
    let user_rec = |d: &Vec<(String, String)>| d.iter().find(|(_, v)| v.contains("\"username\":\"u\"")).unwrap().1.clone();
    assert_ne!(user_rec(&before), user_rec(&after), "the hash was rewritten");
    g.login("u", PW).unwrap();
}

#[test]
fn sessions_fail_when_expired_and_after_logout() {
    let (f, _) = with_user(json!({}), json!({}));
    let ust = f.login("u", PW).unwrap().ust;
    block_on(f.sso.logout(&caller().with_ust(&ust))).unwrap();
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    assert_code(block_on(f.sso.logout(&caller().with_ust(&ust))), Code::SessionNoSuchSession, false);
    let ust = f.login("u", PW).unwrap().ust;
    f.advance_secs(3600);
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    // Logout and the owner index leave nothing of the session behind.
    let f2 = Fixture::new(json!({}));
    let admin = f2.admin_ust();
    block_on(f2.sso.logout(&caller().with_ust(&admin))).unwrap();
    assert!(f2.sso.store().dump().iter().all(|(k, _)| !k.starts_with("sso/session") && !k.starts_with("sso/user-session")));
}

#[test]
fn forged_tampered_and_foreign_usts_are_no_such_session() {
    let (f, _) = with_user(json!({}), json!({}));
    let ust = f.login("u", PW).unwrap().ust;
    let mut tampered = ust.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let other_key = edge_sso::crypto::seal::KeyRing::from_raw(vec![[9u8; 32]]);
    let foreign = other_key.seal("ust", b"zust123").unwrap();
    let internal_like = "zust0123456789abcdefghjkmnpq".to_string();
    for bad in [tampered, foreign, internal_like, String::new(), "gAAAAABgarbage".into(), "es1.x.y".into(), "é".repeat(100_000), "\u{0}".into()] {
        assert_code(f.get_current(&bad), Code::SessionNoSuchSession, false);
    }
}

#[test]
fn locked_or_expired_owners_lose_their_sessions_but_can_log_out() {
    let (f, _) = with_user(json!({}), json!({}));
    let ust = f.login("u", PW).unwrap().ust;
    // Lock the user behind the core's back (the lock operation belongs to a later slice).
    let (k, v) = f.sso.store().dump().into_iter().find(|(_, v)| v.contains("\"username\":\"u\"")).unwrap();
    f.sso.store().raw_put(&k, &v.replace("\"is_locked\":false", "\"is_locked\":true"));
    assert_code(f.get_current(&ust), Code::AuthLocked, true);
    // Spec §10 O-35: logout needs only the session.
    block_on(f.sso.logout(&caller().with_ust(&ust))).unwrap();
}

#[test]
fn audit_records_name_the_target_and_hold_no_secret() {
    let (f, _) = with_user(json!({}), json!({ "is_totp_enabled": true, "totp_key": KEY }));
    let code = totp_now(&f, KEY);
    let r = f.login_with("u", PW, LoginOptions { totp_code: Some(code.clone()), user_agent: Some("UA/1".into()), ..Default::default() }).unwrap();
    let events = f.sso.audit_sink().events.borrow();
    let login = events.iter().rev().find(|e| e.op == "user.login").unwrap();
    assert_eq!(login.target_user.as_deref(), Some("u"));
    assert_eq!(login.extra["current_app"], json!("CRM"));
    assert_eq!(login.extra["remote_addr"], json!("10.0.0.1"));
    assert_eq!(login.extra["user_agent"], json!("UA/1"));
    assert_eq!(login.extra["new_password"], json!(false));
    let all = serde_json::to_string(&events.iter().map(|e| e.to_json()).collect::<Vec<_>>()).unwrap();
    for secret in [PW, ADMIN_PASSWORD, KEY, &code, &r.ust] {
        assert!(!all.contains(secret), "audit log holds a secret");
    }
}

#[test]
fn ipv6_remote_addresses_are_exploded_in_audit() {
    let (f, _) = with_user(json!({}), json!({}));
    block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "::1" }, "u", PW, LoginOptions::default())).unwrap();
    let events = f.sso.audit_sink().events.borrow();
    assert_eq!(events.last().unwrap().extra["remote_addr"], json!("0000:0000:0000:0000:0000:0000:0000:0001"));
}
