#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Regression tests of the security issue "attacking the package": each test names the defect
//! it closes and fails without its fix.

mod common;
use std::cell::RefCell;

use common::*;
use edge_sso::store::{Commit, ListPage, StoreError};
use edge_sso::{Code, LoginOptions, MemoryStore, Store};
use serde_json::json;

const PW: &str = "user passphrase 1";

/// Records every store call as `method key-class`, where the key class hides what differs
/// between users (digests, ids), so two call logs compare by shape.
struct CallLog {
    inner: MemoryStore,
    log: RefCell<Vec<String>>,
}

fn class(key: &str) -> String {
    key.split('/').take(2).collect::<Vec<_>>().join("/")
}

impl CallLog {
    fn note(&self, method: &str, keys: &[&str]) {
        let classes: Vec<String> = keys.iter().map(|k| class(k)).collect();
        self.log.borrow_mut().push(format!("{method} {}", classes.join(",")));
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.borrow_mut())
    }
}

impl Store for CallLog {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.note("get", &[key]);
        self.inner.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<(), StoreError> {
        self.note("put", &[key]);
        self.inner.put(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.note("delete", &[key]);
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: Option<u32>) -> Result<ListPage, StoreError> {
        self.note("list", &[prefix]);
        self.inner.list(prefix, cursor, limit).await
    }
    async fn put_if_absent(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<Option<bool>, StoreError> {
        self.note("putIfAbsent", &[key]);
        self.inner.put_if_absent(key, value, ttl).await
    }
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        self.note("getMany", &keys.iter().map(String::as_str).collect::<Vec<_>>());
        self.inner.get_many(keys).await
    }
    async fn commit(&self, commit: &Commit) -> Result<Option<bool>, StoreError> {
        let mut keys: Vec<&str> = commit.checks.iter().map(|c| c.key.as_str()).collect();
        keys.extend(commit.puts.iter().map(|p| p.key.as_str()));
        keys.extend(commit.deletes.iter().map(String::as_str));
        self.note("commit", &keys);
        self.inner.commit(commit).await
    }
    fn is_atomic(&self) -> bool {
        true
    }
}

/// Item 2: unknown, unapproved and wrong-password logins make the same store calls, in the
/// same order (a registered name used to cost one more read: 8 ms apart at 8 ms a call).
#[test]
fn unknown_unapproved_and_wrong_password_logins_make_the_same_store_calls() {
    let f = Fixture::with_store(CallLog { inner: MemoryStore::new(), log: RefCell::new(Vec::new()) }, json!({}));
    let admin = f.admin_ust();
    f.regular(&admin, "known", PW);
    let mut d = obj(json!({ "username": "waiting", "password": PW }));
    block_on(f.sso.create_user(&caller().with_ust(&admin), &mut d, Default::default())).unwrap();
    let mut logs = Vec::new();
    for (i, (name, pw)) in [("nobody-here", PW), ("known", "a wrong passphrase"), ("waiting", PW)].into_iter().enumerate() {
        f.sso.store().take();
        // Each from its own address, so that no counter is shared.
        let addr = format!("10.0.1.{}", i + 1);
        let e = block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: &addr }, name, pw, LoginOptions::default())).unwrap_err();
        assert_eq!(e.public_codes(), vec!["E005001"]);
        logs.push(f.sso.store().take());
    }
    assert_eq!(logs[0], logs[1], "unknown vs wrong password");
    assert_eq!(logs[0], logs[2], "unknown vs unapproved");
}

/// Item 6: a session holder guessing the old password in `changePassword` is throttled like a
/// login: after the pair's limit (10) even the right old password is refused for a while.
#[test]
fn guessing_the_old_password_is_throttled() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (_, ust) = f.regular(&admin, "jo", PW);
    for i in 0..10 {
        let e = f
            .call(
                "user.changePassword",
                json!([null, { "old_password": format!("guess {i}"), "new_password": "a brand new passphrase" }, ust, APP, ADDR]),
            )
            .unwrap_err();
        assert!(e.detail.contains("does not match"), "{e:?}");
    }
    let e =
        f.call("user.changePassword", json!([null, { "old_password": PW, "new_password": "a brand new passphrase" }, ust, APP, ADDR])).unwrap_err();
    assert_eq!(e.sub_status, vec![Code::AuthNotAllowed]);
    assert!(e.detail.contains("too many"), "{e:?}");
    f.advance_secs(61);
    f.call("user.changePassword", json!([null, { "old_password": PW, "new_password": "a brand new passphrase" }, ust, APP, ADDR])).unwrap();
}

/// Item 8: no super-user can lock, reject or un-confirm themselves (E008001), whichever way.
#[test]
fn nobody_locks_or_rejects_themselves() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let me = f.call("user.getCurrentUser", json!([null, admin, APP, ADDR])).unwrap()["user_id"].as_str().unwrap().to_string();
    for (op, args) in [
        ("user.lockUser", json!([null, me, admin, APP, ADDR])),
        ("user.rejectUser", json!([null, me, admin, APP, ADDR])),
        ("user.updateUserById", json!([null, me, { "is_locked": true }, admin, APP, ADDR])),
        ("user.updateCurrentUser", json!([null, { "approval_status": "rejected" }, admin, APP, ADDR])),
        ("user.updateCurrentUser", json!([null, { "approval_status": "before_decision" }, admin, APP, ADDR])),
        ("user.updateCurrentUser", json!([null, { "sign_up_status": "before_confirmation" }, admin, APP, ADDR])),
    ] {
        assert_code(f.call(op, args), Code::InvalidOperation, true);
    }
    // Still a working super-user.
    f.get_current(&admin).unwrap();
    // Another super-user can still be locked by this one.
    let (other, _) = f.regular(&admin, "other", PW);
    f.call("user.lockUser", json!([null, other, admin, APP, ADDR])).unwrap();
}

/// Item 9: a forced password change at login ends the user's other sessions.
#[test]
fn a_forced_password_change_at_login_ends_the_other_sessions() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, old_session) = f.regular(&admin, "jo", PW);
    f.call("user.updateUserById", json!([null, id, { "password_must_change": true }, admin, APP, ADDR])).unwrap();
    let opts = LoginOptions { new_password: Some("the next passphrase".into()), ..LoginOptions::default() };
    let fresh = f.login_with("jo", PW, opts).unwrap().ust;
    assert_code(f.get_current(&old_session), Code::SessionNoSuchSession, false);
    f.get_current(&fresh).unwrap();
}

/// Item 10: rejecting ends the user's sessions, and approving again does not bring them back.
#[test]
fn reject_then_approve_does_not_bring_sessions_back() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "jo", PW);
    f.call("user.rejectUser", json!([null, id, admin, APP, ADDR])).unwrap();
    f.call("user.approveUser", json!([null, id, admin, APP, ADDR])).unwrap();
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    f.login("jo", PW).unwrap();
}

#[derive(Default)]
struct Capture {
    tokens: RefCell<Vec<String>>,
}

impl edge_sso::Hooks for Capture {
    async fn send_password_reset(&self, msg: &serde_json::Value) -> Result<bool, edge_sso::hooks::HookError> {
        self.tokens.borrow_mut().push(msg["token"].as_str().unwrap_or_default().to_string());
        Ok(true)
    }
}

/// Item 12: reset tokens issued before a password change, or before another reset, are void.
#[test]
fn reset_tokens_issued_before_a_password_change_are_void() {
    let clock = std::rc::Rc::new(std::cell::Cell::new(T0));
    let c = clock.clone();
    let sso = edge_sso::Sso::with_hooks(
        MemoryStore::new(),
        edge_sso::MemoryAudit::default(),
        Capture::default(),
        keys(),
        config(json!({})),
        Box::new(move || Some(c.get())),
    );
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    block_on(sso.create_super_user(None, &mut boot)).unwrap();
    let admin = block_on(sso.login(&caller(), ADMIN, ADMIN_PASSWORD, Default::default())).unwrap().ust;
    let mut d = obj(json!({ "username": "jo", "password": PW, "email": "jo@example.com" }));
    block_on(sso.create_user(&caller().with_ust(&admin), &mut d, edge_sso::CreateOptions { auto_approve: true })).unwrap();
    let id = d["user_id"].as_str().unwrap().to_string();
    block_on(sso.create_reset_token(&caller(), "jo", None)).unwrap();
    block_on(sso.create_reset_token(&caller(), "jo", None)).unwrap();
    let (first, second) = {
        let t = sso.hooks_for_tests().tokens.borrow();
        (t[0].clone(), t[1].clone())
    };
    // A reset with the second token voids the first.
    clock.set(T0 + 1_000);
    let key = block_on(sso.access_reset_token(&caller(), &second, None)).unwrap();
    block_on(sso.reset_password(&caller(), "reset passphrase one", &second, &key, None, None)).unwrap();
    assert_code(block_on(sso.access_reset_token(&caller(), &first, None)), Code::PasswordResetCouldNotAccess, false);
    // A token issued, then a password change by an administrator: void too, even accessed.
    clock.set(T0 + 2_000);
    block_on(sso.create_reset_token(&caller(), "jo", None)).unwrap();
    let third = sso.hooks_for_tests().tokens.borrow()[2].clone();
    let key = block_on(sso.access_reset_token(&caller(), &third, None)).unwrap();
    clock.set(T0 + 3_000);
    block_on(sso.set_password(&caller(), &id, "set by the admin!", None, None)).unwrap();
    assert_code(block_on(sso.reset_password(&caller(), "reset passphrase two", &third, &key, None, None)), Code::PasswordResetCouldNotAccess, false);
    block_on(sso.login(&caller(), "jo", "set by the admin!", Default::default())).unwrap();
}

/// Item 13: with an audit log that cannot be written, `passwordReset.createToken` creates and
/// delivers nothing.
#[test]
fn a_failing_audit_stops_a_reset_before_any_token_exists() {
    struct Broken;
    impl edge_sso::Audit for Broken {
        async fn record(&self, e: &edge_sso::AuditEvent) -> Result<(), edge_sso::audit::AuditError> {
            if e.op.starts_with("password_reset") {
                Err(edge_sso::audit::AuditError("disk full".into()))
            } else {
                Ok(())
            }
        }
    }
    let sso = edge_sso::Sso::with_hooks(MemoryStore::new(), Broken, Capture::default(), keys(), config(json!({})), Box::new(|| Some(T0)));
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD, "email": "admin@example.com" }));
    block_on(sso.create_super_user(None, &mut boot)).unwrap();
    assert_code(block_on(sso.create_reset_token(&caller(), ADMIN, None)), Code::InternalError, false);
    assert!(sso.hooks_for_tests().tokens.borrow().is_empty(), "nothing delivered");
    assert!(sso.store().dump().iter().all(|(k, _)| !k.starts_with("sso/prt/")), "no token created");
}

/// Item 18: IPv6 addresses are throttled per /64: one attacker's prefix counts as one address.
#[test]
fn ipv6_is_throttled_per_64() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.regular(&admin, "jo", PW);
    for i in 0..10 {
        let addr = format!("2001:db8:1:2::{:x}", i + 1);
        assert!(block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: &addr }, "jo", "a wrong guess", LoginOptions::default()))
            .is_err());
    }
    // Another address of the same /64: blocked; another /64: not.
    let e = block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "2001:db8:1:2:ffff::1" }, "jo", PW, LoginOptions::default()))
        .unwrap_err();
    assert!(e.detail.contains("too many"), "{e:?}");
    block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "2001:db8:1:3::1" }, "jo", PW, LoginOptions::default())).unwrap();
}

/// Item 4: TOTP codes are throttled per user and per address, across login and
/// `validateCode`: after 5 wrong codes even the right one is refused for a while.
#[test]
fn totp_guesses_are_throttled_across_login_and_validate_code() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let key = "JBSWY3DPEHPK3PXP";
    let mut d = obj(json!({ "username": "t", "password": PW, "is_totp_enabled": true, "totp_key": key }));
    block_on(f.sso.create_user(&caller().with_ust(&admin), &mut d, edge_sso::CreateOptions { auto_approve: true })).unwrap();
    let right = totp_now(&f, key);
    let wrong = if right == "000000" { "111111" } else { "000000" };
    // Three wrong codes through validateCode (no password needed), two at login.
    for _ in 0..3 {
        assert_code(f.call("totp.validateCode", json!([null, wrong, APP, ADDR, { "username": "t" }])), Code::AuthNotAllowed, false);
    }
    for _ in 0..2 {
        let opts = LoginOptions { totp_code: Some(wrong.into()), ..LoginOptions::default() };
        assert_code(f.login_with("t", PW, opts), Code::AuthNotAllowed, false);
    }
    // From another address too: the per-user limit holds everywhere.
    let e = f.call("totp.validateCode", json!([null, right, APP, "192.0.2.77", { "username": "t" }])).unwrap_err();
    assert!(e.detail.contains("too many"), "{e:?}");
    let opts = LoginOptions { totp_code: Some(right.clone()), ..LoginOptions::default() };
    let e = block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "192.0.2.78" }, "t", PW, opts)).unwrap_err();
    assert!(e.detail.contains("too many"), "{e:?}");
    // A wrong password with a code does not count against the codes (nothing was checked).
    f.advance_secs(61 + 30);
    for _ in 0..10 {
        let opts = LoginOptions { totp_code: Some(wrong.into()), ..LoginOptions::default() };
        let e =
            block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "198.51.100.1" }, "t", "a wrong password", opts)).unwrap_err();
        assert!(e.detail.contains("invalid username or password") || e.detail.contains("too many"), "{e:?}");
    }
    let right = totp_now(&f, key);
    f.call("totp.validateCode", json!([null, right, APP, ADDR, { "username": "t" }])).unwrap();
}

/// Item 5: a reset key sees at most 5 wrong TOTP codes (`require_totp`), then its token is void.
#[test]
fn a_reset_key_is_void_after_five_wrong_codes() {
    let conf = config(json!({ "password_reset": { "require_totp": true }, "throttle": { "totp_per_user": 100 } }));
    let clock = std::rc::Rc::new(std::cell::Cell::new(T0));
    let c = clock.clone();
    let sso = edge_sso::Sso::with_hooks(
        MemoryStore::new(),
        edge_sso::MemoryAudit::default(),
        Capture::default(),
        keys(),
        conf,
        Box::new(move || Some(c.get())),
    );
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    block_on(sso.create_super_user(None, &mut boot)).unwrap();
    let admin = block_on(sso.login(&caller(), ADMIN, ADMIN_PASSWORD, Default::default())).unwrap().ust;
    let key = "JBSWY3DPEHPK3PXP";
    let mut d = obj(json!({ "username": "t", "password": PW, "email": "t@example.com", "is_totp_enabled": true, "totp_key": key }));
    block_on(sso.create_user(&caller().with_ust(&admin), &mut d, edge_sso::CreateOptions { auto_approve: true })).unwrap();
    clock.set(T0 + 1_000);
    block_on(sso.create_reset_token(&caller(), "t", None)).unwrap();
    let token = sso.hooks_for_tests().tokens.borrow()[0].clone();
    let reset_key = block_on(sso.access_reset_token(&caller(), &token, None)).unwrap();
    let right = edge_sso::crypto::totp::totp_code(key, (clock.get() / 1000) as u64).unwrap();
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert!(block_on(sso.reset_password(&caller(), "a new passphrase", &token, &reset_key, None, Some(wrong))).is_err());
    }
    assert_code(
        block_on(sso.reset_password(&caller(), "a new passphrase", &token, &reset_key, None, Some(&right))),
        Code::PasswordResetCouldNotAccess,
        false,
    );
    block_on(sso.login(&caller(), "t", PW, LoginOptions { totp_code: Some(right), ..Default::default() })).unwrap();
}

/// Item 7: failures from many addresses trip the per-user limit, but they cannot lock the
/// owner out: a client that logged in before holds a device token that exempts it.
#[test]
fn many_addresses_cannot_lock_the_owner_out_of_a_known_device() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.regular(&admin, "victim", PW);
    let device = block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "203.0.113.50" }, "victim", PW, LoginOptions::default()))
        .unwrap()
        .device_token;
    for a in 0..11 {
        for i in 0..10 {
            let addr = format!("198.51.100.{}", a + 1);
            let _ = block_on(f.sso.login(
                &Caller { cid: None, current_app: APP, remote_addr: &addr },
                "victim",
                &format!("guess {i}"),
                LoginOptions::default(),
            ));
        }
    }
    // The per-user limit (100) is tripped: a new client is refused, from a fresh address too.
    let e = block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "203.0.113.51" }, "victim", PW, LoginOptions::default()))
        .unwrap_err();
    assert!(e.detail.contains("too many"), "{e:?}");
    // The owner's device is not.
    let opts = LoginOptions { device_token: Some(device.clone()), ..LoginOptions::default() };
    block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "203.0.113.52" }, "victim", PW, opts)).unwrap();
    // A device token is bound to its user: another user's, or a forged one, does not exempt.
    let opts = LoginOptions { device_token: Some("forged".into()), ..LoginOptions::default() };
    assert!(block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "203.0.113.53" }, "victim", PW, opts)).is_err());
    let other =
        block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "203.0.113.54" }, ADMIN, ADMIN_PASSWORD, LoginOptions::default()))
            .unwrap()
            .device_token;
    let opts = LoginOptions { device_token: Some(other), ..LoginOptions::default() };
    assert!(block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "203.0.113.55" }, "victim", PW, opts)).is_err());
}

/// Item 11: renaming yourself does not escape `user_address_list` (keyed by username): the
/// rules of the name the user was created with keep applying.
#[test]
fn a_rename_does_not_escape_the_address_list() {
    let f = Fixture::new(json!({ "user_address_list": { "kiosk": "10.0.0.0/8" } }));
    let admin = f.admin_ust();
    let (_, ust) = f.regular(&admin, "kiosk", PW);
    f.call("user.updateCurrentUser", json!([null, { "username": "free-bird" }, ust, APP, ADDR])).unwrap();
    assert_code(
        block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "192.0.2.1" }, "free-bird", PW, LoginOptions::default())),
        Code::AuthNotAllowed,
        true,
    );
    block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: "10.1.2.3" }, "free-bird", PW, LoginOptions::default())).unwrap();
}

/// A name claimed before names were prepared (its claim under the exact spelling's key) keeps
/// its login when a case variant is created later: the exact spelling's claim wins at lookup.
#[test]
fn a_case_variant_cannot_take_the_login_of_a_name_claimed_before_preparation() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.regular(&admin, "Alice", "alice's passphrase");
    // As an earlier release stored it: the claim under the digest of "Alice" as given.
    let store = f.sso.store();
    let prepared = edge_sso::store::keys::username("Alice");
    let legacy = edge_sso::store::keys::username_legacy("Alice").expect("the spellings differ");
    let claim = block_on(store.get(&prepared)).unwrap().unwrap();
    block_on(store.delete(&prepared)).unwrap();
    block_on(store.put(&legacy, &claim, None)).unwrap();
    f.login("Alice", "alice's passphrase").unwrap();
    // A variant created now takes the prepared key, but not the old spelling's login.
    f.regular(&admin, "ALICE", "another passphrase");
    assert_eq!(f.login("Alice", "alice's passphrase").unwrap().username, "Alice");
    assert_code(f.login("Alice", "another passphrase"), Code::AuthNotAllowed, false);
    assert_eq!(f.login("ALICE", "another passphrase").unwrap().username, "ALICE");
}

/// The strict profile refuses a store without a native atomic commit (E008002), and takes one
/// that has it.
#[test]
fn the_strict_profile_refuses_a_store_without_an_atomic_commit() {
    let strict = || config(json!({ "profile": "strict" }));
    let kv_shaped = edge_sso::Sso::new(MemoryStore::without_put_if_absent(), edge_sso::NoAudit, keys(), strict(), Box::new(|| Some(T0)));
    assert_code(kv_shaped.check_store(), Code::InvalidInput, false);
    let atomic = edge_sso::Sso::new(MemoryStore::new(), edge_sso::NoAudit, keys(), strict(), Box::new(|| Some(T0)));
    atomic.check_store().unwrap();
    // The Zato profile takes either (the README says what holds without the commit).
    let zato = edge_sso::Sso::new(MemoryStore::without_put_if_absent(), edge_sso::NoAudit, keys(), config(json!({})), Box::new(|| Some(T0)));
    zato.check_store().unwrap();
}
