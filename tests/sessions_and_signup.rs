#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! The session API (spec §3.14, §4.4, §4.5), sign-up and confirmation (§3.2, §3.3), password
//! reset (§3.16) and cleanup (§3.19).

mod common;
use common::*;
use edge_sso::hooks::{HookError, Hooks};
use edge_sso::{Code, MemoryAudit, MemoryStore, Sso};
use serde_json::{json, Value};
use std::cell::RefCell;

const PW: &str = "user passphrase 1";

#[test]
fn verify_renew_get_and_list() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (_, ust) = f.regular(&admin, "u", PW);
    assert_eq!(f.call("user.session.verify", json!([null, ust, admin, APP, ADDR])).unwrap(), json!(true));
    assert_eq!(f.call("user.session.verify", json!([null, "forged", admin, APP, ADDR])).unwrap(), json!(false));
    assert_code(f.call("user.session.verify", json!([null, admin, ust, APP, ADDR])), Code::AuthNotAllowed, true);
    f.advance_secs(600);
    let t = f.call("user.session.renew", json!([null, ust, APP, "10.0.0.2", { "userAgent": "UA/2" }])).unwrap();
    assert_eq!(t, json!("2024-01-01T01:10:00"), "now + 60 minutes, not added to the old expiry");
    let s = f.call("user.session.get", json!([null, ust, admin, APP, ADDR])).unwrap();
    assert_eq!(s["expiration_time"], json!("2024-01-01T01:10:00"));
    assert_eq!(s["remote_addr"], json!("10.0.0.1"));
    assert_code(f.call("user.session.get", json!([null, admin, ust, APP, ADDR])), Code::AuthNotAllowed, true);
    let list = f.call("user.session.getList", json!([null, ust, null, null, APP, ADDR])).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    let history = list[0]["session_state_change_list"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["ctx_source"], json!("login"));
    assert_eq!(history[1]["ctx_source"], json!("renew"));
    assert_eq!(history[1]["idx"], json!(2));
    assert_eq!(history[1]["remote_addr"], json!("10.0.0.2"));
    assert_eq!(history[1]["user_agent"], json!("UA/2"));
    assert!(list[0].get("ust").is_none(), "spec §10 O-24: no UST in listings");
    // A super-user lists another user's sessions through one of them.
    let theirs = f.call("user.session.getList", json!([null, null, ust, admin, APP, ADDR])).unwrap();
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert_code(f.call("user.session.getList", json!([null, ust, ust, admin, APP, ADDR])), Code::InvalidInput, false);
    assert_code(f.call("user.session.getList", json!([null, null, admin, ust, APP, ADDR])), Code::AuthNotAllowed, true);
    // Renewal keeps the session alive past its first expiry.
    f.advance_secs(3000);
    f.get_current(&ust).unwrap();
}

#[test]
fn history_keeps_the_last_100_entries() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    for _ in 0..105 {
        f.call("user.session.renew", json!([null, admin, APP, ADDR])).unwrap();
    }
    let list = f.call("user.session.getList", json!([null, admin, null, null, APP, ADDR])).unwrap();
    let h = list[0]["session_state_change_list"].as_array().unwrap();
    assert_eq!(h.len(), 100);
    assert_eq!(h[0]["idx"], json!(7));
    assert_eq!(h[99]["idx"], json!(106));
}

#[derive(Default)]
struct TestHooks {
    calls: RefCell<Vec<Value>>,
}

impl Hooks for TestHooks {
    async fn session_expiry(&self, ctx: &Value) -> Option<i64> {
        self.calls.borrow_mut().push(json!({ "hook": "session_expiry", "ctx": ctx }));
        if ctx["username"] == json!("short") {
            Some(5)
        } else {
            None
        }
    }
    async fn signup_callback(&self, ctx: &Value) -> Result<(), HookError> {
        self.calls.borrow_mut().push(json!({ "hook": "signup", "ctx": ctx }));
        Ok(())
    }
    async fn send_password_reset(&self, msg: &Value) -> Result<bool, HookError> {
        self.calls.borrow_mut().push(json!({ "hook": "reset", "msg": msg }));
        Ok(true)
    }
}

fn with_hooks(overrides: Value) -> (HookedSso, std::rc::Rc<std::cell::Cell<i64>>) {
    let clock = std::rc::Rc::new(std::cell::Cell::new(T0));
    let c = clock.clone();
    let sso =
        Sso::with_hooks(MemoryStore::new(), MemoryAudit::default(), TestHooks::default(), keys(), config(overrides), Box::new(move || Some(c.get())));
    (sso, clock)
}

#[test]
fn the_expiry_hook_sets_session_lifetimes() {
    let (sso, _) = with_hooks(json!({ "signup": { "is_approval_needed": false } }));
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    block_on(sso.create_super_user(None, &mut boot)).unwrap();
    let admin = block_on(sso.login(&caller(), ADMIN, ADMIN_PASSWORD, Default::default())).unwrap();
    assert_eq!(edge_sso::time::format_zato(&admin.expiration_time), "2024-01-01T01:00:00");
    let mut d = obj(json!({ "username": "short", "password": PW }));
    block_on(sso.create_user(&caller().with_ust(&admin.ust), &mut d, Default::default())).unwrap();
    let s = block_on(sso.login(&caller(), "short", PW, Default::default())).unwrap();
    assert_eq!(edge_sso::time::format_zato(&s.expiration_time), "2024-01-01T00:05:00");
    let calls = sso.hooks_for_tests().calls.borrow();
    assert_eq!(calls[1]["ctx"], json!({ "current_app": "CRM", "username": "short", "default_expiry": 60 }));
}

#[test]
fn signup_validator_runs_v1_to_v12_in_order() {
    let f = Fixture::new(
        json!({ "signup": { "inform_if_user_exists": true, "inform_if_user_invalid": true, "inform_if_email_invalid": true, "inform_if_email_exists": true, "inform_if_app_invalid": true } }),
    );
    f.bootstrap();
    let signup = |ctx: Value| f.call("user.signup", json!([null, ctx, APP, ADDR]));
    assert_code(f.call("user.signup", json!([null, { "username": "x", "password": PW }, "Nope", ADDR])), Code::AppListInvalid, false);
    // Every check runs: "admin" is both taken and a reserved word.
    assert_eq!(signup(json!({ "username": ADMIN, "password": PW })).unwrap_err().sub_status, vec![Code::UsernameExists, Code::UsernameInvalid]);
    assert_code(signup(json!({ "username": "a".repeat(129), "password": PW })), Code::UsernameTooLong, true);
    assert_code(signup(json!({ "username": "a b", "password": PW })), Code::UsernameHasWhitespace, true);
    // Spec §10 O-20: reserved words match whatever the case.
    assert_code(signup(json!({ "username": "TheAdmin", "password": PW })), Code::UsernameInvalid, true);
    assert_code(signup(json!({ "username": "ok1", "password": "short" })), Code::PasswordTooShort, true);
    assert_code(signup(json!({ "username": "ok1", "password": "my qwerty phrase" })), Code::PasswordInvalid, true);
    assert_code(signup(json!({ "username": "ok1", "password": PW, "email": "a b@x.io" })), Code::EmailHasWhitespace, true);
    assert_code(signup(json!({ "username": "ok1", "password": PW, "email": "root@x.io" })), Code::EmailInvalid, true);
    assert_code(signup(json!({ "username": "ok1", "password": PW, "app_list": ["Nope"] })), Code::AppListInvalid, true);
    assert_code(signup(json!({ "username": "ok1", "password": PW, "nope": 1 })), Code::InvalidInput, false);
    let token = signup(json!({ "username": "ok1", "password": PW, "email": "ok1@example.com", "app_list": ["CRM"] })).unwrap();
    assert_eq!(token.as_str().unwrap().len(), 32);
    // Spec §10 O-19: email uniqueness works with encrypted emails too.
    assert_code(signup(json!({ "username": "ok2", "password": PW, "email": "OK1@example.com" })), Code::EmailExists, true);
    let both = signup(json!({ "username": "ok1", "password": PW, "email": "ok1@example.com" })).unwrap_err();
    assert_eq!(both.sub_status, vec![Code::UsernameExists, Code::EmailExists]);
}

#[test]
fn signup_codes_are_hidden_by_default_and_the_user_waits_for_confirmation_and_approval() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let signup = |ctx: Value| f.call("user.signup", json!([null, ctx, APP, ADDR]));
    // Spec §3.2: with signup.inform_if_user_exists off, the validator lists no code: E005001,
    // hidden; the reason stays in the detail for the host's logs.
    let taken = signup(json!({ "username": ADMIN, "password": PW })).unwrap_err();
    assert_eq!((taken.sub_status.clone(), taken.reveal), (vec![Code::AuthNotAllowed], false));
    assert!(taken.detail.contains("username.exists"), "{taken:?}");
    let token = signup(json!({ "username": "newbie", "password": PW })).unwrap();
    let token = token.as_str().unwrap();
    // Before confirmation and approval: no login.
    assert_code(f.login("newbie", PW), Code::AuthNotAllowed, false);
    let found = f.call("user.search", json!([null, { "username": "newbie" }, admin, APP, ADDR])).unwrap();
    let row = &found["result"][0];
    assert_eq!(row["sign_up_status"], json!("before_confirmation"));
    assert_eq!(row["approval_status"], json!("before_decision"));
    assert_eq!(row["approval_status_mod_by"], json!("auto"));
    assert_code(f.call("user.confirmSignup", json!([null, "wrong token", APP, ADDR])), Code::AuthNoSuchSignUpToken, false);
    assert_code(f.call("user.confirmSignup", json!([null, token, "Nope", ADDR])), Code::AppListInvalid, false);
    f.call("user.confirmSignup", json!([null, token, APP, ADDR])).unwrap();
    assert_code(f.call("user.confirmSignup", json!([null, token, APP, ADDR])), Code::AuthSignUpConfirmed, false);
    f.call("user.approveUser", json!([null, row["user_id"], admin, APP, ADDR])).unwrap();
    f.login("newbie", PW).unwrap();
    // A host may sign users up as final already (spec §3.2 `sign_up_status`): the token it gets
    // back is known, and confirming it is E005007, not E005006.
    let final_token = signup(json!({ "username": "final", "password": PW, "sign_up_status": "final" })).unwrap();
    assert_code(f.call("user.confirmSignup", json!([null, final_token, APP, ADDR])), Code::AuthSignUpConfirmed, false);
}

#[test]
fn signup_callbacks_never_see_the_password() {
    let (sso, _) = with_hooks(json!({}));
    let token = block_on(sso.signup(&caller(), &obj(json!({ "username": "cb", "password": PW, "email": "cb@example.com" })))).unwrap();
    let calls = sso.hooks_for_tests().calls.borrow();
    let ctx = &calls.iter().find(|c| c["hook"] == json!("signup")).unwrap()["ctx"];
    assert_eq!(ctx["username"], json!("cb"));
    assert_eq!(ctx["confirm_token"], json!(token));
    assert!(!ctx.to_string().contains(PW));
}

type HookedSso = Sso<MemoryStore, MemoryAudit, TestHooks>;

/// For the reset tests: the super-user's UST and a session of user "r" (with an email).
fn reset_fixture(overrides: Value) -> (HookedSso, std::rc::Rc<std::cell::Cell<i64>>, String, String) {
    let mut conf = json!({ "signup": { "is_approval_needed": false } });
    merge(&mut conf, overrides);
    let (sso, clock) = with_hooks(conf);
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    block_on(sso.create_super_user(None, &mut boot)).unwrap();
    let admin = block_on(sso.login(&caller(), ADMIN, ADMIN_PASSWORD, Default::default())).unwrap().ust;
    let mut d = obj(json!({ "username": "r", "password": PW, "email": "r@example.com" }));
    block_on(sso.create_user(&caller().with_ust(&admin), &mut d, Default::default())).unwrap();
    let session = block_on(sso.login(&caller(), "r", PW, Default::default())).unwrap().ust;
    (sso, clock, admin, session)
}

#[test]
fn password_reset_flow_is_single_use_and_expires() {
    let (sso, clock, _, old_session) = reset_fixture(json!({}));
    // Unknown users succeed silently.
    block_on(sso.create_reset_token(&caller(), "nobody", None)).unwrap();
    block_on(sso.create_reset_token(&caller(), "r", Some("UA"))).unwrap();
    let msg = sso.hooks_for_tests().calls.borrow().iter().find(|c| c["hook"] == json!("reset")).unwrap()["msg"].clone();
    assert_eq!(msg["email"], json!("r@example.com"));
    assert_eq!(msg["subject"], json!("Password reset"));
    let token = msg["token"].as_str().unwrap().to_string();
    assert!(msg["body"].as_str().unwrap().contains(&token));
    let audit = serde_json::to_string(&sso.audit_sink().events.borrow().iter().map(|e| e.to_json()).collect::<Vec<_>>()).unwrap();
    assert!(!audit.contains(&token));
    assert_code(block_on(sso.access_reset_token(&caller(), "bad-token", None)), Code::PasswordResetCouldNotAccess, false);
    let key = block_on(sso.access_reset_token(&caller(), &token, None)).unwrap();
    assert_code(block_on(sso.access_reset_token(&caller(), &token, None)), Code::PasswordResetCouldNotAccess, false);
    assert_code(block_on(sso.reset_password(&caller(), "new passphrase 2", &token, "forged", None, None)), Code::PasswordResetCouldNotAccess, false);
    assert_code(block_on(sso.reset_password(&caller(), "short", &token, &key, None, None)), Code::PasswordTooShort, true);
    block_on(sso.reset_password(&caller(), "new passphrase 2", &token, &key, None, None)).unwrap();
    assert_code(block_on(sso.reset_password(&caller(), "new passphrase 3", &token, &key, None, None)), Code::PasswordResetCouldNotAccess, false);
    block_on(sso.login(&caller(), "r", "new passphrase 2", Default::default())).unwrap();
    // Spec §10 O-34: as in Zato, a session opened before the reset goes on by default
    // (`password_reset.end_sessions`, on in the strict profile, ends it: see below).
    block_on(sso.get_current_user(&caller().with_ust(&old_session))).unwrap();
    // A reset key is good for password_change_session_duration (1800 s) after access.
    block_on(sso.create_reset_token(&caller(), "r", None)).unwrap();
    let token2 = sso.hooks_for_tests().calls.borrow().iter().rev().find(|c| c["hook"] == json!("reset")).unwrap()["msg"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let key2 = block_on(sso.access_reset_token(&caller(), &token2, None)).unwrap();
    clock.set(clock.get() + 1801 * 1000);
    assert_code(block_on(sso.reset_password(&caller(), "new passphrase 4", &token2, &key2, None, None)), Code::PasswordResetCouldNotAccess, false);
    // Tokens expire after valid_for minutes.
    block_on(sso.create_reset_token(&caller(), "r", None)).unwrap();
    let token3 = sso.hooks_for_tests().calls.borrow().iter().rev().find(|c| c["hook"] == json!("reset")).unwrap()["msg"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    clock.set(clock.get() + 1441 * 60 * 1000);
    assert_code(block_on(sso.access_reset_token(&caller(), &token3, None)), Code::PasswordResetCouldNotAccess, false);
}

#[test]
fn reset_tokens_without_a_delivery_hook_are_created_and_reported() {
    let f = Fixture::new(json!({}));
    f.bootstrap();
    f.call("passwordReset.createToken", json!([null, ADMIN, APP, ADDR])).unwrap();
    let events = f.sso.audit_sink().events.borrow();
    let e = events.iter().find(|e| e.op == "password_reset.create_token" && e.result.is_some()).unwrap();
    assert_eq!(e.result.as_deref(), Some("no_email"));
    assert_eq!(f.sso.store().dump().iter().filter(|(k, _)| k.starts_with("sso/prt/")).count(), 1);
}

#[test]
fn cleanup_removes_expired_records_only() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (_, ust) = f.regular(&admin, "u", PW);
    f.call("user.attr.create", json!([null, "short", 1, ust, APP, ADDR, { "expiration": 60 }])).unwrap();
    f.call("user.attr.create", json!([null, "long", 2, ust, APP, ADDR])).unwrap();
    f.call("passwordReset.createToken", json!([null, "u", APP, ADDR])).unwrap();
    // A failed login leaves three throttle counters (pair, address, username).
    assert!(f.login("u", "a wrong passphrase").is_err());
    let r = f.call("cleanup", json!([])).unwrap();
    assert_eq!(r, json!({ "sessions": 0, "attributes": 0, "reset_tokens": 0, "orphans": 0, "throttle_counters": 0 }));
    f.advance_days(2);
    let r = f.call("cleanup", json!([])).unwrap();
    assert_eq!(r["sessions"], json!(2));
    assert_eq!(r["attributes"], json!(1));
    assert_eq!(r["reset_tokens"], json!(1));
    // This store keeps what it is given whatever the TTL: cleanup removes the counters too.
    assert_eq!(r["throttle_counters"], json!(3));
    assert!(f
        .sso
        .store()
        .dump()
        .iter()
        .all(|(k, _)| !k.starts_with("sso/session/") && !k.starts_with("sso/prt/") && !k.starts_with("sso/throttle/")));
    // The long-lived attribute survived.
    let admin = f.login(ADMIN, ADMIN_PASSWORD).unwrap().ust;
    let uid = f.call("user.search", json!([null, { "username": "u" }, admin, APP, ADDR])).unwrap()["result"][0]["user_id"].clone();
    assert_eq!(f.call("user.attr.names", json!([null, admin, APP, ADDR, { "userId": uid }])).unwrap(), json!(["long"]));
}

#[test]
fn the_password_expiry_sweep_lists_unlocked_users_near_or_past_expiry() {
    let f = Fixture::new(json!({ "main": { "encrypt_email": true } }));
    let admin = f.admin_ust();
    let (bid, _) = f.regular(&admin, "b", PW);
    f.regular(&admin, "a", PW);
    f.create(&admin, json!({ "username": "locked", "is_locked": true })).unwrap();
    f.call("user.updateUserById", json!([null, bid, { "email": "b@example.com", "password_expiry": "2024-01-20T00:00:00" }, admin, APP, ADDR]))
        .unwrap();
    let now = T0 + 10 * 86_400_000;
    let list = f.call("passwordExpirySweep", json!([now])).unwrap();
    assert_eq!(
        list,
        json!([{ "username": "b", "email": "b@example.com", "display_name": "", "password_expiry": "2024-01-20T00:00:00",
        "is_password_expired": false, "is_password_about_to_expire": true }])
    );
    // Later everyone's expiry is near (730 days), the locked user excepted; b has expired.
    let later = f.call("passwordExpirySweep", json!([T0 + 720 * 86_400_000])).unwrap();
    let names: Vec<&str> = later.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["a", "admin", "b"]);
    assert_eq!(later[2]["is_password_expired"], json!(true));
}

#[test]
fn a_reset_ends_the_users_sessions_when_configured() {
    let (sso, _, admin, old_session) = reset_fixture(json!({ "password_reset": { "end_sessions": true } }));
    block_on(sso.create_reset_token(&caller(), "r", None)).unwrap();
    let token =
        sso.hooks_for_tests().calls.borrow().iter().find(|c| c["hook"] == json!("reset")).unwrap()["msg"]["token"].as_str().unwrap().to_string();
    let key = block_on(sso.access_reset_token(&caller(), &token, None)).unwrap();
    block_on(sso.reset_password(&caller(), "new passphrase 2", &token, &key, None, None)).unwrap();
    assert_code(block_on(sso.get_current_user(&caller().with_ust(&old_session))), Code::SessionNoSuchSession, false);
    block_on(sso.get_current_user(&caller().with_ust(&admin))).unwrap();
}

/// With the `inform_if_*_exists` flags off, a sign-up that fails anyway answers the same
/// whether or not its name or email is registered: every check runs and the hidden codes drop
/// out of the union (Zato's validator), in the default and the strict profile.
#[test]
fn a_failing_sign_up_does_not_tell_whether_the_name_or_email_is_registered() {
    for profile in ["zato", "strict"] {
        let f = Fixture::new(json!({ "profile": profile }));
        f.bootstrap();
        let signup = |ctx: Value| f.call("user.signup", json!([null, ctx, APP, ADDR]));
        signup(json!({ "username": "taken1", "password": "a long enough passphrase here", "email": "taken@example.com" })).unwrap();
        for (taken, free) in [
            (json!({ "username": "taken1", "password": "x" }), json!({ "username": "free1", "password": "x" })),
            (
                json!({ "username": "nx2", "password": "x", "email": "taken@example.com" }),
                json!({ "username": "nx3", "password": "x", "email": "free@example.com" }),
            ),
        ] {
            let (a, b) = (signup(taken).unwrap_err(), signup(free).unwrap_err());
            assert_eq!((a.public_codes(), a.reveal), (b.public_codes(), b.reveal), "{profile}: {a:?} vs {b:?}");
            assert_eq!(a.public_codes(), vec!["E003002"], "{profile}");
        }
    }
}
