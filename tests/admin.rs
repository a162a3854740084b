#![recursion_limit = "256"]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! The trusted `admin.*` operations (the command line's, spec §8.4) and the import of Zato's
//! users (`admin.importUser`).

mod common;
use common::*;
use edge_sso::Code;
use serde_json::{json, Value};

const PW: &str = "user passphrase 1";
/// passlib's pbkdf2_sha512 of "password" (rounds 1000, salt "saltsaltsaltsalt"), computed with
/// Python (`hashlib.pbkdf2_hmac('sha512', b'password', b'saltsaltsaltsalt', 1000)`).
const ZATO_HASH: &str =
    "$pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA$715rqIr5dXOVPpBhqqsugl037zT5bWJTWYmZtIcK8hBnisKpwfY7kokvwjDrNHqHhF50Pb7MD6HvkJwiDQw4ww";
const TOTP_KEY: &str = "JBSWY3DPEHPK3PXP";

fn admin_create(f: &Fixture, data: Value, super_user: bool) -> Result<String, edge_sso::SsoError> {
    f.call("admin.createUser", json!(["cid1", data, { "superUser": super_user }])).map(|v| v["user_id"].as_str().unwrap().to_string())
}

#[test]
fn create_user_has_the_command_lines_semantics() {
    let f = Fixture::new(json!({ "signup": { "is_approval_needed": true } }));
    let r = f
        .call("admin.createUser", json!(["cid1", { "username": "ops", "password": PW, "email": "ops@example.com" }, { "superUser": true }]))
        .unwrap();
    let id = r["user_id"].as_str().unwrap();
    assert_eq!(r["data"]["approval_status"], json!("approved"), "auto-approved even where approval is needed");
    assert_eq!(r["data"]["approval_status_mod_by"], json!("auto"));
    assert_eq!(r["data"]["sign_up_status"], json!("final"));
    assert_eq!(r["data"]["is_super_user"], json!(true));
    assert!(r["data"].get("password").is_none());
    let plain = admin_create(&f, json!({ "username": "plain", "password": PW }), false).unwrap();
    assert_eq!(f.record(&plain).unwrap()["is_super_user"], json!(false));
    assert!(f.login("ops", PW).is_ok());
    assert_eq!(f.record(id).unwrap()["username"], json!("ops"));
    // Zato's failures, each with its code.
    assert_code(admin_create(&f, json!({ "username": "ops", "password": PW }), false), Code::UsernameExists, false);
    assert_code(admin_create(&f, json!({ "username": "short", "password": "abc" }), false), Code::PasswordTooShort, true);
    assert_code(f.call("admin.createUser", json!([null, { "username": "x", "nope": 1 }])), Code::InvalidInput, false);
    assert_code(f.call("admin.createUser", json!([null, {}, { "superuser": true }])), Code::InvalidInput, false);
}

#[test]
fn find_user_sees_approved_users_only() {
    let f = Fixture::new(json!({ "signup": { "is_approval_needed": true } }));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "pending", "password": PW })).unwrap();
    admin_create(&f, json!({ "username": "ready", "password": PW, "email": "r@example.com" }), false).unwrap();
    assert_eq!(f.call("admin.findUser", json!([null, "pending"])).unwrap(), Value::Null);
    assert_eq!(f.call("admin.findUser", json!([null, "nobody"])).unwrap(), Value::Null);
    assert_eq!(f.call("admin.findUser", json!([null, ""])).unwrap(), Value::Null);
    let found = f.call("admin.findUser", json!([null, "READY"])).unwrap();
    assert_eq!(found["username"], json!("ready"));
    assert_eq!(found["email"], json!("r@example.com"));
    assert_eq!(found["approval_status"], json!("approved"));
    assert!(found.get("totp_key").is_none(), "the key is for its owner only");
}

#[test]
fn lock_ends_sessions_and_names_the_operator() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    f.call("admin.lockUser", json!([null, id, { "lockedBy": "root@host" }])).unwrap();
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    let rec = f.record(&id).unwrap();
    assert_eq!(rec["is_locked"], json!(true));
    assert_eq!(rec["locked_by"], json!("root@host"));
    assert_code(f.login("u", PW), Code::AuthLocked, true);
    f.call("admin.unlockUser", json!([null, id])).unwrap();
    assert!(f.login("u", PW).is_ok());
    // The only super-user may be locked by the operator: the shell is the way back.
    let admin_id = f.search_id(ADMIN, &f.login(ADMIN, ADMIN_PASSWORD).unwrap().ust);
    f.call("admin.lockUser", json!([null, admin_id])).unwrap();
    assert_eq!(f.record(&admin_id).unwrap()["locked_by"], json!("zato-cli"));
    f.call("admin.unlockUser", json!([null, admin_id])).unwrap();
    assert_code(f.call("admin.lockUser", json!([null, "zusr-nobody"])), Code::InvalidOperation, true);
    assert_code(f.call("admin.lockUser", json!([null, ""])), Code::InvalidInput, false);
    assert_code(f.call("admin.unlockUser", json!([null, id, { "lockedBy": "x" }])), Code::InvalidInput, false);
}

#[test]
fn delete_removes_the_user_and_everything_that_points_at_it() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "gone", PW);
    f.call("user.attr.create", json!([null, "color", "blue", ust, APP, ADDR])).unwrap();
    f.call("admin.deleteUser", json!([null, id])).unwrap();
    assert!(f.record(&id).is_none());
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    let left: Vec<String> = f.sso.store().dump().into_iter().map(|(k, _)| k).filter(|k| k.contains(&id)).collect();
    assert!(left.is_empty(), "keys left behind: {left:?}");
    // The name is free again.
    admin_create(&f, json!({ "username": "gone", "password": PW }), false).unwrap();
    assert_code(f.call("admin.deleteUser", json!([null, id])), Code::InvalidOperation, true);
}

#[test]
fn trusted_login_needs_no_password_nor_totp_but_keeps_the_other_checks() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    f.call("user.updateUserById", json!([null, id, { "is_totp_enabled": true }, admin, APP, ADDR])).unwrap();
    // Spec §10 O-44 decided: a TOTP user may be logged in by the operator.
    let r = f.call("admin.login", json!([null, "u", { "userAgent": "Zato CLI host" }])).unwrap();
    let ust = r["ust"].as_str().unwrap();
    assert_eq!(f.get_current(ust).unwrap()["username"], json!("u"));
    let session = f.call("user.session.get", json!([null, ust, admin, APP, ADDR])).unwrap();
    assert_eq!(session["remote_addr"], json!("127.0.0.1"));
    assert_eq!(session["user_agent"], json!("Zato CLI host"));
    f.call("admin.logout", json!([null, ust])).unwrap();
    assert_code(f.get_current(ust), Code::SessionNoSuchSession, false);
    assert_code(f.call("admin.logout", json!([null, ust])), Code::SessionNoSuchSession, false);
    // Locked, password to change, unknown: refused as a login would be.
    f.call("admin.lockUser", json!([null, id])).unwrap();
    assert_code(f.call("admin.login", json!([null, "u"])), Code::AuthLocked, true);
    f.call("admin.unlockUser", json!([null, id])).unwrap();
    f.call("admin.setPassword", json!([null, id, PW, { "mustChange": true }])).unwrap();
    assert_code(f.call("admin.login", json!([null, "u"])), Code::PasswordMustSendNew, true);
    assert_code(f.call("admin.login", json!([null, "nobody"])), Code::InvalidOperation, true);
    assert_code(f.call("admin.login", json!([null, "u", { "password": "x" }])), Code::InvalidInput, false);
}

#[test]
fn set_password_applies_the_policy_and_ends_sessions() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    assert_code(f.call("admin.setPassword", json!([null, id, "abc"])), Code::PasswordTooShort, true);
    assert!(f.get_current(&ust).is_ok(), "a refused password changes nothing");
    f.call("admin.setPassword", json!([null, id, "another passphrase", { "expiryDays": 10 }])).unwrap();
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    assert!(f.login("u", "another passphrase").is_ok());
    let expiry = edge_sso::time::parse_zato(f.record(&id).unwrap()["password_expiry"].as_str().unwrap()).unwrap();
    assert_eq!((expiry.and_utc().timestamp_millis() - T0) / 86_400_000, 10);
    // Spec §10 O-46: the expiry is a number of days, checked.
    assert_code(f.call("admin.setPassword", json!([null, id, "another passphrase", { "expiryDays": "10" }])), Code::InvalidInput, false);
    assert_code(f.call("admin.setPassword", json!([null, id, "another passphrase", { "expiryDays": 0 }])), Code::InvalidInput, false);
    assert_code(f.call("admin.setPassword", json!([null, "zusr-nobody", "another passphrase"])), Code::InvalidOperation, true);
}

#[test]
fn reset_totp_key_generates_or_checks_the_key() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    let key = f.call("admin.resetTotpKey", json!([null, id])).unwrap();
    let key = key.as_str().unwrap();
    assert!(key.len() >= 16 && key.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
    f.call("user.updateUserById", json!([null, id, { "is_totp_enabled": true }, admin, APP, ADDR])).unwrap();
    let opts = edge_sso::LoginOptions { totp_code: Some(totp_now(&f, key)), ..Default::default() };
    assert!(f.login_with("u", PW, opts).is_ok());
    assert_eq!(f.call("admin.resetTotpKey", json!([null, id, { "key": TOTP_KEY, "keyLabel": "phone" }])).unwrap(), json!(TOTP_KEY));
    assert_code(f.call("admin.resetTotpKey", json!([null, id, { "key": "not base32!" }])), Code::InvalidInput, false);
    assert_code(f.call("admin.resetTotpKey", json!([null, "zusr-nobody"])), Code::InvalidOperation, true);
}

#[test]
fn trusted_calls_are_audited_as_trusted_and_without_secrets() {
    let f = Fixture::new(json!({}));
    let id = admin_create(&f, json!({ "username": "u", "password": PW }), false).unwrap();
    f.call("admin.setPassword", json!([null, id, "secret passphrase 2"])).unwrap();
    let key = f.call("admin.resetTotpKey", json!([null, id])).unwrap();
    let events = f.sso.audit_sink().events.borrow();
    let text = format!("{:?}", *events);
    assert!(!text.contains(PW) && !text.contains("secret passphrase 2") && !text.contains(key.as_str().unwrap()));
    let reset = events.iter().find(|e| e.op == "user.reset_totp_key").unwrap();
    assert_eq!(reset.extra["trusted"], json!(true));
    assert_eq!(reset.extra["current_app"], json!("zato-cli"));
}

fn zato_row(user_id: &str, username: &str) -> Value {
    json!({
        "id": 7, "user_id": user_id, "username": username, "password": ZATO_HASH, "email": "Zed@Example.com",
        "display_name": "Zed Zato", "first_name": "Zed", "middle_name": null, "last_name": "Zato",
        "is_active": 1, "is_internal": 0, "is_super_user": 0, "is_locked": 0, "locked_time": null, "locked_by": null,
        "creation_ctx": "{\"source\": \"zato\"}", "approval_status": "approved", "approval_status_mod_time": "2020-01-02 03:04:05.123456",
        "approval_status_mod_by": "auto", "approv_rej_time": "2020-01-02T03:04:05", "approv_rej_by": "auto",
        "password_expiry": "2099-01-01T00:00:00", "password_is_set": true, "password_must_change": false,
        "password_last_set": "2020-01-02T03:04:05", "sign_up_status": "final", "sign_up_time": "2020-01-02T03:04:05",
        "sign_up_confirm_token": "zato-token", "is_totp_enabled": false, "totp_key": TOTP_KEY, "totp_label": "Zed's phone",
        "is_rate_limit_active": false, "rate_limit_type": null, "rate_limit_def": null, "rate_limit_check_parent_def": false,
        "attributes": [
            { "name": "plan", "value": { "tier": "gold" }, "is_encrypted": false, "expiration_time": null, "creation_time": "2020-01-02T03:04:05" },
            { "name": "pin", "value": "pin-7391-secret", "is_encrypted": 1, "expiration_time": "9999-12-31T00:00:00" }
        ],
    })
}

#[test]
fn an_imported_zato_user_logs_in_with_the_old_password_which_is_upgraded() {
    let f = Fixture::new(json!({}));
    let r = f.call("admin.importUser", json!([null, zato_row("zusr-zed", "zed")])).unwrap();
    assert_eq!(r, json!({ "user_id": "zusr-zed", "result": "imported" }));
    let rec = f.record("zusr-zed").unwrap();
    let stored = serde_json::to_string(&rec).unwrap();
    // Sealed with our key: neither the hash, the email, the TOTP key nor its label in clear.
    for secret in ["pbkdf2", "Zed@Example.com", TOTP_KEY, "Zed's phone"] {
        assert!(!stored.contains(secret), "{secret} is stored in clear");
    }
    assert_eq!(rec["approval_status_mod_time"], json!("2020-01-02T03:04:05.123456"));
    let ust = f.login("zed", "password").expect("the Zato password verifies").ust;
    let me = f.get_current(&ust).unwrap();
    assert_eq!(me["email"], json!("Zed@Example.com"));
    assert_eq!(me["totp_label"], json!("Zed's phone"));
    assert_eq!(me["totp_key"], json!(TOTP_KEY));
    // Upgraded at the first login: the stored hash is Argon2id now, and still verifies.
    let sealed = f.record("zusr-zed").unwrap()["password"].as_str().unwrap().to_string();
    let phc = edge_sso::crypto::seal::KeyRing::from_raw(vec![[7u8; 32]]).open_string("password", &sealed).unwrap();
    assert!(phc.starts_with("$argon2id$"), "{phc}");
    assert!(f.login("zed", "password").is_ok());
    assert_code(f.login("zed", "wrong"), Code::AuthNotAllowed, false);
    // Attributes: plain and sealed ones, readable as the user's own.
    let plan = f.call("user.attr.get", json!([null, "plan", ust, APP, ADDR])).unwrap();
    assert_eq!(plan["value"], json!({ "tier": "gold" }));
    let pin = f.call("user.attr.get", json!([null, "pin", ust, APP, ADDR, { "decrypt": true }])).unwrap();
    assert_eq!(pin["value"], json!("pin-7391-secret"));
    assert!(!serde_json::to_string(&f.sso.store().dump()).unwrap().contains("pin-7391-secret"));
}

#[test]
fn an_imported_totp_user_needs_a_code_from_the_original_key() {
    let f = Fixture::new(json!({}));
    let mut row = zato_row("zusr-t", "totp-user");
    row["is_totp_enabled"] = json!(true);
    f.call("admin.importUser", json!([null, row])).unwrap();
    assert_code(f.login("totp-user", "password"), Code::AuthTotpMissing, true);
    let opts = edge_sso::LoginOptions { totp_code: Some(totp_now(&f, TOTP_KEY)), ..Default::default() };
    assert!(f.login_with("totp-user", "password", opts).is_ok());
}

#[test]
fn import_is_idempotent_and_never_duplicates() {
    let f = Fixture::new(json!({}));
    let row = zato_row("zusr-zed", "zed");
    assert_eq!(f.call("admin.importUser", json!([null, row.clone()])).unwrap()["result"], json!("imported"));
    assert_eq!(f.call("admin.importUser", json!([null, row.clone()])).unwrap()["result"], json!("skipped"));
    let before = f.sso.store().dump().len();
    let mut changed = row.clone();
    changed["display_name"] = json!("Zed Renamed");
    changed["username"] = json!("zed2");
    assert_eq!(f.call("admin.importUser", json!([null, changed, { "update": true }])).unwrap()["result"], json!("updated"));
    assert_eq!(f.sso.store().dump().len(), before, "an update adds no key");
    assert_eq!(f.record("zusr-zed").unwrap()["display_name"], json!("Zed Renamed"));
    assert!(f.login("zed2", "password").is_ok());
    assert_code(f.login("zed", "password"), Code::AuthNotAllowed, false);
    // Another id with a taken name: refused, nothing written.
    assert_code(f.call("admin.importUser", json!([null, zato_row("zusr-other", "ZED2")])), Code::UsernameExists, true);
    assert!(f.record("zusr-other").is_none());
}

#[test]
fn import_refuses_rows_it_cannot_carry_over_faithfully() {
    let f = Fixture::new(json!({}));
    let with = |k: &str, v: Value| {
        let mut row = zato_row("zusr-bad", "bad");
        row[k] = v;
        f.call("admin.importUser", json!([null, row]))
    };
    assert_code(with("favourite_colour", json!("blue")), Code::InvalidInput, false);
    assert_code(with("password", json!("$1$md5crypt$xyz")), Code::InvalidInput, false);
    assert_code(with("totp_key", json!("not base32!")), Code::InvalidInput, false);
    assert_code(with("approval_status", json!("maybe")), Code::InvalidInput, false);
    assert_code(with("password_expiry", json!("yesterday")), Code::InvalidInput, false);
    assert_code(with("is_locked", json!("yes")), Code::InvalidInput, false);
    assert_code(with("user_id", json!("../escape")), Code::InvalidInput, false);
    assert_code(with("username", json!("two words")), Code::UsernameHasWhitespace, true);
    assert_code(with("attributes", json!([{ "name": "" }])), Code::InvalidInput, false);
    assert_code(with("linked_auth", json!([{ "auth_type": "zato.ldap", "auth_id": "1" }])), Code::InvalidInput, false);
    assert!(f.sso.store().dump().iter().all(|(k, _)| !k.contains("zusr-bad")), "a refused row writes nothing");
}

#[test]
fn an_import_update_never_overwrites_a_user_that_was_not_imported() {
    let f = Fixture::new(json!({}));
    let native = admin_create(&f, json!({ "username": "native", "password": PW }), true).unwrap();
    let mut row = zato_row(&native, "native");
    row["is_super_user"] = json!(true);
    assert_code(f.call("admin.importUser", json!([null, row.clone(), { "update": true }])), Code::InvalidOperation, true);
    assert!(f.login("native", PW).is_ok(), "the native account is untouched");
    assert_code(f.login("native", "password"), Code::AuthNotAllowed, false);
    // Without update, an existing id is skipped, imported or not.
    assert_eq!(f.call("admin.importUser", json!([null, row])).unwrap()["result"], json!("skipped"));
}

#[test]
fn an_import_refuses_a_trivially_weak_pbkdf2_hash() {
    let f = Fixture::new(json!({}));
    let mut row = zato_row("zusr-weak", "weak");
    row["password"] = json!("$pbkdf2-sha512$1$c2FsdA$aGFzaA");
    assert_code(f.call("admin.importUser", json!([null, row])), Code::InvalidInput, false);
    assert!(f.record("zusr-weak").is_none());
}
