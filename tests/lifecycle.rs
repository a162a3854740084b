#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! The user lifecycle (spec §3.5–§3.8, §3.10–§3.12, §3.15): update, approve/reject, lock,
//! delete with cascade, passwords, TOTP.

mod common;
use common::*;
use edge_sso::Code;
use serde_json::{json, Value};

const PW: &str = "user passphrase 1";

#[test]
fn update_current_user_changes_the_self_fields() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    f.call("user.updateCurrentUser", json!([null, { "display_name": "New Name", "first_name": "Jan", "email": "jan@example.com", "totp_label": "phone", "is_totp_enabled": false }, ust, APP, ADDR])).unwrap();
    let me = f.get_current(&ust).unwrap();
    assert_eq!(me["display_name"], json!("New Name"));
    assert_eq!(me["first_name"], json!("Jan"));
    assert_eq!(me["email"], json!("jan@example.com"));
    assert_eq!(me["totp_label"], json!("phone"));
    // Spec §10 O-40: the label is sealed at rest after an update too.
    assert!(!serde_json::to_string(&f.record(&id).unwrap()).unwrap().contains("phone"));
    // Spec §10 O-7: nulling a name nulls its search copy.
    f.call("user.updateCurrentUser", json!([null, { "first_name": null }, ust, APP, ADDR])).unwrap();
    assert_eq!(f.record(&id).unwrap()["first_name_fold"], Value::Null);
}

#[test]
fn update_checks_run_in_spec_order() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    let (other, _) = f.regular(&admin, "v", PW);
    let upd = |data: Value, ust: &str| f.call("user.updateCurrentUser", json!([null, data, ust, APP, ADDR]));
    let upd_id = |id: &str, data: Value, ust: &str| f.call("user.updateUserById", json!([null, id, data, ust, APP, ADDR]));
    assert_code(upd_id("", json!({ "display_name": "x" }), &admin), Code::InvalidInput, false);
    assert_code(upd(json!({}), "garbage"), Code::MissingInput, false);
    assert_code(upd(json!({ "nope": 1 }), "garbage"), Code::InvalidInput, false);
    assert_code(upd(json!({ "display_name": "x" }), "garbage"), Code::SessionNoSuchSession, false);
    assert_code(upd_id(&other, json!({ "display_name": "x" }), &ust), Code::InvalidInput, false);
    assert_code(upd(json!({ "is_locked": true }), &ust), Code::InvalidInput, false);
    assert_code(upd(json!({ "approval_status": "approved" }), &ust), Code::InvalidInput, false);
    assert_code(upd(json!({ "username": "v" }), &ust), Code::UsernameExists, false);
    // A taken name is refused before a later field's wrong type; an ill-formed one is not
    // looked up at all.
    assert_code(upd(json!({ "username": "v", "display_name": 5 }), &ust), Code::UsernameExists, false);
    assert_code(upd(json!({ "username": "v v", "display_name": 5 }), &ust), Code::UsernameHasWhitespace, true);
    // Who may change a field is decided before its value is looked at.
    assert_eq!(upd(json!({ "display_name": 5, "is_locked": "x" }), &ust).unwrap_err().detail, "only super-users may update is_locked");
    assert_code(upd(json!({ "sign_up_status": 5 }), &admin), Code::InvalidOperation, true);
    assert_code(upd(json!({ "username": "" }), &ust), Code::UsernameInvalid, true);
    assert_code(upd(json!({ "username": null }), &ust), Code::InvalidInput, false);
    assert_code(upd(json!({ "username": "has space" }), &ust), Code::UsernameHasWhitespace, true);
    assert_code(upd_id(&id, json!({ "sign_up_status": "odd" }), &admin), Code::InvalidInput, false);
    assert_code(upd_id(&id, json!({ "is_locked": "yes" }), &admin), Code::InvalidInput, false);
    assert_code(upd_id(&id, json!({ "password_expiry": "tomorrow" }), &admin), Code::InvalidInput, false);
    assert_code(upd_id(&id, json!({ "password_must_change": null }), &admin), Code::InvalidInput, false);
    assert_code(upd_id(&id, json!({ "approval_status": "maybe" }), &admin), Code::InvalidInput, false);
    assert_code(upd(json!({ "is_totp_enabled": "on" }), &ust), Code::InvalidInput, false);
    // A regular user may address themselves by id (spec §10 O-38).
    upd_id(&id, json!({ "display_name": "Me" }), &ust).unwrap();
    // Updating a user that does not exist changes nothing.
    upd_id("zusrnobody", json!({ "display_name": "x" }), &admin).unwrap();
}

#[test]
fn super_user_updates_every_field_and_renames() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    f.call(
        "user.updateUserById",
        json!([null, id, {
        "username": "renamed", "is_locked": true, "password_expiry": "2345-12-27T11:22:33", "password_must_change": true,
        "sign_up_status": "final", "approval_status": "rejected", "is_rate_limit_active": true, "rate_limit_def": "*=1/d"
    }, admin, APP, ADDR]),
    )
    .unwrap();
    let u = f.get_by_id(&id, &admin).unwrap();
    assert_eq!(u["username"], json!("renamed"));
    assert_eq!(u["is_locked"], json!(true));
    assert_eq!(u["password_expiry"], json!("2345-12-27T11:22:33"));
    assert_eq!(u["approval_status"], json!("rejected"));
    assert_eq!(u["approv_rej_time"], json!("2024-01-01T00:00:00"));
    assert!(u["locked_by"].as_str().unwrap().starts_with("zusr"), "spec §10 O-50");
    let rec = f.record(&id).unwrap();
    assert_eq!(rec["rate_limit_def"], json!("*=1/d"));
    // The old name is free, the new one taken.
    f.regular(&admin, "u", PW);
    assert_code(f.create(&admin, json!({ "username": "renamed" })), Code::UsernameExists, false);
}

#[test]
fn approve_reject_record_when_and_who() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let d = f.create(&admin, json!({ "username": "p", "password": PW })).unwrap();
    let id = d["user_id"].as_str().unwrap();
    assert_code(f.login("p", PW), Code::AuthNotAllowed, false);
    f.advance_secs(10);
    f.call("user.approveUser", json!([null, id, admin, APP, ADDR])).unwrap();
    let u = f.get_by_id(id, &admin).unwrap();
    assert_eq!(u["approval_status"], json!("approved"));
    assert_eq!(u["approv_rej_time"], json!("2024-01-01T00:00:10"));
    assert_eq!(u["approv_rej_by"], f.get_current(&admin).unwrap()["user_id"]);
    let ust = f.login("p", PW).unwrap().ust;
    // Spec §10 O-37, decided: a regular user gets E005001.
    assert_code(f.call("user.rejectUser", json!([null, id, ust, APP, ADDR])), Code::AuthNotAllowed, true);
    f.call("user.rejectUser", json!([null, id, admin, APP, ADDR])).unwrap();
    assert_eq!(f.get_by_id(id, &admin).unwrap()["approval_status"], json!("rejected"));
    // A rejected user's session is gone (no such session: owner not approved).
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    assert!(f.audit_ops().contains(&"user.approve_user") && f.audit_ops().contains(&"user.reject_user"));
}

#[test]
fn lock_and_unlock() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    assert_code(f.call("user.lockUser", json!([null, id, ust, APP, ADDR])), Code::AuthNotAllowed, true);
    f.call("user.lockUser", json!([null, id, admin, APP, ADDR])).unwrap();
    // Locking ends the user's sessions (so that unlocking cannot revive them).
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    assert_code(f.login("u", PW), Code::AuthLocked, true);
    let u = f.get_by_id(&id, &admin).unwrap();
    assert_eq!(u["is_locked"], json!(true));
    assert_eq!(u["locked_time"], json!("2024-01-01T00:00:00"));
    f.call("user.unlockUser", json!([null, id, admin, APP, ADDR])).unwrap();
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    f.login("u", PW).unwrap();
    assert_eq!(f.get_by_id(&id, &admin).unwrap()["is_locked"], json!(false));
    // Spec §10 O-36: distinct audit ops, with the target.
    let events = f.sso.audit_sink().events.borrow();
    let unlock = events.iter().find(|e| e.op == "user.unlock_user").unwrap();
    assert_eq!(unlock.target_user.as_deref(), Some(id.as_str()));
    drop(events);
    f.call("user.lockUser", json!([null, "zusrnobody", admin, APP, ADDR])).unwrap();
}

#[test]
fn delete_cascades_and_checks_in_order() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "gone", PW);
    f.call("user.attr.create", json!([null, "colour", "blue", ust, APP, ADDR])).unwrap();
    f.call("user.session.attr.create", json!([null, "cart", [1, 2], ust, admin, APP, ADDR])).unwrap();
    f.call("user.updateCurrentUser", json!([null, { "email": "gone@example.com" }, ust, APP, ADDR])).unwrap();
    f.call("passwordReset.createToken", json!([null, "gone", APP, ADDR])).unwrap();
    assert_code(f.call("user.deleteUserById", json!([null, id, ust, APP, ADDR])), Code::AuthNotAllowed, false);
    assert_code(f.call("user.deleteUserById", json!([null, "zusrnobody", admin, APP, ADDR])), Code::InvalidOperation, false);
    let admin_id = f.get_current(&admin).unwrap()["user_id"].as_str().unwrap().to_string();
    assert_code(f.call("user.deleteUserById", json!([null, admin_id, admin, APP, ADDR])), Code::InvalidOperation, false);
    f.call("user.deleteUserById", json!([null, id, admin, APP, ADDR])).unwrap();
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    assert_code(f.get_by_id(&id, &admin), Code::AuthNotAllowed, true);
    let left: Vec<String> = f.sso.store().dump().into_iter().filter(|(k, v)| k.contains(&id) || v.contains(&id)).map(|(k, _)| k).collect();
    assert!(left.is_empty(), "records of the deleted user remain: {left:?}");
    let search = f.call("user.search", json!([null, { "user_id": id }, admin, APP, ADDR])).unwrap();
    assert_eq!(search["total"], json!(0));
    // The name is free again; delete by username works too.
    f.regular(&admin, "gone", PW);
    f.call("user.deleteUserByUsername", json!([null, "gone", admin, APP, ADDR])).unwrap();
    assert_code(f.call("user.deleteUserByUsername", json!([null, "gone", admin, APP, ADDR])), Code::InvalidOperation, false);
}

#[test]
fn change_password_self_and_by_super_user() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    let other_session = f.login("u", PW).unwrap().ust;
    let change = |data: Value, ust: &str| f.call("user.changePassword", json!([null, data, ust, APP, ADDR]));
    assert_code(change(json!({}), &ust), Code::MissingInput, false);
    assert_code(change(json!({ "x": 1 }), &ust), Code::InvalidInput, false);
    assert_code(change(json!({ "old_password": PW, "new_password": "next passphrase", "user_id": "zusrother" }), &ust), Code::InvalidInput, false);
    assert_code(change(json!({ "old_password": "wrong", "new_password": "next passphrase" }), &ust), Code::AuthNotAllowed, true);
    // Spec §10 O-13, decided: the policy's code, not E005001.
    assert_code(change(json!({ "old_password": PW, "new_password": "short" }), &ust), Code::PasswordTooShort, true);
    // Spec §10 O-12: must_change is for super-users.
    assert_code(change(json!({ "old_password": PW, "new_password": "next passphrase", "must_change": true }), &ust), Code::InvalidInput, false);
    change(json!({ "old_password": PW, "new_password": "next passphrase", "user_id": id }), &ust).unwrap();
    assert_code(f.login("u", PW), Code::AuthNotAllowed, false);
    // The caller's session stays, the user's other sessions end.
    f.get_current(&ust).unwrap();
    assert_code(f.get_current(&other_session), Code::SessionNoSuchSession, false);
    // A super-user sets it without the old one; expiry in days; must_change honoured.
    change(json!({ "user_id": id, "new_password": "third passphrase", "password_expiry": 1, "must_change": true }), &admin).unwrap();
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    assert_code(f.login("u", "third passphrase"), Code::PasswordMustSendNew, true);
    let u = f.get_by_id(&id, &admin).unwrap();
    assert_eq!(u["password_expiry"], json!("2024-01-02T00:00:00"));
    // Spec §3.11 `password_expiry or password.expiry`: 0 days, like a negative number (§8.2),
    // is the configured default (730 days), not a password expired on the spot.
    for days in [0, -1] {
        change(json!({ "user_id": id, "new_password": "fourth passphrase", "password_expiry": days }), &admin).unwrap();
        assert_eq!(f.get_by_id(&id, &admin).unwrap()["password_expiry"], json!("2025-12-31T00:00:00"));
    }
    // Millions of days: the expiry stops at the last instant the record format can hold, and
    // the user stays readable and can log in (a five-digit year would corrupt the record).
    change(json!({ "user_id": id, "new_password": "fifth passphrase", "password_expiry": 3_000_000 }), &admin).unwrap();
    assert_eq!(f.get_by_id(&id, &admin).unwrap()["password_expiry"], json!("9999-12-31T23:59:59.999999"));
    assert_code(f.login("u", "fifth passphrase"), Code::PasswordMustSendNew, true);
}

#[test]
fn password_about_to_expire_after_a_short_expiry_warns() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    f.call("user.changePassword", json!([null, { "user_id": id, "new_password": "next passphrase", "password_expiry": 1 }, admin, APP, ADDR]))
        .unwrap();
    assert!(f.login("u", "next passphrase").unwrap().has_w_about_to_exp);
}

#[test]
fn set_password_is_trusted_and_ends_sessions() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    assert_code(f.call("user.setPassword", json!([null, id, "short", APP, ADDR])), Code::PasswordTooShort, true);
    f.call("user.setPassword", json!([null, id, "set passphrase", APP, ADDR, { "mustChange": true, "passwordExpiry": 10 }])).unwrap();
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    assert_code(f.login("u", "set passphrase"), Code::PasswordMustSendNew, true);
    assert_eq!(f.get_by_id(&id, &admin).unwrap()["password_expiry"], json!("2024-01-11T00:00:00"));
    f.call("user.setPassword", json!([null, id, "set passphrase", APP, ADDR, { "passwordExpiry": 0 }])).unwrap();
    assert_eq!(f.get_by_id(&id, &admin).unwrap()["password_expiry"], json!("2025-12-31T00:00:00"));
}

#[test]
fn reset_totp_key_and_validate_code() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    let key = f.call("user.resetTotpKey", json!([null, ust, APP, ADDR])).unwrap();
    let key = key.as_str().unwrap().to_string();
    assert_eq!(key.len(), 32);
    assert_eq!(f.get_current(&ust).unwrap()["totp_key"], json!(key));
    assert_eq!(f.get_current(&ust).unwrap()["is_totp_enabled"], json!(false), "not switched on by a reset");
    assert_code(f.call("user.resetTotpKey", json!([null, ust, APP, ADDR, { "userId": "zusrother" }])), Code::InvalidInput, false);
    // Spec §3.12: a regular user may not name a user_id at all, not even their own.
    assert_code(f.call("user.resetTotpKey", json!([null, ust, APP, ADDR, { "userId": id }])), Code::InvalidInput, false);
    // The session is resolved before the key is looked at.
    assert_code(f.call("user.resetTotpKey", json!([null, "forged", APP, ADDR, { "key": "not base32!" }])), Code::SessionNoSuchSession, false);
    assert_code(f.call("user.resetTotpKey", json!([null, admin, APP, ADDR, { "userId": "zusrnobody" }])), Code::AuthNotAllowed, true);
    assert_code(f.call("user.resetTotpKey", json!([null, ust, APP, ADDR, { "key": "not base32!" }])), Code::InvalidInput, false);
    let given =
        f.call("user.resetTotpKey", json!([null, admin, APP, ADDR, { "userId": id, "key": "JBSWY3DPEHPK3PXP", "keyLabel": "work phone" }])).unwrap();
    assert_eq!(given, json!("JBSWY3DPEHPK3PXP"));
    assert_eq!(f.get_current(&ust).unwrap()["totp_label"], json!("work phone"));
    let code = totp_now(&f, "JBSWY3DPEHPK3PXP");
    assert_eq!(f.call("totp.validateCode", json!([null, code, APP, ADDR, { "username": "u" }])).unwrap(), json!(true));
    // RFC 6238 §5.2: a code accepted once is not accepted again in its step.
    assert_code(f.call("totp.validateCode", json!([null, code, APP, ADDR, { "ust": ust }])), Code::AuthNotAllowed, false);
    f.advance_secs(30);
    let next = totp_now(&f, "JBSWY3DPEHPK3PXP");
    assert_eq!(f.call("totp.validateCode", json!([null, next, APP, ADDR, { "ust": ust }])).unwrap(), json!(true));
    let code = next;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_code(f.call("totp.validateCode", json!([null, wrong, APP, ADDR, { "username": "u" }])), Code::AuthNotAllowed, false);
    assert_code(f.call("totp.validateCode", json!([null, "", APP, ADDR, { "username": "u" }])), Code::AuthTotpMissing, true);
    assert_code(f.call("totp.validateCode", json!([null, code, APP, ADDR, { "username": "nobody" }])), Code::AuthNotAllowed, false);
    assert_code(f.call("totp.validateCode", json!([null, code, APP, ADDR, { "username": "u", "ust": ust }])), Code::InvalidInput, false);
    assert_code(f.call("totp.validateCode", json!([null, code, APP, ADDR])), Code::InvalidInput, false);
    // Spec §3.15: the empty-code check runs before the one-of-ust-and-username check.
    assert_code(f.call("totp.validateCode", json!([null, "", APP, ADDR])), Code::AuthTotpMissing, true);
    assert_code(f.call("totp.validateCode", json!([null, "", APP, ADDR, { "username": "u", "ust": ust }])), Code::AuthTotpMissing, true);
    let uri = f.call("totp.provisioningUri", json!(["JBSWY3DPEHPK3PXP", "u", { "issuer": "ACME" }])).unwrap();
    assert_eq!(uri, json!("otpauth://totp/ACME:u?secret=JBSWY3DPEHPK3PXP&issuer=ACME&algorithm=SHA1&digits=6&period=30"));
    let audit = serde_json::to_string(&f.sso.audit_sink().events.borrow().iter().map(|e| e.to_json()).collect::<Vec<_>>()).unwrap();
    assert!(!audit.contains("JBSWY3DPEHPK3PXP") && !audit.contains(&key) && !audit.contains(&code));
}

#[test]
fn totp_enabled_after_reset_requires_the_new_key() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (_, ust) = f.regular(&admin, "u", PW);
    let key = f.call("user.resetTotpKey", json!([null, ust, APP, ADDR])).unwrap().as_str().unwrap().to_string();
    f.call("user.updateCurrentUser", json!([null, { "is_totp_enabled": true }, ust, APP, ADDR])).unwrap();
    assert_code(f.login("u", PW), Code::AuthTotpMissing, true);
    f.login_with("u", PW, edge_sso::LoginOptions { totp_code: Some(totp_now(&f, &key)), ..Default::default() }).unwrap();
}
