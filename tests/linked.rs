#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Linked authentication in the core (spec §3.18): links and external sessions. The JWT
//! signature checks live in the package (tests/js/linked.test.mjs); here the core's side.

mod common;
use common::*;
use edge_sso::linked::definitions::SecurityDefinitions;
use edge_sso::linked::external::Proof;
use edge_sso::{Code, MemoryStore, Store};
use serde_json::{json, Value};

const PW: &str = "user passphrase 1";
const SHA: &str = "0000000000000000000000000000000000000000000000000000000000000001";

fn linked_fixture(overrides: Value) -> Fixture<MemoryStore> {
    let Fixture { sso, clock } = Fixture::new(overrides);
    let defs = SecurityDefinitions::from_json(&json!({
        "basic_auth": [
            { "id": "1", "username": "svc", "password": "basic secret" },
            { "id": "3", "username": "off", "password": "x", "is_active": false },
            { "id": "4", "username": "spare", "password": "spare secret" },
        ],
        "jwt": [{ "id": "2", "username": "issuer" }],
    }))
    .unwrap();
    Fixture { sso: sso.with_security_definitions(defs), clock }
}

fn basic<'a>(password: &'a str) -> Proof<'a> {
    Proof::Basic { username: "svc", password }
}

fn external(f: &Fixture, proof: Proof<'_>) -> Result<edge_sso::linked::external::ExternalSession, edge_sso::SsoError> {
    block_on(f.sso.external_session(&Caller { cid: None, current_app: "", remote_addr: ADDR }, proof, Some("agent"), None))
}

fn link(f: &Fixture, ust: &str, user_id: &str, auth_type: &str, name: &str) -> Result<Value, edge_sso::SsoError> {
    f.call("user.createLinkedAuth", json!([null, ust, user_id, auth_type, name, true, APP, ADDR]))
}

#[test]
fn create_checks_in_order_and_refuses_duplicates() {
    let f = linked_fixture(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    assert_code(link(&f, &admin, &id, "ldap", "svc"), Code::InvalidInput, false);
    assert_code(link(&f, &admin, &id, "basic_auth", "nobody"), Code::InvalidInput, false);
    assert_code(link(&f, "garbage", &id, "basic_auth", "svc"), Code::SessionNoSuchSession, false);
    assert_code(link(&f, &ust, &id, "basic_auth", "svc"), Code::AuthNotAllowed, true);
    assert_code(link(&f, &admin, "zusr-nobody", "basic_auth", "svc"), Code::InvalidOperation, true);
    assert_eq!(link(&f, &admin, &id, "zato.basic_auth", "svc").unwrap(), json!({ "user_id": id, "auth_id": "1" }));
    assert_code(link(&f, &admin, &id, "basic_auth", "svc"), Code::InvalidOperation, true);
    let (other, _) = f.regular(&admin, "v", PW);
    assert_code(link(&f, &admin, &other, "basic_auth", "svc"), Code::InvalidOperation, true);
    let list = f.call("user.getLinkedAuthList", json!([null, ust, APP, ADDR])).unwrap();
    assert_eq!(list[0]["auth_type"], json!("basic_auth"));
    assert_eq!(list[0]["auth_principal"], json!("reserved"));
    assert_eq!(list[0]["has_ext_principal"], json!(false));
    assert_code(f.call("user.getLinkedAuthList", json!([null, ust, APP, ADDR, other])), Code::AuthNotAllowed, false);
    assert_eq!(f.call("user.getLinkedAuthList", json!([null, admin, APP, ADDR, other])).unwrap(), json!([]));
}

#[test]
fn a_basic_auth_session_is_made_then_renewed_and_ends_with_its_link() {
    let f = linked_fixture(json!({}));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    assert_code(external(&f, basic("basic secret")), Code::AuthNotAllowed, false);
    link(&f, &admin, &id, "basic_auth", "svc").unwrap();
    let first = external(&f, basic("basic secret")).unwrap();
    assert!(!first.renewed);
    assert_eq!(f.get_current(&first.ust).unwrap()["user_id"], json!(id));
    f.advance_secs(600);
    let again = external(&f, basic("basic secret")).unwrap();
    assert!(again.renewed);
    assert_eq!(again.ust, first.ust);
    assert!(again.expiration_time > first.expiration_time);
    assert_code(external(&f, basic("wrong")), Code::AuthNotAllowed, false);
    assert_code(external(&f, Proof::Basic { username: "off", password: "x" }), Code::AuthNotAllowed, false);
    // A lock ends it, and no new one is made while locked.
    f.call("user.lockUser", json!([null, id, admin, APP, ADDR])).unwrap();
    assert_code(f.get_current(&first.ust), Code::SessionNoSuchSession, false);
    assert_code(external(&f, basic("basic secret")), Code::AuthLocked, true);
    f.call("user.unlockUser", json!([null, id, admin, APP, ADDR])).unwrap();
    let after = external(&f, basic("basic secret")).unwrap();
    assert!(!after.renewed, "the locked-out session stays dead");
    f.call("user.deleteLinkedAuth", json!([null, admin, id, "basic_auth", "svc", APP, ADDR])).unwrap();
    assert_code(f.get_current(&after.ust), Code::SessionNoSuchSession, false);
    assert_code(external(&f, basic("basic secret")), Code::AuthNotAllowed, false);
    assert_code(f.call("user.deleteLinkedAuth", json!([null, admin, id, "basic_auth", "svc", APP, ADDR])), Code::InvalidOperation, true);
}

#[test]
fn a_jwt_session_needs_totp_where_the_user_has_it_and_is_per_token() {
    let f = linked_fixture(json!({}));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    link(&f, &admin, &id, "jwt", "issuer").unwrap();
    let a = external(&f, Proof::Jwt { username: "issuer", token_sha256: SHA }).unwrap();
    let b = external(&f, Proof::Jwt { username: "issuer", token_sha256: &SHA.replace('1', "2") }).unwrap();
    assert_ne!(a.ust, b.ust, "each token has its own session");
    assert_code(external(&f, Proof::Jwt { username: "issuer", token_sha256: "short" }), Code::InvalidInput, false);
    assert_code(external(&f, Proof::Jwt { username: "svc", token_sha256: SHA }), Code::AuthNotAllowed, false);
    let key = f.call("user.resetTotpKey", json!([null, admin, APP, ADDR, { "userId": id }])).unwrap();
    f.call("user.updateUserById", json!([null, id, { "is_totp_enabled": true }, admin, APP, ADDR])).unwrap();
    let fresh = &SHA.replace('1', "3");
    assert_code(external(&f, Proof::Jwt { username: "issuer", token_sha256: fresh }), Code::AuthTotpMissing, true);
    let code = totp_now(&f, key.as_str().unwrap());
    let r = block_on(f.sso.external_session(
        &Caller { cid: None, current_app: "", remote_addr: ADDR },
        Proof::Jwt { username: "issuer", token_sha256: fresh },
        None,
        Some(&code),
    ))
    .unwrap();
    assert!(f.get_current(&r.ust).is_ok());
}

#[test]
fn the_app_comes_from_the_caller_or_apps_default_and_must_be_known() {
    let f = linked_fixture(json!({ "apps": { "all": ["CRM", "Portal"], "default": "Portal", "login_allowed": ["CRM", "Portal"] } }));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    link(&f, &admin, &id, "basic_auth", "svc").unwrap();
    let r = external(&f, basic("basic secret")).unwrap();
    let s = f.call("user.session.get", json!([null, r.ust, admin, APP, ADDR])).unwrap();
    assert_eq!(s["ext_session_id"], json!("basic_auth.1"));
    assert_code(
        block_on(f.sso.external_session(&Caller { cid: None, current_app: "Nope", remote_addr: ADDR }, basic("basic secret"), None, None)),
        Code::AppListInvalid,
        true,
    );
}

#[test]
fn basic_auth_guesses_are_throttled_like_logins() {
    let f = linked_fixture(json!({ "throttle": { "per_user_address": 3 } }));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    link(&f, &admin, &id, "basic_auth", "svc").unwrap();
    for _ in 0..3 {
        assert_code(external(&f, basic("guess")), Code::AuthNotAllowed, false);
    }
    assert_code(external(&f, basic("basic secret")), Code::AuthNotAllowed, false);
}

#[test]
fn definitions_are_checked_and_never_echo_a_password() {
    let bad = [
        json!({ "basic_auth": [{ "id": "1", "username": "a" }] }),
        json!({ "basic_auth": [{ "id": "1", "username": "a", "password": "x", "password_hash": "y" }] }),
        json!({ "basic_auth": [{ "id": "", "username": "a", "password": "x" }] }),
        json!({ "jwt": [{ "id": "1", "username": "a", "secret": "x" }] }),
        json!({ "ldap": [] }),
        json!({ "basic_auth": [{ "id": "1", "username": "a", "password": "x" }, { "id": "2", "username": "a", "password": "y" }] }),
    ];
    for d in bad {
        let e = SecurityDefinitions::from_json(&d).unwrap_err();
        assert_eq!(e.sub_status, vec![Code::InvalidInput], "{d}");
    }
    let e = SecurityDefinitions::from_json(&json!({ "basic_auth": [{ "id": "1", "username": "a", "password": 987654321 }] })).unwrap_err();
    assert!(!format!("{e:?}").contains("987654321"));
    let ok = SecurityDefinitions::from_json(&json!({ "basic_auth": [{ "id": "1", "username": "a", "password": "hunter2" }] })).unwrap();
    assert!(!format!("{ok:?}").contains("hunter2"));
}

#[test]
fn imported_links_work_for_external_sessions() {
    let f = linked_fixture(json!({}));
    let row = json!({
        "user_id": "zusr-imp", "username": "imp", "password": null,
        "linked_auth": [{ "auth_type": "zato.basic_auth", "auth_id": 1, "is_active": 1, "creation_time": "2021-05-06 07:08:09" }],
    });
    f.call("admin.importUser", json!([null, row])).unwrap();
    let r = external(&f, basic("basic secret")).unwrap();
    assert_eq!(r.user_id, "zusr-imp");
}

#[test]
fn get_user_by_linked_auth_finds_the_linked_user_not_the_caller() {
    let f = linked_fixture(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    let (_, other_ust) = f.regular(&admin, "v", PW);
    let by = |ust: &str, name: &str| f.call("user.getUserByLinkedAuth", json!([null, ust, "basic_auth", name, APP, ADDR]));
    assert_code(by(&admin, "svc"), Code::AuthNotAllowed, true);
    link(&f, &admin, &id, "basic_auth", "svc").unwrap();
    // Spec §10 O-57: Zato returned the caller; here the linked user.
    assert_eq!(by(&admin, "svc").unwrap()["username"], json!("u"));
    assert_eq!(by(&ust, "svc").unwrap()["username"], json!("u"));
    // A regular user gets one answer for "linked to someone else", "not linked" and "no such
    // definition": nothing about the host's definitions leaks.
    assert_code(by(&other_ust, "svc"), Code::AuthNotAllowed, false);
    assert_code(by(&other_ust, "off"), Code::AuthNotAllowed, false);
    assert_code(by(&other_ust, "nobody"), Code::AuthNotAllowed, false);
    assert_code(by(&admin, "nobody"), Code::InvalidInput, false);
}

#[test]
fn a_jwt_users_totp_codes_are_throttled_like_at_login() {
    let f = linked_fixture(json!({ "throttle": { "totp_per_user": 3 } }));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    link(&f, &admin, &id, "jwt", "issuer").unwrap();
    let key = f.call("user.resetTotpKey", json!([null, admin, APP, ADDR, { "userId": id }])).unwrap();
    f.call("user.updateUserById", json!([null, id, { "is_totp_enabled": true }, admin, APP, ADDR])).unwrap();
    let with_code = |code: &str| {
        block_on(f.sso.external_session(
            &Caller { cid: None, current_app: "", remote_addr: ADDR },
            Proof::Jwt { username: "issuer", token_sha256: SHA },
            None,
            Some(code),
        ))
    };
    let right = totp_now(&f, key.as_str().unwrap());
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        assert_code(with_code(wrong), Code::AuthNotAllowed, false);
    }
    assert_code(with_code(&right), Code::AuthNotAllowed, false);
}

#[test]
fn basic_auth_guesses_from_many_addresses_are_limited_per_definition() {
    let f = linked_fixture(json!({ "throttle": { "per_user": 4, "per_user_address": 100, "per_address": 100 } }));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    link(&f, &admin, &id, "basic_auth", "svc").unwrap();
    let from = |addr: &str, password: &str| {
        block_on(f.sso.external_session(
            &Caller { cid: None, current_app: "", remote_addr: addr },
            Proof::Basic { username: "svc", password },
            None,
            None,
        ))
    };
    for i in 0..4 {
        assert_code(from(&format!("10.1.{i}.1"), "guess"), Code::AuthNotAllowed, false);
    }
    assert_code(from("10.2.0.1", "basic secret"), Code::AuthNotAllowed, false);
}

#[test]
fn a_right_password_of_an_unlinked_definition_counts_as_a_failure() {
    let f = linked_fixture(json!({ "throttle": { "per_user_address": 3 } }));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    let spare = |password: &str| external(&f, Proof::Basic { username: "spare", password });
    // Right and wrong passwords get the same answer, and both count: no oracle.
    for password in ["spare secret", "wrong", "spare secret"] {
        assert_code(spare(password), Code::AuthNotAllowed, false);
    }
    link(&f, &admin, &id, "basic_auth", "spare").unwrap();
    assert_code(spare("spare secret"), Code::AuthNotAllowed, false);
}

#[test]
fn an_import_cannot_take_a_definition_linked_to_someone_else() {
    let f = linked_fixture(json!({}));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    link(&f, &admin, &id, "basic_auth", "svc").unwrap();
    let row = json!({
        "user_id": "zusr-thief", "username": "thief", "password": null, "is_super_user": true,
        "linked_auth": [{ "auth_type": "zato.basic_auth", "auth_id": "1" }],
    });
    assert_code(f.call("admin.importUser", json!([null, row])), Code::InvalidOperation, true);
    assert!(f.record("zusr-thief").is_none(), "nothing of the refused row is written");
    assert_eq!(external(&f, basic("basic secret")).unwrap().user_id, id);
}

#[test]
fn deleting_a_linked_user_frees_its_definitions() {
    let f = linked_fixture(json!({}));
    let admin = f.admin_ust();
    let (id, _) = f.regular(&admin, "u", PW);
    link(&f, &admin, &id, "basic_auth", "svc").unwrap();
    let claim = edge_sso::store::keys::linked_definition("basic_auth.1");
    assert!(block_on(f.sso.store().get(&claim)).unwrap().is_some());
    f.call("user.deleteUserById", json!([null, id, admin, APP, ADDR])).unwrap();
    assert!(block_on(f.sso.store().get(&claim)).unwrap().is_none(), "the claim is freed with its user");
    assert!(f.sso.store().dump().iter().all(|(k, _)| !k.contains(&id)));
}

#[test]
fn nobody_without_a_super_user_session_learns_which_definitions_exist() {
    let f = linked_fixture(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    let unlink = |caller: &str, name: &str| f.call("user.deleteLinkedAuth", json!([null, caller, id, "basic_auth", name, APP, ADDR]));
    // The session is checked first: an existing and an unknown definition answer alike.
    for caller in ["garbage", ust.as_str()] {
        let known = link(&f, caller, &id, "basic_auth", "svc").unwrap_err();
        let unknown = link(&f, caller, &id, "basic_auth", "nobody").unwrap_err();
        assert_eq!(format!("{known:?}"), format!("{unknown:?}"), "create as {caller}");
        let known = unlink(caller, "svc").unwrap_err();
        let unknown = unlink(caller, "nobody").unwrap_err();
        assert_eq!(format!("{known:?}"), format!("{unknown:?}"), "delete as {caller}");
    }
    // A super-user is told.
    assert_code(unlink(&admin, "nobody"), Code::InvalidInput, false);
}
