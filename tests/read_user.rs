#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Spec §3.4 with the seed `User.get` field visibility (docs/behaviour.md §2.2).

mod common;
use common::*;
use edge_sso::user::record::{BASIC_FIELDS, SUPER_USER_FIELDS};
use edge_sso::Code;
use serde_json::{json, Value};

fn keys_of(m: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut k: Vec<String> = m.keys().cloned().collect();
    k.sort();
    k
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

#[test]
fn a_regular_user_sees_the_basic_fields_of_themselves_only() {
    let f = Fixture::new(json!({ "signup": { "is_approval_needed": false } }));
    let admin = f.admin_ust();
    f.create(
        &admin,
        json!({ "username": "r", "password": "regular passphrase", "email": "r@example.com", "first_name": "R",
        "totp_key": "JBSWY3DPEHPK3PXP", "totp_label": "phone" }),
    )
    .unwrap();
    let ust = f.login("r", "regular passphrase").unwrap().ust;
    let me = f.get_current(&ust).unwrap();
    assert_eq!(keys_of(&me), sorted(&BASIC_FIELDS));
    assert_eq!(me["email"], json!("r@example.com"), "opened");
    assert_eq!(me["totp_key"], json!("JBSWY3DPEHPK3PXP"), "their own key, opened");
    assert_eq!(me["totp_label"], json!("phone"));
    assert_eq!(me["middle_name"], Value::Null, "visible unset fields are null");
    assert_eq!(me["display_name"], json!("R"));
    // getUserById is for super-users: E005001, revealed.
    let id = me["user_id"].as_str().unwrap().to_string();
    assert_code(f.get_by_id(&id, &ust), Code::AuthNotAllowed, true);
}

#[test]
fn a_super_user_sees_everything_but_secrets() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let d = f
        .create(
            &admin,
            json!({ "username": "t", "password": "target passphrase", "is_locked": true, "is_totp_enabled": true,
        "sign_up_status": "before_confirmation", "password_must_change": true, "email": "t@example.com" }),
        )
        .unwrap();
    let id = d["user_id"].as_str().unwrap();
    let other = f.get_by_id(id, &admin).unwrap();
    let mut expected: Vec<&str> = BASIC_FIELDS.iter().copied().filter(|k| *k != "totp_key").collect();
    expected.extend(SUPER_USER_FIELDS);
    // Not in Zato: administrators reading a user by id also see when they last logged in.
    expected.push("last_login_time");
    assert_eq!(keys_of(&other), sorted(&expected), "no totp_key of another user (spec §10 O-6)");
    assert_eq!(other["last_login_time"], Value::Null, "never logged in");
    assert_eq!(other["is_locked"], json!(true));
    assert_eq!(other["is_totp_enabled"], json!(true));
    assert_eq!(other["sign_up_status"], json!("before_confirmation"));
    assert_eq!(other["password_must_change"], json!(true));
    assert_eq!(other["approval_status"], json!("before_decision"), "unapproved users are found too");
    assert_eq!(other["is_approval_needed"], json!(true));
    assert_eq!(other["approv_rej_time"], Value::Null);
    assert_eq!(other["approv_rej_by"], Value::Null);
    assert_eq!(other["locked_time"], Value::Null);
    assert_eq!(other["creation_ctx"], json!("null"));
    assert_eq!(other["totp_label"], json!(""), "the sentinel label reads as empty");
    let me = f.get_current(&admin).unwrap();
    let mut expected: Vec<&str> = BASIC_FIELDS.to_vec();
    expected.extend(SUPER_USER_FIELDS);
    assert_eq!(keys_of(&me), sorted(&expected));
    for view in [&other, &me] {
        let text = serde_json::to_string(view).unwrap();
        assert!(!text.contains("password\":\"") && !text.contains("argon2") && !text.contains("confirm_token"), "{text}");
    }
}

#[test]
fn get_user_by_id_check_order() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    // Bad session first, whatever the id.
    assert_code(f.get_by_id("zusrnobody", "bad"), Code::SessionNoSuchSession, false);
    // Unknown id: E005001 revealed.
    assert_code(f.get_by_id("zusrnobody", &admin), Code::AuthNotAllowed, true);
    assert_code(f.get_by_id("", &admin), Code::AuthNotAllowed, true);
    assert_code(f.get_by_id(&"x".repeat(100_000), &admin), Code::AuthNotAllowed, true);
    assert_eq!(f.audit_ops().iter().filter(|o| **o == "user.get_user_by_id").count(), 4, "audited before validation");
}

#[test]
fn reads_reflect_the_store_and_not_a_cache() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let d = f.create(&admin, json!({ "username": "c", "display_name": "Before" })).unwrap();
    let id = d["user_id"].as_str().unwrap();
    let (k, v) = f.sso.store().dump().into_iter().find(|(_, v)| v.contains("\"username\":\"c\"")).unwrap();
    f.sso.store().raw_put(&k, &v.replace("\"display_name\":\"Before\"", "\"display_name\":\"After\""));
    assert_eq!(f.get_by_id(id, &admin).unwrap()["display_name"], json!("After"));
    // A corrupt record is an internal error, not a crash and not a user.
    f.sso.store().raw_put(&k, "{not json");
    assert_code(f.get_by_id(id, &admin), Code::InternalError, false);
}

#[test]
fn administrators_see_each_users_last_successful_login_by_id_and_in_search() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "walt", "walt passphrase 1");
    let first = f.get_by_id(&id, &admin).unwrap()["last_login_time"].clone();
    assert!(first.is_string(), "regular() logged walt in: {first}");
    f.advance_secs(600);
    // A refused login changes nothing.
    assert!(f.login("walt", "a wrong passphrase").is_err());
    assert_eq!(f.get_by_id(&id, &admin).unwrap()["last_login_time"], first);
    f.advance_secs(60);
    f.login("walt", "walt passphrase 1").unwrap();
    let second = f.get_by_id(&id, &admin).unwrap()["last_login_time"].clone();
    assert_ne!(second, first);
    assert!(second.as_str().unwrap() > first.as_str().unwrap(), "{second} after {first}");
    // Search rows carry it too (exact name, and a listing of everyone).
    let by_name = f.call("user.search", json!([null, { "username": "walt" }, admin, APP, ADDR])).unwrap();
    assert_eq!(by_name["result"][0]["last_login_time"], second);
    let everyone = f.call("user.search", json!([null, {}, admin, APP, ADDR])).unwrap();
    let rows = everyone["result"].as_array().unwrap();
    assert!(rows.iter().all(|r| r.get("last_login_time").is_some()), "{everyone}");
    // A deleted user leaves no record of it.
    f.call("user.deleteUserById", json!([null, id, admin, APP, ADDR])).unwrap();
    let login_key = edge_sso::store::keys::user_login(&id);
    assert!(!f.sso.store().dump().iter().any(|(k, _)| *k == login_key), "the deleted user's last login is left");
}
