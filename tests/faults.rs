#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! A store that fails at the N-th call, for every N over the multi-record operations of this
//! slice: afterwards no half-created user is readable and no username is taken without a user.

mod common;
use std::cell::Cell;

use common::*;
use edge_sso::store::{Commit, ListPage, StoreError};
use edge_sso::{Code, MemoryStore, Store};
use serde_json::json;

/// Fails every call from the `fail_at`-th on while `failing` is set; counts calls.
struct FaultyStore {
    pub inner: MemoryStore,
    calls: Cell<u32>,
    fail_at: Cell<u32>,
    /// Write conflicts: from the `conflict_from`-th commit on, the next `conflicts` commits lose.
    commits: Cell<u32>,
    conflict_from: Cell<u32>,
    conflicts: Cell<u32>,
}

impl FaultyStore {
    fn new() -> Self {
        FaultyStore {
            inner: MemoryStore::new(),
            calls: Cell::new(0),
            fail_at: Cell::new(u32::MAX),
            commits: Cell::new(0),
            conflict_from: Cell::new(u32::MAX),
            conflicts: Cell::new(0),
        }
    }
    /// The `from`-th commit from now and the `count - 1` after it lose a write conflict.
    fn conflict(&self, from: u32, count: u32) {
        self.commits.set(0);
        self.conflict_from.set(from);
        self.conflicts.set(count);
    }
    fn tick(&self) -> Result<(), StoreError> {
        let n = self.calls.get() + 1;
        self.calls.set(n);
        if n == self.fail_at.get() {
            Err(StoreError("injected failure".into()))
        } else {
            Ok(())
        }
    }
    fn arm(&self, n: u32) {
        self.calls.set(0);
        self.fail_at.set(n);
    }
    fn disarm(&self) {
        self.fail_at.set(u32::MAX);
    }
}

impl Store for FaultyStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.tick()?;
        self.inner.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<(), StoreError> {
        self.tick()?;
        self.inner.put(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.tick()?;
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: Option<u32>) -> Result<ListPage, StoreError> {
        self.tick()?;
        self.inner.list(prefix, cursor, limit).await
    }
    async fn put_if_absent(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<Option<bool>, StoreError> {
        self.tick()?;
        self.inner.put_if_absent(key, value, ttl).await
    }
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        self.tick()?;
        self.inner.get_many(keys).await
    }
    async fn commit(&self, commit: &Commit) -> Result<Option<bool>, StoreError> {
        self.tick()?;
        // An injected write conflict: the commit loses, as if another request had won.
        let n = self.commits.get() + 1;
        self.commits.set(n);
        if self.conflicts.get() > 0 && n >= self.conflict_from.get() {
            self.conflicts.set(self.conflicts.get() - 1);
            return Ok(Some(false));
        }
        self.inner.commit(commit).await
    }
    fn is_atomic(&self) -> bool {
        true
    }
}

#[test]
fn create_user_survives_a_failure_at_every_store_call() {
    let mut cases = 0;
    for n in 1..=30 {
        let f = Fixture::with_store(FaultyStore::new(), json!({ "signup": { "is_approval_needed": false } }));
        let admin = f.admin_ust();
        f.sso.store().arm(n);
        let result = f.create(&admin, json!({ "username": "victim", "password": "victim passphrase", "sign_up_status": "final" }));
        let calls = f.sso.store().calls.get();
        f.sso.store().disarm();
        if n > calls {
            assert!(result.is_ok(), "no failure injected, yet {result:?}");
            break;
        }
        cases += 1;
        match result {
            // The failure hit the best-effort undo only: the user is whole.
            Ok(_) => {
                f.login("victim", "victim passphrase").unwrap();
            }
            Err(e) => {
                assert_eq!(e.sub_status, vec![Code::InternalError], "call {n}: {e:?}");
                assert!(!e.message().contains("victim passphrase"));
                // Nobody can log in as a half-created user, and the name is free again.
                assert_code(f.login("victim", "victim passphrase"), Code::AuthNotAllowed, false);
                f.create(&admin, json!({ "username": "victim", "password": "victim passphrase" })).unwrap();
                f.login("victim", "victim passphrase").unwrap();
            }
        }
    }
    println!("fault cases: create {cases}, 0 invariant violations");
    assert!(cases >= 3, "only {cases} failure points exercised");
}

#[test]
fn login_and_logout_survive_a_failure_at_every_store_call() {
    let mut cases = 0;
    for n in 1..=40 {
        let f = Fixture::with_store(FaultyStore::new(), json!({}));
        f.bootstrap();
        f.sso.store().arm(n);
        let result = f.login(ADMIN, ADMIN_PASSWORD);
        let calls = f.sso.store().calls.get();
        f.sso.store().disarm();
        if n <= calls {
            cases += 1;
        }
        match result {
            Ok(r) => {
                assert!(n > calls || f.get_current(&r.ust).is_ok());
                if n > calls {
                    println!("fault cases: login {cases}, 0 invariant violations");
                    break;
                }
            }
            Err(e) => assert_eq!(e.sub_status, vec![Code::InternalError]),
        }
        // Whatever happened, the user can still log in and out.
        let ust = f.login(ADMIN, ADMIN_PASSWORD).unwrap().ust;
        block_on(f.sso.logout(&caller().with_ust(&ust))).unwrap();
        assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    }
}

#[test]
fn a_failing_audit_log_fails_the_operation_before_it_runs() {
    struct BrokenAudit;
    impl edge_sso::Audit for BrokenAudit {
        async fn record(&self, _e: &edge_sso::AuditEvent) -> Result<(), edge_sso::audit::AuditError> {
            Err(edge_sso::audit::AuditError("disk full".into()))
        }
    }
    let sso = edge_sso::Sso::new(MemoryStore::new(), BrokenAudit, keys(), config(json!({})), Box::new(|| Some(T0)));
    let mut data = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    let e = block_on(sso.create_super_user(None, &mut data)).unwrap_err();
    assert_eq!(e.sub_status, vec![Code::InternalError]);
    assert!(e.message().contains("audit"));
    assert!(sso.store().is_empty(), "nothing ran unrecorded");
}

#[test]
fn a_broken_clock_is_an_internal_error() {
    let sso = edge_sso::Sso::new(MemoryStore::new(), edge_sso::NoAudit, keys(), config(json!({})), Box::new(|| None));
    let mut data = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    assert_code(block_on(sso.create_super_user(None, &mut data)), Code::InternalError, false);
}

/// Runs `op` on a fresh fixture prepared by `setup`, with the store failing at call N, for
/// every N until the operation no longer reaches a failure; then checks `invariant`.
fn every_failure_point(
    setup: impl Fn(&Fixture<FaultyStore>) -> Vec<String>,
    op: impl Fn(&Fixture<FaultyStore>, &[String]) -> Result<serde_json::Value, edge_sso::SsoError>,
    invariant: impl Fn(&Fixture<FaultyStore>, &[String], bool),
) -> u32 {
    for n in 1..=200 {
        let f = Fixture::with_store(FaultyStore::new(), json!({}));
        let ctx = setup(&f);
        f.sso.store().arm(n);
        let result = op(&f, &ctx);
        let calls = f.sso.store().calls.get();
        f.sso.store().disarm();
        if n > calls {
            assert!(result.is_ok(), "no failure injected, yet {result:?}");
            invariant(&f, &ctx, true);
            // Calls 1 ..= n - 1 each failed once: that many cases.
            return n - 1;
        }
        if let Err(e) = &result {
            assert_eq!(e.sub_status, vec![Code::InternalError], "call {n}: {e:?}");
        }
        invariant(&f, &ctx, result.is_ok());
    }
    panic!("the operation never ran without a failure");
}

fn victim(f: &Fixture<FaultyStore>) -> Vec<String> {
    let admin = f.admin_ust();
    let mut d = obj(json!({ "username": "victim", "password": "victim passphrase", "email": "v@example.com" }));
    block_on(f.sso.create_user(&caller().with_ust(&admin), &mut d, edge_sso::CreateOptions { auto_approve: true })).unwrap();
    let ust = f.login("victim", "victim passphrase").unwrap().ust;
    f.call("user.attr.create", json!([null, "a", 1, ust, APP, ADDR])).unwrap();
    f.call("user.session.attr.create", json!([null, "s", 1, ust, ust, APP, ADDR])).unwrap();
    vec![admin, d["user_id"].as_str().unwrap().to_string(), ust]
}

#[test]
fn delete_with_cascade_leaves_nothing_readable_at_any_failure_point() {
    let cases = every_failure_point(
        victim,
        |f, c| f.call("user.deleteUserById", json!([null, c[1], c[0], APP, ADDR])),
        |f, c, done| {
            let (admin, id, ust) = (&c[0], &c[1], &c[2]);
            match f.get_by_id(id, admin) {
                // The record survived: the user is whole and works.
                Ok(_) => {
                    assert!(!done);
                    f.login("victim", "victim passphrase").unwrap();
                    assert_eq!(f.call("user.attr.get", json!([null, "a", ust, APP, ADDR])).unwrap()["value"], json!(1));
                }
                // The record is gone: nothing of the user is readable.
                Err(_) => {
                    assert_code(f.get_current(ust), Code::SessionNoSuchSession, false);
                    assert_code(f.login("victim", "victim passphrase"), Code::AuthNotAllowed, false);
                    assert_code(f.call("user.attr.get", json!([null, "a", admin, APP, ADDR, { "userId": id }])), Code::AuthNotAllowed, false);
                    let found = f.call("user.search", json!([null, { "user_id": id }, admin, APP, ADDR])).unwrap();
                    assert_eq!(found["total"], json!(0));
                    // cleanup reclaims what the interrupted cascade left.
                    f.call("cleanup", json!([])).unwrap();
                    let left: Vec<String> = f
                        .sso
                        .store()
                        .inner
                        .dump()
                        .into_iter()
                        .filter(|(k, v)| k.contains(id.as_str()) || v.contains(id.as_str()))
                        .map(|(k, _)| k)
                        .collect();
                    assert!(
                        left.iter().all(|k| k.starts_with("sso/email/") || k.starts_with("sso/confirm/") || k.starts_with("sso/username/")),
                        "{left:?}"
                    );
                }
            }
        },
    );
    println!("fault cases: delete with cascade {cases}, 0 invariant violations");
    assert!(cases >= 4, "{cases}");
}

#[test]
fn rename_keeps_exactly_one_name_at_any_failure_point() {
    let cases = every_failure_point(
        victim,
        |f, c| f.call("user.updateUserById", json!([null, c[1], { "username": "renamed" }, c[0], APP, ADDR])),
        |f, c, done| {
            let name = f.get_by_id(&c[1], &c[0]).unwrap()["username"].as_str().unwrap().to_string();
            if done {
                assert_eq!(name, "renamed");
            }
            // The name the record has logs in; the other one is free (or becomes free).
            f.login(&name, "victim passphrase").unwrap();
            let other = if name == "victim" { "renamed" } else { "victim" };
            assert_code(f.login(other, "victim passphrase"), Code::AuthNotAllowed, false);
        },
    );
    println!("fault cases: rename {cases}, 0 invariant violations");
    assert!(cases >= 2, "{cases}");
}

#[test]
fn confirm_signup_is_all_or_nothing_at_any_failure_point() {
    let cases = every_failure_point(
        |f| {
            f.bootstrap();
            let token = f.call("user.signup", json!([null, { "username": "newbie", "password": "newbie passphrase" }, APP, ADDR])).unwrap();
            vec![token.as_str().unwrap().to_string()]
        },
        |f, c| f.call("user.confirmSignup", json!([null, c[0], APP, ADDR])),
        |f, c, done| {
            let again = f.call("user.confirmSignup", json!([null, c[0], APP, ADDR]));
            if done {
                assert_code(again, Code::AuthSignUpConfirmed, false);
            } else {
                // Either the first confirm landed or this one does.
                assert!(again.is_ok() || again.unwrap_err().has(Code::AuthSignUpConfirmed));
            }
        },
    );
    println!("fault cases: confirm sign-up {cases}, 0 invariant violations");
    assert!(cases >= 2, "{cases}");
}

#[derive(Default)]
struct CaptureReset {
    tokens: std::cell::RefCell<Vec<String>>,
}

impl edge_sso::Hooks for CaptureReset {
    async fn send_password_reset(&self, msg: &serde_json::Value) -> Result<bool, edge_sso::hooks::HookError> {
        self.tokens.borrow_mut().push(msg["token"].as_str().unwrap_or_default().to_string());
        Ok(true)
    }
}

#[test]
fn password_reset_is_single_use_at_any_failure_point() {
    let mut cases = 0;
    for n in 1..=100 {
        // With end_sessions (the strict profile's), so that ending the sessions can fail too.
        let conf = config(json!({ "password_reset": { "end_sessions": true } }));
        let sso = edge_sso::Sso::with_hooks(
            FaultyStore::new(),
            edge_sso::MemoryAudit::default(),
            CaptureReset::default(),
            keys(),
            conf,
            Box::new(|| Some(T0)),
        );
        let login = |p: &str| block_on(sso.login(&caller(), "r", p, Default::default()));
        let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
        block_on(sso.create_super_user(None, &mut boot)).unwrap();
        let admin = block_on(sso.login(&caller(), ADMIN, ADMIN_PASSWORD, Default::default())).unwrap().ust;
        let mut d = obj(json!({ "username": "r", "password": "old passphrase", "email": "r@example.com" }));
        block_on(sso.create_user(&caller().with_ust(&admin), &mut d, edge_sso::CreateOptions { auto_approve: true })).unwrap();
        block_on(sso.create_reset_token(&caller(), "r", None)).unwrap();
        let token = sso.hooks_for_tests().tokens.borrow()[0].clone();
        let key = block_on(sso.access_reset_token(&caller(), &token, None)).unwrap();
        sso.store().arm(n);
        let result = block_on(sso.reset_password(&caller(), "new passphrase", &token, &key, None, None));
        let calls = sso.store().calls.get();
        sso.store().disarm();
        let (new_works, old_works) = (login("new passphrase").is_ok(), login("old passphrase").is_ok());
        assert!(new_works != old_works, "call {n}: exactly one password works");
        let again = block_on(sso.reset_password(&caller(), "third passphrase", &token, &key, None, None));
        if n > calls {
            assert!(result.is_ok() && new_works);
            assert_code(again, Code::PasswordResetCouldNotAccess, false);
            break;
        }
        cases += 1;
        assert_eq!(result.unwrap_err().sub_status, vec![Code::InternalError]);
        if new_works {
            assert_code(again, Code::PasswordResetCouldNotAccess, false);
        }
    }
    println!("fault cases: password reset {cases}, 0 invariant violations");
    assert!(cases >= 3, "{cases}");
}

/// Runs `op` with write conflicts injected: from the `from`-th commit on, `count` commits lose
/// as if another request had won, for every `from` the operation reaches and `count` of 1, 3
/// and 8 (8 exhausts the retries). The result is success or E008005, never anything else, and
/// `invariant` holds either way. Returns the number of cases.
fn every_conflict(
    setup: impl Fn(&Fixture<FaultyStore>) -> Vec<String>,
    op: impl Fn(&Fixture<FaultyStore>, &[String]) -> Result<serde_json::Value, edge_sso::SsoError>,
    invariant: impl Fn(&Fixture<FaultyStore>, &[String], bool),
) -> u32 {
    let mut cases = 0;
    for count in [1, 3, 8] {
        for from in 1..=20 {
            let f = Fixture::with_store(FaultyStore::new(), json!({}));
            let ctx = setup(&f);
            f.sso.store().conflict(from, count);
            let result = op(&f, &ctx);
            let reached = f.sso.store().commits.get() >= from;
            f.sso.store().conflict(u32::MAX, 0);
            if let Err(e) = &result {
                assert_eq!(e.sub_status, vec![Code::Conflict], "from {from}, {count} conflicts: {e:?}");
                assert!(count >= 8 || !reached, "a few conflicts are retried away: {e:?}");
            }
            invariant(&f, &ctx, result.is_ok());
            if !reached {
                break;
            }
            cases += 1;
        }
    }
    cases
}

#[test]
fn write_conflicts_are_retried_and_never_leave_half_a_change() {
    let mut total = 0;
    total += every_conflict(
        |f| vec![f.admin_ust()],
        |f, c| {
            f.call(
                "user.createUser",
                json!([null, { "username": "victim", "password": "victim passphrase" }, c[0], APP, ADDR, { "autoApprove": true }]),
            )
        },
        |f, c, ok| {
            if ok {
                f.login("victim", "victim passphrase").unwrap();
            } else {
                assert_code(f.login("victim", "victim passphrase"), Code::AuthNotAllowed, false);
                f.call(
                    "user.createUser",
                    json!([null, { "username": "victim", "password": "victim passphrase" }, c[0], APP, ADDR, { "autoApprove": true }]),
                )
                .unwrap();
                f.login("victim", "victim passphrase").unwrap();
            }
        },
    );
    total += every_conflict(
        victim,
        |f, c| f.call("user.lockUser", json!([null, c[1], c[0], APP, ADDR])),
        |f, c, ok| {
            let locked = f.get_by_id(&c[1], &c[0]).unwrap()["is_locked"] == json!(true);
            assert_eq!(locked, ok, "locked exactly when the lock succeeded");
            assert_eq!(f.get_current(&c[2]).is_err(), ok, "the session ends exactly with the lock");
        },
    );
    total += every_conflict(
        victim,
        |f, c| f.call("user.changePassword", json!([null, { "new_password": "the admin's choice", "user_id": c[1] }, c[0], APP, ADDR])),
        |f, c, ok| {
            assert_eq!(f.login("victim", "the admin's choice").is_ok(), ok);
            assert_eq!(f.login("victim", "victim passphrase").is_ok(), !ok);
            assert_eq!(f.get_current(&c[2]).is_err(), ok);
        },
    );
    total += every_conflict(
        victim,
        |f, _| f.login("victim", "victim passphrase").map(|r| json!(r.ust)),
        |f, _, _| {
            let ust = f.login("victim", "victim passphrase").unwrap().ust;
            f.get_current(&ust).unwrap();
        },
    );
    total += every_conflict(
        victim,
        |f, c| f.call("user.session.renew", json!([null, c[2], APP, ADDR])),
        |f, c, _| {
            f.get_current(&c[2]).unwrap();
        },
    );
    total += every_conflict(
        victim,
        |f, c| f.call("user.attr.set", json!([null, "a", 2, c[2], APP, ADDR])),
        |f, c, ok| {
            let v = f.call("user.attr.get", json!([null, "a", c[2], APP, ADDR])).unwrap();
            assert_eq!(v["value"], json!(if ok { 2 } else { 1 }));
        },
    );
    total += every_conflict(
        victim,
        |f, c| f.call("user.deleteUserById", json!([null, c[1], c[0], APP, ADDR])),
        |f, c, ok| {
            assert_eq!(f.get_by_id(&c[1], &c[0]).is_err(), ok);
            assert_eq!(f.login("victim", "victim passphrase").is_err(), ok);
        },
    );
    total += every_conflict(
        |f| {
            f.bootstrap();
            let token = f.call("user.signup", json!([null, { "username": "newbie", "password": "newbie passphrase" }, APP, ADDR])).unwrap();
            vec![token.as_str().unwrap().to_string()]
        },
        |f, c| f.call("user.confirmSignup", json!([null, c[0], APP, ADDR])),
        |f, c, ok| {
            let again = f.call("user.confirmSignup", json!([null, c[0], APP, ADDR]));
            if ok {
                assert_code(again, Code::AuthSignUpConfirmed, false);
            } else {
                again.unwrap();
            }
        },
    );
    println!("write-conflict cases: {total}, 0 invariant violations");
    assert!(total >= 20, "{total}");
}

/// passlib's pbkdf2_sha512 of "password" (1000 rounds), as Zato stores it.
const ZATO_PBKDF2: &str =
    "$pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA$715rqIr5dXOVPpBhqqsugl037zT5bWJTWYmZtIcK8hBnisKpwfY7kokvwjDrNHqHhF50Pb7MD6HvkJwiDQw4ww";

#[test]
fn an_import_interrupted_at_any_call_is_whole_or_absent_and_a_rerun_completes_it() {
    let row = json!({
        "user_id": "zusr-zed", "username": "zed", "password": ZATO_PBKDF2, "email": "zed@example.com",
        "attributes": [{ "name": "plan", "value": "gold" }],
    });
    let cases = every_failure_point(
        |_| Vec::new(),
        |f, _| f.call("admin.importUser", json!([null, row.clone()])),
        |f, _, done| {
            // Whatever happened, the user is either absent or logs in with its Zato password.
            let here = f.record("zusr-zed").is_some();
            if here {
                f.login("zed", "password").unwrap();
            } else {
                assert!(!done);
                assert_code(f.login("zed", "password"), Code::AuthNotAllowed, false);
            }
            // The re-run the importer makes: done now, with its attributes, and one user only.
            let again = f.call("admin.importUser", json!([null, row.clone(), { "update": true }])).unwrap();
            assert!(again["result"] == json!("imported") || again["result"] == json!("updated"), "{again}");
            let ust = f.login("zed", "password").unwrap().ust;
            assert_eq!(f.call("user.attr.get", json!([null, "plan", ust, APP, ADDR])).unwrap()["value"], json!("gold"));
            let users = f.sso.store().inner.dump().into_iter().filter(|(k, _)| k.starts_with("sso/user/")).count();
            assert_eq!(users, 1);
        },
    );
    println!("fault cases: import {cases}, 0 invariant violations");
    assert!(cases >= 2, "{cases}");
}

#[test]
fn a_link_or_an_external_session_interrupted_at_any_call_leaves_a_working_state() {
    use edge_sso::linked::definitions::SecurityDefinitions;
    use edge_sso::linked::external::Proof;
    let defs = || SecurityDefinitions::from_json(&json!({ "basic_auth": [{ "id": "1", "username": "svc", "password": "basic secret" }] })).unwrap();
    let external = |f: &Fixture<FaultyStore>| {
        block_on(f.sso.external_session(
            &Caller { cid: None, current_app: "", remote_addr: ADDR },
            Proof::Basic { username: "svc", password: "basic secret" },
            None,
            None,
        ))
    };
    let mut cases = 0;
    for step in ["link", "session"] {
        for n in 1..=200 {
            let Fixture { sso, clock } = Fixture::with_store(FaultyStore::new(), json!({}));
            let f = Fixture { sso: sso.with_security_definitions(defs()), clock };
            let admin = f.admin_ust();
            let (id, _) = f.regular(&admin, "u", "user passphrase 1");
            let link = || f.call("user.createLinkedAuth", json!([null, admin, id, "basic_auth", "svc", true, APP, ADDR]));
            if step == "session" {
                link().unwrap();
            }
            f.sso.store().arm(n);
            let result = if step == "link" { link().map(|_| ()) } else { external(&f).map(|_| ()) };
            let calls = f.sso.store().calls.get();
            f.sso.store().disarm();
            if let Err(e) = &result {
                assert!(e.is_host_failure() || e.sub_status == vec![Code::AuthNotAllowed], "{step} at call {n}: {e:?}");
            }
            // Afterwards: linking (again, if it failed) and an external session both work.
            if step == "link" && result.is_err() {
                match link() {
                    Ok(_) => {}
                    Err(e) => assert_eq!(e.sub_status, vec![Code::InvalidOperation], "the link landed before the failure: {e:?}"),
                }
            }
            let r = external(&f).unwrap();
            assert_eq!(f.get_current(&r.ust).unwrap()["user_id"], json!(id));
            if n > calls {
                assert!(result.is_ok(), "{step}: no failure injected, yet {result:?}");
                break;
            }
            cases += 1;
        }
    }
    println!("fault cases: link and external session {cases}, 0 invariant violations");
    assert!(cases >= 4, "{cases}");
}
