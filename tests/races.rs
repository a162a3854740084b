#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Concurrency, deterministically: a store that holds every call until the test releases the
//! whole wave at once. Operations run side by side interleave at each wave, the same way on
//! every run, and the number of waves an operation waits for is its count of sequential
//! round trips (the budgets of the races issue). Nothing here is timed.

mod common;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use common::*;
use edge_sso::store::{Commit, ListPage, StoreError};
use edge_sso::{Code, LoginOptions, MemoryStore, SsoError, Store};
use serde_json::{json, Value};

/// Holds each call until its wave is released; counts calls and waves.
struct WaveStore {
    inner: MemoryStore,
    next_ticket: Cell<u64>,
    released_through: Cell<u64>,
    waves: Cell<u32>,
    calls: Cell<u32>,
}

impl WaveStore {
    fn new() -> Self {
        WaveStore { inner: MemoryStore::new(), next_ticket: Cell::new(0), released_through: Cell::new(0), waves: Cell::new(0), calls: Cell::new(0) }
    }
    fn held(&self) -> bool {
        self.next_ticket.get() > self.released_through.get()
    }
    fn release(&self) {
        self.released_through.set(self.next_ticket.get());
        self.waves.set(self.waves.get() + 1);
    }
    fn reset_counts(&self) {
        self.waves.set(0);
        self.calls.set(0);
    }
    fn wait(&self) -> Ticket<'_> {
        Ticket { store: self, id: None }
    }
}

struct Ticket<'a> {
    store: &'a WaveStore,
    id: Option<u64>,
}

impl Future for Ticket<'_> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        match self.id {
            None => {
                let id = self.store.next_ticket.get() + 1;
                self.store.next_ticket.set(id);
                self.store.calls.set(self.store.calls.get() + 1);
                self.id = Some(id);
                Poll::Pending
            }
            Some(id) if id <= self.store.released_through.get() => Poll::Ready(()),
            Some(_) => Poll::Pending,
        }
    }
}

impl Store for WaveStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.wait().await;
        self.inner.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<(), StoreError> {
        self.wait().await;
        self.inner.put(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.wait().await;
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: Option<u32>) -> Result<ListPage, StoreError> {
        self.wait().await;
        self.inner.list(prefix, cursor, limit).await
    }
    async fn put_if_absent(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<Option<bool>, StoreError> {
        self.wait().await;
        self.inner.put_if_absent(key, value, ttl).await
    }
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        self.wait().await;
        self.inner.get_many(keys).await
    }
    async fn commit(&self, commit: &Commit) -> Result<Option<bool>, StoreError> {
        self.wait().await;
        self.inner.commit(commit).await
    }
    fn is_atomic(&self) -> bool {
        true
    }
}

type Op<'a> = Pin<Box<dyn Future<Output = Result<Value, SsoError>> + 'a>>;

/// Runs operations side by side: each is polled in turn until it waits on the store, then the
/// whole wave is released. Returns the results in order.
fn run_together<'a>(store: &WaveStore, mut ops: Vec<Op<'a>>) -> Vec<Result<Value, SsoError>> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut out: Vec<Option<Result<Value, SsoError>>> = ops.iter().map(|_| None).collect();
    for _ in 0..10_000 {
        for (op, slot) in ops.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                if let Poll::Ready(r) = op.as_mut().poll(&mut cx) {
                    *slot = Some(r);
                }
            }
        }
        if out.iter().all(Option::is_some) {
            return out.into_iter().flatten().collect();
        }
        assert!(store.held(), "operations wait on nothing the store holds");
        store.release();
    }
    panic!("operations never finished");
}

/// Exactly one of concurrent operations succeeded.
fn exactly_one(results: Vec<Result<Value, SsoError>>) {
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
}

fn run_one<'a>(store: &WaveStore, op: Op<'a>) -> Result<Value, SsoError> {
    run_together(store, vec![op]).pop().expect("one result")
}

/// A fixture on a wave store, with an admin, a regular user and their USTs.
struct World {
    f: Fixture<WaveStore>,
    admin: String,
    user_id: String,
    ust: String,
}

fn world(overrides: Value) -> World {
    let f = Fixture::with_store(WaveStore::new(), overrides);
    let mut data = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    run_one(f.sso.store(), Box::pin(async { f.sso.create_super_user(None, &mut data).await.map(Value::String) })).unwrap();
    let admin = login(&f, ADMIN, ADMIN_PASSWORD).unwrap();
    let mut d = obj(json!({ "username": "jo", "password": "jo's passphrase", "email": "jo@example.com" }));
    let a = admin.clone();
    run_one(
        f.sso.store(),
        Box::pin(async {
            f.sso.create_user(&caller().with_ust(&a), &mut d, edge_sso::CreateOptions { auto_approve: true }).await.map(|_| Value::Null)
        }),
    )
    .unwrap();
    let user_id = d["user_id"].as_str().unwrap().to_string();
    let ust = login(&f, "jo", "jo's passphrase").unwrap();
    World { f, admin, user_id, ust }
}

fn login(f: &Fixture<WaveStore>, username: &str, password: &str) -> Result<String, SsoError> {
    login_op(f, username, password, LoginOptions::default())
}

fn login_op(f: &Fixture<WaveStore>, username: &str, password: &str, opts: LoginOptions) -> Result<String, SsoError> {
    run_one(f.sso.store(), Box::pin(async move { f.sso.login(&caller(), username, password, opts).await.map(|r| Value::String(r.ust)) }))
        .map(|v| v.as_str().unwrap_or_default().to_string())
}

fn call<'a>(f: &'a Fixture<WaveStore>, op: &'a str, args: Value) -> Op<'a> {
    Box::pin(async move {
        let args = args.as_array().cloned().unwrap_or_default();
        f.sso.call(op, &args).await
    })
}

fn current(w: &World, ust: &str) -> Result<Value, SsoError> {
    run_one(w.f.sso.store(), call(&w.f, "user.getCurrentUser", json!([null, ust, APP, ADDR])))
}

/// Sequential round trips of each operation, on a store that answers in waves.
#[test]
fn round_trip_budgets_hold() {
    let w = world(json!({}));
    let (f, admin, uid, ust) = (&w.f, w.admin.as_str(), w.user_id.as_str(), w.ust.as_str());
    run_one(f.sso.store(), call(f, "user.attr.create", json!([null, "theme", "dark", ust, APP, ADDR]))).unwrap();
    let cases: Vec<(&str, u32, Op<'_>)> = vec![
        ("getCurrentUser", 1, call(f, "user.getCurrentUser", json!([null, ust, APP, ADDR]))),
        ("getUserById", 1, call(f, "user.getUserById", json!([null, uid, admin, APP, ADDR]))),
        ("attr.get", 1, call(f, "user.attr.get", json!([null, "theme", ust, APP, ADDR]))),
        ("attr.set", 2, call(f, "user.attr.set", json!([null, "theme", "light", ust, APP, ADDR]))),
        ("renew", 2, call(f, "user.session.renew", json!([null, ust, APP, ADDR]))),
        ("search by exact name", 2, call(f, "user.search", json!([null, { "username": "jo" }, admin, APP, ADDR]))),
        ("updateCurrentUser", 3, call(f, "user.updateCurrentUser", json!([null, { "display_name": "Jo" }, ust, APP, ADDR]))),
        ("lockUser", 3, call(f, "user.lockUser", json!([null, uid, admin, APP, ADDR]))),
        ("unlockUser", 3, call(f, "user.unlockUser", json!([null, uid, admin, APP, ADDR]))),
        (
            "login",
            3,
            Box::pin(async move { f.sso.login(&caller(), "jo", "jo's passphrase", LoginOptions::default()).await.map(|r| Value::String(r.ust)) }),
        ),
        (
            "createUser",
            4,
            call(f, "user.createUser", json!([null, { "username": "kim", "password": "kim's passphrase", "display_name": "Jo" }, admin, APP, ADDR])),
        ),
        // A page of every user (3 by now): the page's records and last logins in one round
        // trip, not one per row.
        ("search, a page of everyone", 3, call(f, "user.search", json!([null, {}, admin, APP, ADDR]))),
        // Two matches by name (jo and kim): the index, then their records in one batch, then
        // the page's last logins (not one read per match).
        ("search by display name", 4, call(f, "user.search", json!([null, { "display_name": "Jo" }, admin, APP, ADDR]))),
        ("session.getCurrent", 1, call(f, "user.session.getCurrent", json!([null, admin, APP, ADDR]))),
        ("logout", 2, call(f, "user.logout", json!([null, admin, APP, ADDR]))),
    ];
    let mut over = Vec::new();
    for (name, budget, op) in cases {
        f.sso.store().reset_counts();
        let r = run_one(f.sso.store(), op);
        assert!(r.is_ok(), "{name}: {r:?}");
        let waves = f.sso.store().waves.get();
        println!("{name}: {waves} round trips ({} calls), budget {budget}", f.sso.store().calls.get());
        if waves > budget {
            over.push(format!("{name}: {waves} > {budget}"));
        }
    }
    let admin = login(f, ADMIN, ADMIN_PASSWORD).unwrap();
    // The display-name case above had two matches to load, not one.
    let by_name = run_one(f.sso.store(), call(f, "user.search", json!([null, { "display_name": "Jo" }, admin, APP, ADDR]))).unwrap();
    assert_eq!(by_name["total"], json!(2), "{by_name}");
    let kim = f.search_id_waves("kim", &admin);
    f.sso.store().reset_counts();
    run_one(f.sso.store(), call(f, "user.deleteUserById", json!([null, kim, admin, APP, ADDR]))).unwrap();
    let waves = f.sso.store().waves.get();
    println!("deleteUserById: {waves} round trips, budget 5");
    if waves > 5 {
        over.push(format!("deleteUserById: {waves} > 5"));
    }
    assert!(over.is_empty(), "over budget: {over:?}");
}

trait SearchId {
    fn search_id_waves(&self, username: &str, admin: &str) -> String;
}

impl SearchId for Fixture<WaveStore> {
    fn search_id_waves(&self, username: &str, admin: &str) -> String {
        let r = run_one(self.sso.store(), call(self, "user.search", json!([null, { "username": username }, admin, APP, ADDR]))).unwrap();
        r["result"][0]["user_id"].as_str().unwrap().to_string()
    }
}

/// A renew racing a logout of the same session, in both orders of their writes: the session
/// stays ended.
#[test]
fn a_renew_racing_a_logout_does_not_bring_the_session_back() {
    for renew_first in [true, false] {
        let w = world(json!({}));
        let (renew, logout) =
            (call(&w.f, "user.session.renew", json!([null, w.ust, APP, ADDR])), call(&w.f, "user.logout", json!([null, w.ust, APP, ADDR])));
        let ops = if renew_first { vec![renew, logout] } else { vec![logout, renew] };
        let results = run_together(w.f.sso.store(), ops);
        assert!(results.iter().any(Result::is_ok));
        assert_code(current(&w, &w.ust), Code::SessionNoSuchSession, false);
    }
}

/// Lock, password change, rejection and deletion end the user's sessions even while a thief
/// renews one in a loop; a lock's sessions stay dead after unlock.
#[test]
fn no_session_outlives_a_lock_a_password_change_a_rejection_or_a_delete_while_renewed() {
    for action in ["lock", "password", "reject", "delete", "set_password"] {
        let w = world(json!({}));
        let (f, uid) = (&w.f, w.user_id.clone());
        let admin_op = match action {
            "lock" => call(f, "user.lockUser", json!([null, uid, w.admin, APP, ADDR])),
            "password" => call(
                f,
                "user.changePassword",
                json!([null, { "old_password": "jo's passphrase", "new_password": "a brand new passphrase" }, w.ust, APP, ADDR]),
            ),
            "reject" => call(f, "user.rejectUser", json!([null, uid, w.admin, APP, ADDR])),
            "delete" => call(f, "user.deleteUserById", json!([null, uid, w.admin, APP, ADDR])),
            _ => call(f, "user.changePassword", json!([null, { "new_password": "set by the admin", "user_id": uid }, w.admin, APP, ADDR])),
        };
        // A second session of the user: the thief's, renewed while the change runs.
        let thief = login(f, "jo", "jo's passphrase").unwrap();
        let mut ops = vec![admin_op];
        for _ in 0..5 {
            ops.push(call(f, "user.session.renew", json!([null, thief, APP, ADDR])));
        }
        let results = run_together(f.sso.store(), ops);
        assert!(results[0].is_ok(), "{action}: {:?}", results[0]);
        assert_code(current(&w, &thief), Code::SessionNoSuchSession, false);
        if action == "lock" {
            run_one(f.sso.store(), call(f, "user.unlockUser", json!([null, uid, w.admin, APP, ADDR]))).unwrap();
            assert_code(current(&w, &thief), Code::SessionNoSuchSession, false);
            assert_code(current(&w, &w.ust), Code::SessionNoSuchSession, false);
        }
        if action == "password" {
            // The changer's own session survives; every other one is dead.
            current(&w, &w.ust).unwrap();
        }
    }
}

/// A login racing a lock: whatever the order, no session of it works after the unlock.
#[test]
fn a_login_racing_a_lock_leaves_no_session_that_works_after_unlock() {
    for login_first in [true, false] {
        let w = world(json!({}));
        let f = &w.f;
        let login =
            Box::pin(async move { f.sso.login(&caller(), "jo", "jo's passphrase", LoginOptions::default()).await.map(|r| Value::String(r.ust)) })
                as Op<'_>;
        let lock = call(f, "user.lockUser", json!([null, w.user_id, w.admin, APP, ADDR]));
        let ops = if login_first { vec![login, lock] } else { vec![lock, login] };
        let results = run_together(f.sso.store(), ops);
        let ust = results[if login_first { 0 } else { 1 }].as_ref().ok().and_then(|v| v.as_str().map(str::to_string));
        run_one(f.sso.store(), call(f, "user.unlockUser", json!([null, w.user_id, w.admin, APP, ADDR]))).unwrap();
        if let Some(ust) = ust {
            assert_code(current(&w, &ust), Code::SessionNoSuchSession, false);
        }
    }
}

/// The user's own update racing an admin's lock: both land.
#[test]
fn an_update_racing_a_lock_loses_neither() {
    for update_first in [true, false] {
        let w = world(json!({}));
        let f = &w.f;
        let update = call(f, "user.updateCurrentUser", json!([null, { "display_name": "New Name" }, w.ust, APP, ADDR]));
        let lock = call(f, "user.lockUser", json!([null, w.user_id, w.admin, APP, ADDR]));
        let ops = if update_first { vec![update, lock] } else { vec![lock, update] };
        let results = run_together(f.sso.store(), ops);
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        let raw = block_on(f.sso.store().inner.get(&edge_sso::store::keys::user(&w.user_id))).unwrap().unwrap();
        let rec: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(rec["is_locked"], json!(true), "the lock was lost");
        assert_eq!(rec["display_name"], json!("New Name"), "the update was lost");
    }
}

/// A TOTP login racing an admin's password change: the new password stays, the login's
/// session (if any) dies.
#[test]
fn a_totp_login_racing_a_password_change_does_not_restore_the_old_password() {
    for login_first in [true, false] {
        let w = world(json!({}));
        let f = &w.f;
        let key = "JBSWY3DPEHPK3PXP";
        run_one(f.sso.store(), call(f, "user.updateUserById", json!([null, w.user_id, { "is_totp_enabled": true }, w.admin, APP, ADDR]))).unwrap();
        run_one(f.sso.store(), call(f, "user.resetTotpKey", json!([null, w.admin, APP, ADDR, { "userId": w.user_id, "key": key }]))).unwrap();
        let code = totp_now(f, key);
        let opts = LoginOptions { totp_code: Some(code), ..LoginOptions::default() };
        let login = Box::pin(async move { f.sso.login(&caller(), "jo", "jo's passphrase", opts).await.map(|r| Value::String(r.ust)) }) as Op<'_>;
        let change =
            call(f, "user.changePassword", json!([null, { "new_password": "the admin's choice", "user_id": w.user_id }, w.admin, APP, ADDR]));
        let ops = if login_first { vec![login, change] } else { vec![change, login] };
        let results = run_together(f.sso.store(), ops);
        let ust = results[if login_first { 0 } else { 1 }].as_ref().ok().and_then(|v| v.as_str().map(str::to_string));
        assert!(results[if login_first { 1 } else { 0 }].is_ok());
        f.advance_secs(31);
        let code = totp_now(f, key);
        assert_code(
            login_op(f, "jo", "jo's passphrase", LoginOptions { totp_code: Some(code.clone()), ..LoginOptions::default() }),
            Code::AuthNotAllowed,
            false,
        );
        login_op(f, "jo", "the admin's choice", LoginOptions { totp_code: Some(code), ..LoginOptions::default() }).unwrap();
        if let Some(ust) = ust {
            assert_code(current(&w, &ust), Code::SessionNoSuchSession, false);
        }
    }
}

/// Four logins with one TOTP code at once: exactly one session. The same for validateCode.
#[test]
fn one_totp_code_works_once_among_concurrent_uses() {
    let w = world(json!({}));
    let f = &w.f;
    let key = "JBSWY3DPEHPK3PXP";
    run_one(f.sso.store(), call(f, "user.updateUserById", json!([null, w.user_id, { "is_totp_enabled": true }, w.admin, APP, ADDR]))).unwrap();
    run_one(f.sso.store(), call(f, "user.resetTotpKey", json!([null, w.admin, APP, ADDR, { "userId": w.user_id, "key": key }]))).unwrap();
    let code = totp_now(f, key);
    let ops: Vec<Op<'_>> = (0..4)
        .map(|_| {
            let opts = LoginOptions { totp_code: Some(code.clone()), ..LoginOptions::default() };
            Box::pin(async move { f.sso.login(&caller(), "jo", "jo's passphrase", opts).await.map(|r| Value::String(r.ust)) }) as Op<'_>
        })
        .collect();
    exactly_one(run_together(f.sso.store(), ops));
    f.advance_secs(30);
    let code = totp_now(f, key);
    let ops: Vec<Op<'_>> = (0..4).map(|_| call(f, "totp.validateCode", json!([null, code, APP, ADDR, { "username": "jo" }]))).collect();
    exactly_one(run_together(f.sso.store(), ops));
}

/// A burst of wrong passwords from one address: at most the limit reach the password check,
/// and the right password sent last is refused.
#[test]
fn a_burst_of_logins_reaches_the_password_check_at_most_as_often_as_the_throttle_allows() {
    let w = world(json!({}));
    let f = &w.f;
    let mut ops: Vec<Op<'_>> = (0..39)
        .map(|i| {
            let guess = format!("wrong guess {i}");
            Box::pin(async move {
                f.sso
                    .login(&Caller { cid: None, current_app: APP, remote_addr: "203.0.113.9" }, "jo", &guess, LoginOptions::default())
                    .await
                    .map(|r| Value::String(r.ust))
            }) as Op<'_>
        })
        .collect();
    ops.push(Box::pin(async move {
        f.sso
            .login(&Caller { cid: None, current_app: APP, remote_addr: "203.0.113.9" }, "jo", "jo's passphrase", LoginOptions::default())
            .await
            .map(|r| Value::String(r.ust))
    }));
    let results = run_together(f.sso.store(), ops);
    assert!(results.iter().all(Result::is_err), "the right password, sent 40th, must not get through");
    // Only attempts the counters let through reach the password check (their answer says so);
    // the others are refused before it, blocked or beaten to the counter (E008005).
    let checked = results.iter().filter(|r| r.as_ref().err().is_some_and(|e| e.detail == "invalid username or password")).count();
    assert!((1..=10).contains(&checked), "{checked} of 40 reached the password check (limit 10)");
    for r in &results {
        let e = r.as_ref().unwrap_err();
        assert!(e.has(Code::AuthNotAllowed) || e.has(Code::Conflict), "{e:?}");
    }
}

/// Twenty creates of one username, twenty sign-ups with one email: exactly one each.
#[test]
fn uniqueness_holds_under_concurrent_creation() {
    let w = world(json!({}));
    let f = &w.f;
    let ops: Vec<Op<'_>> = (0..20)
        .map(|_| call(f, "user.createUser", json!([null, { "username": "twin", "password": "twin passphrase" }, w.admin, APP, ADDR])))
        .collect();
    exactly_one(run_together(f.sso.store(), ops));
    let ops: Vec<Op<'_>> = (0..20)
        .map(|i| {
            call(
                f,
                "user.signup",
                json!([null, { "username": format!("signer{i}"), "password": "signer passphrase", "email": "same@example.com" }, APP, ADDR]),
            )
        })
        .collect();
    exactly_one(run_together(f.sso.store(), ops));
}

/// Single-use tokens among concurrent uses: exactly one confirmation, access and reset.
#[test]
fn single_use_tokens_are_used_once() {
    let w = world(json!({}));
    let f = &w.f;
    let token =
        run_one(f.sso.store(), call(f, "user.signup", json!([null, { "username": "newbie", "password": "newbie passphrase" }, APP, ADDR]))).unwrap();
    let ops: Vec<Op<'_>> = (0..5).map(|_| call(f, "user.confirmSignup", json!([null, token, APP, ADDR]))).collect();
    exactly_one(run_together(f.sso.store(), ops));
}

/// A user (or a thief with their session) updating their own record in a loop cannot starve
/// an administrator's lock or delete: the administrator's change announces itself after one
/// lost race, and the owner's changes step aside (E008005) until it lands.
#[test]
fn an_owner_updating_in_a_loop_cannot_starve_a_lock_or_a_delete() {
    for action in ["user.lockUser", "user.deleteUserById"] {
        let w = world(json!({}));
        let f = &w.f;
        let ust = w.ust.clone();
        let updater: Op<'_> = Box::pin(async move {
            for i in 0..40 {
                let args = [Value::Null, json!({ "display_name": format!("name {i}") }), json!(ust), json!(APP), json!(ADDR)];
                match f.sso.call("user.updateCurrentUser", &args).await {
                    Ok(_) => {}
                    Err(e) if e.has(Code::Conflict) => {}
                    Err(_) => break, // locked or deleted: the session is gone
                }
            }
            Ok(Value::Null)
        });
        let admin = call(f, action, json!([null, w.user_id, w.admin, APP, ADDR]));
        let results = run_together(f.sso.store(), vec![updater, admin]);
        assert!(results[1].is_ok(), "{action} starved: {:?}", results[1]);
    }
}
