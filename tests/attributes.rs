#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! User and session attributes (spec §3.17).

mod common;
use common::*;
use edge_sso::Code;
use serde_json::{json, Value};

const PW: &str = "user passphrase 1";

#[test]
fn create_get_exists_names_update_delete() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (_, ust) = f.regular(&admin, "u", PW);
    let call = |op: &str, args: Value| f.call(op, args);
    call("user.attr.create", json!([null, "colour", "blue", ust, APP, ADDR, { "expiration": 900 }])).unwrap();
    assert_code(call("user.attr.create", json!([null, "colour", "red", ust, APP, ADDR])), Code::AttrAlreadyExists, false);
    let e = call("user.attr.get", json!([null, "colour", ust, APP, ADDR])).unwrap();
    assert_eq!(e["name"], json!("colour"));
    assert_eq!(e["value"], json!("blue"));
    assert_eq!(e["is_encrypted"], json!(false));
    assert_eq!(e["creation_time"], json!("2024-01-01T00:00:00"));
    assert_eq!(e["expiration_time"], json!("2024-01-01T00:15:00"));
    assert_eq!(call("user.attr.get", json!([null, "missing", ust, APP, ADDR])).unwrap(), Value::Null);
    assert_eq!(call("user.attr.exists", json!([null, "colour", ust, APP, ADDR])).unwrap(), json!(true));
    assert_eq!(call("user.attr.exists", json!([null, ["colour", "missing"], ust, APP, ADDR])).unwrap(), json!({ "colour": true, "missing": false }));
    let many = call("user.attr.get", json!([null, ["colour", "missing"], ust, APP, ADDR])).unwrap();
    assert_eq!(many["colour"]["value"], json!("blue"));
    assert_eq!(many["missing"], Value::Null);
    // Spec §10 O-29: falsy values are stored; a missing attribute is E009002.
    f.advance_secs(5);
    call("user.attr.update", json!([null, "colour", "", ust, APP, ADDR, { "expiration": 123 }])).unwrap();
    let e = call("user.attr.get", json!([null, "colour", ust, APP, ADDR])).unwrap();
    assert_eq!(e["value"], json!(""));
    assert_eq!(e["last_modified"], json!("2024-01-01T00:00:05"));
    assert_eq!(e["expiration_time"], json!("2024-01-01T00:02:08"));
    assert_code(call("user.attr.update", json!([null, "missing", 1, ust, APP, ADDR])), Code::AttrNoSuchAttr, false);
    call("user.attr.set", json!([null, "size", { "w": 1 }, ust, APP, ADDR])).unwrap();
    call("user.attr.set", json!([null, "size", { "w": 2 }, ust, APP, ADDR])).unwrap();
    assert_eq!(call("user.attr.get", json!([null, "size", ust, APP, ADDR])).unwrap()["value"], json!({ "w": 2 }));
    let mut names: Vec<String> = serde_json::from_value(call("user.attr.names", json!([null, ust, APP, ADDR])).unwrap()).unwrap();
    names.sort();
    assert_eq!(names, vec!["colour", "size"]);
    let dict = call("user.attr.toDict", json!([null, ust, APP, ADDR])).unwrap();
    assert_eq!(dict["size"]["value"], json!({ "w": 2 }));
    call("user.attr.delete", json!([null, "colour", ust, APP, ADDR])).unwrap();
    assert_eq!(call("user.attr.get", json!([null, "colour", ust, APP, ADDR])).unwrap(), Value::Null);
    // Expiry hides an attribute, and an expired one may be created again (spec §10 O-31).
    call("user.attr.setExpiry", json!([null, "size", 10, ust, APP, ADDR])).unwrap();
    f.advance_secs(11);
    assert_eq!(call("user.attr.exists", json!([null, "size", ust, APP, ADDR])).unwrap(), json!(false));
    call("user.attr.create", json!([null, "size", 3, ust, APP, ADDR])).unwrap();
}

#[test]
fn encrypted_values_are_sealed_at_rest() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (_, ust) = f.regular(&admin, "u", PW);
    f.call("user.attr.create", json!([null, "secret", "s3cr3t-value", ust, APP, ADDR, { "encrypt": true }])).unwrap();
    assert!(f.sso.store().dump().iter().all(|(_, v)| !v.contains("s3cr3t-value")));
    let e = f.call("user.attr.get", json!([null, "secret", ust, APP, ADDR])).unwrap();
    assert_eq!(e["value"], json!("s3cr3t-value"));
    assert_eq!(e["is_encrypted"], json!(true));
    let sealed = f.call("user.attr.get", json!([null, "secret", ust, APP, ADDR, { "decrypt": false }])).unwrap();
    assert!(sealed["value"].as_str().unwrap().starts_with("es1."));
    assert_code(f.call("user.attr.create", json!([null, "n", 5, ust, APP, ADDR, { "encrypt": true }])), Code::InvalidInput, false);
    // Updating with encrypt off stores the value in clear and says so.
    f.call("user.attr.update", json!([null, "secret", "plain", ust, APP, ADDR])).unwrap();
    let e = f.call("user.attr.get", json!([null, "secret", ust, APP, ADDR])).unwrap();
    assert_eq!((e["value"].clone(), e["is_encrypted"].clone()), (json!("plain"), json!(false)));
}

#[test]
fn many_variants_are_all_or_nothing() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (uid, ust) = f.regular(&admin, "u", PW);
    f.call("user.attr.createMany", json!([null, [{ "name": "a", "value": 1 }, { "name": "b", "value": 2 }], ust, APP, ADDR])).unwrap();
    assert_code(
        f.call("user.attr.createMany", json!([null, [{ "name": "c", "value": 3 }, { "name": "a", "value": 1 }], ust, APP, ADDR])),
        Code::AttrAlreadyExists,
        false,
    );
    assert_eq!(f.call("user.attr.exists", json!([null, "c", ust, APP, ADDR])).unwrap(), json!(false), "nothing of a refused batch is written");
    // A super-user writes for another user, per item.
    f.call("user.attr.createMany", json!([null, [{ "name": "x", "value": 1, "user_id": uid }], admin, APP, ADDR])).unwrap();
    assert_eq!(f.call("user.attr.exists", json!([null, "x", ust, APP, ADDR])).unwrap(), json!(true));
    f.call("user.attr.updateMany", json!([null, [{ "name": "a", "value": 10 }, { "name": "b", "value": 20 }], ust, APP, ADDR])).unwrap();
    assert_eq!(f.call("user.attr.get", json!([null, ["a", "b"], ust, APP, ADDR])).unwrap()["b"]["value"], json!(20));
    f.call("user.attr.setExpiryMany", json!([null, [{ "name": "a" }, { "name": "b" }], ust, APP, ADDR, { "expiration": 5 }])).unwrap();
    f.advance_secs(6);
    assert_eq!(f.call("user.attr.exists", json!([null, ["a", "b"], ust, APP, ADDR])).unwrap(), json!({ "a": false, "b": false }));
    f.call("user.attr.deleteMany", json!([null, ["x"], ust, APP, ADDR])).unwrap();
    assert_eq!(f.call("user.attr.names", json!([null, ust, APP, ADDR])).unwrap(), json!([]));
}

#[test]
fn only_super_users_touch_other_users_attributes() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (uid, ust) = f.regular(&admin, "u", PW);
    let (vid, vst) = f.regular(&admin, "v", PW);
    f.call("user.attr.create", json!([null, "mine", 1, ust, APP, ADDR])).unwrap();
    assert_code(f.call("user.attr.get", json!([null, "mine", vst, APP, ADDR, { "userId": uid }])), Code::AuthNotAllowed, false);
    assert_code(
        f.call("user.attr.createMany", json!([null, [{ "name": "z", "value": 1, "user_id": uid }], vst, APP, ADDR])),
        Code::AuthNotAllowed,
        false,
    );
    assert_code(f.call("user.attr.set", json!([null, "z", 1, vst, APP, ADDR, { "userId": uid }])), Code::AuthNotAllowed, false);
    // Spec §10 O-30: set honours userId.
    f.call("user.attr.set", json!([null, "z", 1, admin, APP, ADDR, { "userId": vid }])).unwrap();
    assert_eq!(f.call("user.attr.exists", json!([null, "z", vst, APP, ADDR])).unwrap(), json!(true));
    assert_eq!(f.call("user.attr.get", json!([null, "mine", admin, APP, ADDR, { "userId": uid }])).unwrap()["value"], json!(1));
    assert_code(f.call("user.attr.get", json!([null, "mine", admin, APP, ADDR, { "userId": "zusrnobody" }])), Code::AuthNotAllowed, false);
}

#[test]
fn session_attributes_live_and_die_with_their_session() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (_, ust) = f.regular(&admin, "u", PW);
    let (_, other) = f.regular(&admin, "v", PW);
    f.call("user.session.attr.create", json!([null, "cart", [1, 2], ust, ust, APP, ADDR])).unwrap();
    assert_code(f.call("user.session.attr.create", json!([null, "cart", [], ust, ust, APP, ADDR])), Code::AttrAlreadyExists, false);
    assert_eq!(f.call("user.session.attr.get", json!([null, "cart", ust, admin, APP, ADDR])).unwrap()["value"], json!([1, 2]));
    assert_code(f.call("user.session.attr.get", json!([null, "cart", ust, other, APP, ADDR])), Code::AuthNotAllowed, false);
    // User attributes and session attributes are separate namespaces.
    assert_eq!(f.call("user.attr.exists", json!([null, "cart", ust, APP, ADDR])).unwrap(), json!(false));
    f.call("user.session.attr.update", json!([null, "cart", [3], ust, ust, APP, ADDR])).unwrap();
    assert_eq!(f.call("user.session.attr.names", json!([null, ust, ust, APP, ADDR])).unwrap(), json!(["cart"]));
    f.call("user.logout", json!([null, ust, APP, ADDR])).unwrap();
    assert!(f.sso.store().dump().iter().all(|(k, _)| !k.contains("/s/")), "session attributes go with the session");
    assert_code(f.call("user.session.attr.get", json!([null, "cart", ust, admin, APP, ADDR])), Code::SessionNoSuchSession, false);
}

#[test]
fn attribute_input_limits() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    assert_code(f.call("user.attr.create", json!([null, "", 1, admin, APP, ADDR])), Code::InvalidInput, false);
    assert_code(f.call("user.attr.create", json!([null, "n".repeat(1025), 1, admin, APP, ADDR])), Code::InvalidInput, false);
    assert_code(f.call("user.attr.create", json!([null, "__proto__", 1, admin, APP, ADDR])), Code::InvalidInput, false);
    assert_code(
        f.call("user.attr.setMany", json!([null, [{ "name": "ok", "value": 1 }, { "name": "__proto__", "value": 1 }], admin, APP, ADDR])),
        Code::InvalidInput,
        false,
    );
    assert_code(f.call("user.attr.create", json!([null, "big", "x".repeat(50_000), admin, APP, ADDR])), Code::InvalidInput, false);
    assert_code(f.call("user.attr.create", json!([null, "n", 1, admin, APP, ADDR, { "expiration": -1 }])), Code::InvalidInput, false);
    assert_code(f.call("user.attr.createMany", json!([null, [], admin, APP, ADDR])), Code::MissingInput, false);
    assert_code(f.call("user.attr.createMany", json!([null, [{ "name": "a", "oops": 1 }], admin, APP, ADDR])), Code::InvalidInput, false);
    assert_code(f.call("user.attr.get", json!([null, 5, admin, APP, ADDR])), Code::InvalidInput, false);
    assert_code(f.call("user.attr.get", json!([null, "a", admin, APP, ADDR, { "bogus": 1 }])), Code::InvalidInput, false);
}
