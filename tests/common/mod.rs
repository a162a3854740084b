//! Shared fixture for the native tests: an `Sso` over an in-memory store and audit log, with
//! a clock the test moves by hand and Argon2 parameters small enough for a test suite.
#![allow(dead_code)]

use std::cell::Cell;
use std::rc::Rc;

use edge_sso::crypto::seal::KeyRing;
pub use edge_sso::Caller;
use edge_sso::{Code, Config, LoginOptions, MemoryAudit, MemoryStore, Sso, SsoError, Store};
use serde_json::{json, Map, Value};

pub type TestSso<S = MemoryStore> = Sso<S, MemoryAudit>;

/// 2024-01-01T00:00:00Z, a Monday: far from any TOTP step boundary.
pub const T0: i64 = 1_704_067_200_000;
pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "correct horse battery";
pub const APP: &str = "CRM";
pub const ADDR: &str = "10.0.0.1";

/// The tests' usual caller: no cid, app `APP`, address `ADDR`.
pub fn caller() -> Caller<'static> {
    Caller { cid: None, current_app: APP, remote_addr: ADDR }
}

pub struct Fixture<S: Store = MemoryStore> {
    pub sso: TestSso<S>,
    pub clock: Rc<Cell<i64>>,
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

/// The defaults, with cheap Argon2 parameters and, unless overridden, approval not needed.
pub fn config(overrides: Value) -> Config {
    let mut base = json!({ "argon2": { "m_cost": 64, "t_cost": 1, "p_cost": 1 } });
    merge(&mut base, overrides);
    Config::from_json(&base).expect("test config is valid")
}

/// Deep-merges `over` into `base` (objects key by key, anything else replaced).
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o,
    }
}

pub fn keys() -> KeyRing {
    KeyRing::from_raw(vec![[7u8; 32]])
}

impl Fixture<MemoryStore> {
    pub fn new(overrides: Value) -> Self {
        Fixture::with_store(MemoryStore::new(), overrides)
    }
}

impl<S: Store> Fixture<S> {
    pub fn with_store(store: S, overrides: Value) -> Self {
        Fixture::with_store_and_keys(store, overrides, keys())
    }

    pub fn with_store_and_keys(store: S, overrides: Value, keys: KeyRing) -> Self {
        let clock = Rc::new(Cell::new(T0));
        let c = clock.clone();
        let sso = Sso::new(store, MemoryAudit::default(), keys, config(overrides), Box::new(move || Some(c.get())));
        Fixture { sso, clock }
    }

    pub fn advance_secs(&self, secs: i64) {
        self.clock.set(self.clock.get() + secs * 1000);
    }

    pub fn advance_days(&self, days: i64) {
        self.advance_secs(days * 86_400);
    }

    /// Creates the bootstrap super-user and returns its id.
    pub fn bootstrap(&self) -> String {
        let mut data = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
        block_on(self.sso.create_super_user(None, &mut data)).expect("bootstrap")
    }

    pub fn login(&self, username: &str, password: &str) -> Result<edge_sso::LoginResult, SsoError> {
        block_on(self.sso.login(&caller(), username, password, LoginOptions::default()))
    }

    pub fn login_with(&self, username: &str, password: &str, opts: LoginOptions) -> Result<edge_sso::LoginResult, SsoError> {
        block_on(self.sso.login(&caller(), username, password, opts))
    }

    /// Bootstraps and logs the super-user in; returns the UST.
    pub fn admin_ust(&self) -> String {
        self.bootstrap();
        self.login(ADMIN, ADMIN_PASSWORD).expect("admin login").ust
    }

    pub fn create(&self, admin_ust: &str, data: Value) -> Result<Map<String, Value>, SsoError> {
        let mut data = obj(data);
        block_on(self.sso.create_user(&caller().with_ust(admin_ust), &mut data, Default::default()))?;
        Ok(data)
    }

    pub fn get_current(&self, ust: &str) -> Result<Map<String, Value>, SsoError> {
        block_on(self.sso.get_current_user(&caller().with_ust(ust)))
    }

    pub fn get_by_id(&self, user_id: &str, ust: &str) -> Result<Map<String, Value>, SsoError> {
        block_on(self.sso.get_user_by_id(&caller().with_ust(ust), user_id))
    }

    pub fn audit_ops(&self) -> Vec<&'static str> {
        self.sso.audit_sink().events.borrow().iter().map(|e| e.op).collect()
    }
}

pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

/// Asserts the error's codes and reveal flag.
#[track_caller]
pub fn assert_code<T: std::fmt::Debug>(r: Result<T, SsoError>, code: Code, reveal: bool) {
    match r {
        Ok(v) => panic!("expected {code} but the call succeeded: {v:?}"),
        Err(e) => {
            assert_eq!(e.sub_status, vec![code], "wrong code: {e:?}");
            assert_eq!(e.reveal, reveal, "wrong reveal flag for {e:?}");
        }
    }
}

/// RFC 6238 code for `key` at the fixture's current time.
pub fn totp_now<S: Store>(f: &Fixture<S>, key: &str) -> String {
    edge_sso::crypto::totp::totp_code(key, (f.clock.get() / 1000) as u64).expect("valid key")
}

impl<S: Store> Fixture<S> {
    /// Runs an operation of the table by its JavaScript name.
    pub fn call(&self, op: &str, args: Value) -> Result<Value, SsoError> {
        let args = match args {
            Value::Array(a) => a,
            _ => panic!("args must be an array"),
        };
        block_on(self.sso.call(op, &args))
    }

    /// Creates an approved regular user and returns (user_id, ust).
    pub fn regular(&self, admin_ust: &str, username: &str, password: &str) -> (String, String) {
        let mut data = obj(json!({ "username": username, "password": password }));
        block_on(self.sso.create_user(&caller().with_ust(admin_ust), &mut data, edge_sso::CreateOptions { auto_approve: true })).expect("create");
        let ust = self.login(username, password).expect("login").ust;
        (data["user_id"].as_str().unwrap().to_string(), ust)
    }

    /// The stored record of a user, as JSON.
    pub fn record(&self, user_id: &str) -> Option<Value>
    where
        S: Store,
    {
        block_on(self.sso.store().get(&edge_sso::store::keys::user(user_id))).ok().flatten().map(|t| serde_json::from_str(&t).unwrap())
    }
}

impl<S: Store> Fixture<S> {
    /// The user_id of `username`, through search.
    pub fn search_id(&self, username: &str, admin_ust: &str) -> String {
        let r = self.call("user.search", json!([null, { "username": username }, admin_ust, APP, ADDR])).expect("search");
        r["result"][0]["user_id"].as_str().expect("found").to_string()
    }
}
