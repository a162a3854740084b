//! The `Sso` object: configuration, keys, the host's store, audit log and clock, and the
//! plumbing every operation shares (request context, audit, typed store access).

use std::net::IpAddr;

use serde::{de::DeserializeOwned, Serialize};
use serde_json::{Map, Value};

use crate::audit::{Audit, AuditEvent};
use crate::caller::Caller;
use crate::config::Config;
use crate::crypto::password::Argon2Params;
use crate::crypto::seal::KeyRing;
use crate::error::{SsoError, SsoResult};
use crate::hooks::{Hooks, NoHooks};
use crate::net;
use crate::store::{join_all, Commit, Store, StoreError, MIN_TTL_SECS};
use crate::time::{self, Timestamp};

/// The host clock: milliseconds since the Unix epoch, or `None` when it failed.
pub type Clock = Box<dyn Fn() -> Option<i64>>;

/// Longest string accepted for a cid, an app name or a user agent.
pub const MAX_SHORT_INPUT: usize = 1024;

/// The SSO core: every operation is a method on it. Generic over the host's store, audit sink and hooks.
pub struct Sso<S: Store, A: Audit, H: Hooks = NoHooks> {
    pub(crate) store: S,
    pub(crate) audit: A,
    pub(crate) hooks: H,
    pub(crate) config: Config,
    pub(crate) keys: KeyRing,
    pub(crate) clock: Clock,
    pub(crate) argon2: Argon2Params,
    /// The host's security definitions users may be linked to (spec §3.18).
    pub(crate) definitions: crate::linked::definitions::SecurityDefinitions,
}

/// What every operation knows about its request: who asked, from where, when.
#[derive(Debug, Clone)]
pub struct Request {
    /// Correlation id: the caller's, or a new one.
    pub cid: String,
    /// The application the request comes from (spec §1.3).
    pub current_app: String,
    /// The client's addresses (spec §1.4); may be empty.
    pub remote_addr: Vec<IpAddr>,
    /// The host clock's time when the request started.
    pub now: Timestamp,
}

impl Request {
    /// `extra.remote_addr` of the audit record: exploded addresses joined with `;`.
    pub fn audit_remote_addr(&self) -> String {
        self.remote_addr.iter().map(net::exploded).collect::<Vec<_>>().join(";")
    }
    /// The session's stored form: addresses joined with `", "`.
    pub fn stored_remote_addr(&self) -> String {
        self.remote_addr.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
    }
}

pub(crate) fn store_failed(op: &str, e: StoreError) -> SsoError {
    let mut msg = e.0;
    truncate_chars(&mut msg, 160);
    SsoError::internal(format!("the store failed in {op}: {msg}"))
}

pub(crate) fn truncate_chars(s: &mut String, max: usize) {
    if let Some((idx, _)) = s.char_indices().nth(max) {
        s.truncate(idx);
        s.push('…');
    }
}

impl<S: Store, A: Audit> Sso<S, A, NoHooks> {
    /// An SSO core without host hooks.
    pub fn new(store: S, audit: A, keys: KeyRing, config: Config, clock: Clock) -> Self {
        Sso::with_hooks(store, audit, NoHooks, keys, config, clock)
    }
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// An SSO core with the host's hooks.
    pub fn with_hooks(store: S, audit: A, hooks: H, keys: KeyRing, config: Config, clock: Clock) -> Self {
        let argon2 = Argon2Params { m_cost: config.argon2.m_cost, t_cost: config.argon2.t_cost, p_cost: config.argon2.p_cost };
        Sso { store, audit, hooks, config, keys, clock, argon2, definitions: Default::default() }
    }

    /// Not in Zato: what a sign-up or password form may state up front, and what a console may
    /// offer: the password policy, the username length, whether search by email works. No
    /// secret and nothing about any user.
    pub fn public_policy(&self) -> serde_json::Value {
        let c = &self.config;
        serde_json::json!({
            "password": {
                "min_length": c.password.min_length, "max_length": c.password.max_length,
                "reject_list": c.password.reject_list, "common_list": c.password.common_list,
            },
            "username": { "max_length": c.signup.max_length_username },
            "search": { "by_email": !c.main.encrypt_email },
        })
    }

    /// The security definitions users may be linked to (spec §3.18); none by default.
    pub fn with_security_definitions(mut self, definitions: crate::linked::definitions::SecurityDefinitions) -> Self {
        self.definitions = definitions;
        self
    }

    /// The `strict` profile refuses a store without a native atomic `commit`: without one,
    /// concurrent requests can interleave their read-check-write steps (README "Stores").
    pub fn check_store(&self) -> SsoResult<()> {
        if self.config.profile == "strict" && !self.store.is_atomic() {
            return Err(SsoError::invalid_input(
                "the strict profile needs a store with an atomic commit (MemoryStore, DurableObjectStore, DenoKvStore, IndexedDbStore, or your own commit)",
            ));
        }
        Ok(())
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The host's store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The host hooks (for tests that inspect what a hook saw).
    pub fn hooks_for_tests(&self) -> &H {
        &self.hooks
    }

    /// The audit sink (for tests that read the records written).
    pub fn audit_sink(&self) -> &A {
        &self.audit
    }

    pub(crate) fn now(&self) -> SsoResult<Timestamp> {
        (self.clock)().and_then(time::from_millis).ok_or_else(|| SsoError::internal("the clock gave no valid time"))
    }

    pub(crate) fn now_ms(&self) -> SsoResult<i64> {
        Ok(self.now()?.and_utc().timestamp_millis())
    }

    /// Builds the request context from what the caller gave: a cid (generated when none is
    /// given), the app name and the parsed remote address list (an unparseable address is bad
    /// input, spec §10 O-48).
    pub(crate) fn request(&self, caller: &Caller<'_>) -> SsoResult<Request> {
        let cid = match caller.cid.filter(|c| !c.is_empty()) {
            Some(c) if c.chars().count() > 128 => return Err(SsoError::invalid_input("cid is longer than 128 characters")),
            Some(c) => c.to_string(),
            None => new_cid()?,
        };
        if caller.current_app.len() > MAX_SHORT_INPUT {
            return Err(SsoError::invalid_input("current_app is too long"));
        }
        let remote_addr = net::parse_remote_addr(caller.remote_addr)
            .map_err(|_| SsoError::invalid_input("remote_addr is not a comma-separated list of IP addresses"))?;
        Ok(Request { cid, current_app: caller.current_app.to_string(), remote_addr, now: self.now()? })
    }

    /// The context of work no client asked for (housekeeping, the CLI): no address.
    pub(crate) fn internal_request(&self, cid: Option<&str>, current_app: &str) -> SsoResult<Request> {
        self.request(&Caller { cid, current_app, remote_addr: "" })
    }

    /// Writes one audit record. An audit log that cannot be written fails the operation.
    pub(crate) async fn audit(&self, req: &Request, op: &'static str, target_user: Option<&str>, extra: Vec<(&str, Value)>) -> SsoResult<()> {
        self.write_audit(req, op, target_user, None, extra).await
    }

    /// Writes one audit record that states how the operation ended (`result`).
    pub(crate) async fn audit_result(&self, req: &Request, op: &'static str, result: &str, extra: Vec<(&str, Value)>) -> SsoResult<()> {
        self.write_audit(req, op, None, Some(result), extra).await
    }

    async fn write_audit(
        &self,
        req: &Request,
        op: &'static str,
        target_user: Option<&str>,
        result: Option<&str>,
        extra: Vec<(&str, Value)>,
    ) -> SsoResult<()> {
        let mut m = Map::new();
        m.insert("current_app".into(), Value::String(req.current_app.clone()));
        m.insert("remote_addr".into(), Value::String(req.audit_remote_addr()));
        for (k, v) in extra {
            m.insert(k.to_string(), v);
        }
        let event = AuditEvent {
            cid: req.cid.clone(),
            op,
            current_user: None,
            target_user: target_user.map(str::to_string),
            result: result.map(str::to_string),
            extra: m,
            time: format!("{}Z", time::format_zato(&req.now)),
        };
        self.audit.record(&event).await.map_err(|e| {
            let mut msg = e.0;
            truncate_chars(&mut msg, 160);
            SsoError::internal(format!("the audit callback failed: {msg}"))
        })
    }

    pub(crate) async fn get_raw(&self, key: &str) -> SsoResult<Option<String>> {
        self.store.get(key).await.map_err(|e| store_failed("get", e))
    }

    /// Reads a JSON record. A value that does not parse is reported, never trusted.
    pub(crate) async fn get_record<T: DeserializeOwned>(&self, key: &str) -> SsoResult<Option<T>> {
        Ok(parse_record(self.get_raw(key).await?)?.map(|v| v.value))
    }

    pub(crate) async fn put_record<T: Serialize>(&self, key: &str, value: &T, ttl: Option<u64>) -> SsoResult<()> {
        self.put_raw(key, &encode(value)?, ttl).await
    }

    pub(crate) async fn put_raw(&self, key: &str, value: &str, ttl: Option<u64>) -> SsoResult<()> {
        self.store.put(key, value, ttl.map(|t| t.max(MIN_TTL_SECS))).await.map_err(|e| store_failed("put", e))
    }

    pub(crate) async fn delete_key(&self, key: &str) -> SsoResult<()> {
        self.store.delete(key).await.map_err(|e| store_failed("delete", e))
    }

    /// Atomic create where the backend has it; otherwise read-then-write, which can race
    /// (documented in the README for stores without `putIfAbsent`).
    pub(crate) async fn put_if_absent(&self, key: &str, value: &str, ttl: Option<u64>) -> SsoResult<bool> {
        let ttl = ttl.map(|t| t.max(MIN_TTL_SECS));
        match self.store.put_if_absent(key, value, ttl).await.map_err(|e| store_failed("putIfAbsent", e))? {
            Some(done) => Ok(done),
            None => {
                if self.get_raw(key).await?.is_some() {
                    return Ok(false);
                }
                self.put_raw(key, value, ttl).await?;
                Ok(true)
            }
        }
    }

    /// One batch read: every key in one round trip.
    pub(crate) async fn get_many_raw(&self, keys: &[String]) -> SsoResult<Vec<Option<String>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let values = self.store.get_many(keys).await.map_err(|e| store_failed("getMany", e))?;
        if values.len() != keys.len() {
            return Err(SsoError::internal("the store's getMany returned another number of values than keys"));
        }
        Ok(values)
    }

    /// An atomic commit: true when applied, false when a check failed (nothing written).
    /// Where the store has no `commit` it is emulated: the checks are read, then the writes go
    /// out together. Two requests can interleave there (the README says what that means).
    pub(crate) async fn commit(&self, commit: &Commit) -> SsoResult<bool> {
        if commit.is_empty() {
            return Ok(true);
        }
        if let Some(done) = self.store.commit(commit).await.map_err(|e| store_failed("commit", e))? {
            return Ok(done);
        }
        let check_keys: Vec<String> = commit.checks.iter().map(|c| c.key.clone()).collect();
        let current = self.get_many_raw(&check_keys).await?;
        if commit.checks.iter().zip(current.iter()).any(|(c, v)| c.value.as_ref() != v.as_ref()) {
            return Ok(false);
        }
        let puts = join_all(commit.puts.iter().map(|p| self.store.put(&p.key, &p.value, p.ttl_secs)).collect()).await;
        let deletes = join_all(commit.deletes.iter().map(|k| self.store.delete(k)).collect()).await;
        let failed = puts
            .into_iter()
            .map(|r| r.map_err(|e| store_failed("put", e)))
            .chain(deletes.into_iter().map(|r| r.map_err(|e| store_failed("delete", e))))
            .find_map(Result::err);
        if let Some(e) = failed {
            // Best effort, as nothing here is atomic: the checked keys go back to what they
            // were (a name's claim, say, must not outlive the user it was written for).
            let written = |k: &str| commit.puts.iter().any(|p| p.key == k) || commit.deletes.iter().any(|d| d == k);
            for c in commit.checks.iter().filter(|c| written(&c.key)) {
                let _ = match &c.value {
                    Some(v) => self.store.put(&c.key, v, None).await,
                    None => self.store.delete(&c.key).await,
                };
            }
            return Err(e);
        }
        Ok(true)
    }

    /// Every key under each prefix, the listings side by side.
    pub(crate) async fn list_all_many(&self, prefixes: &[String]) -> SsoResult<Vec<Vec<String>>> {
        join_all(prefixes.iter().map(|p| self.list_all(p)).collect()).await.into_iter().collect()
    }

    /// Every key under a prefix, following cursors.
    pub(crate) async fn list_all(&self, prefix: &str) -> SsoResult<Vec<String>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        // A store that keeps handing out cursors must not hang us.
        for _ in 0..100_000 {
            let page = self.store.list(prefix, cursor.as_deref(), Some(1000)).await.map_err(|e| store_failed("list", e))?;
            out.extend(page.keys.into_iter().filter(|k| k.starts_with(prefix)));
            match page.cursor {
                Some(c) if !page.list_complete && Some(&c) != cursor.as_ref() => cursor = Some(c),
                _ => return Ok(out),
            }
        }
        Err(SsoError::internal("the store's list never completed"))
    }
}

/// How many times a read-modify-write re-reads and tries again when its conditional write lost
/// to a concurrent change, before it fails with E008005 (nothing written).
pub(crate) const MAX_ATTEMPTS: usize = 8;

pub(crate) fn gave_up(what: &str) -> SsoError {
    SsoError::conflict(format!("{what} kept changing while this operation ran ({MAX_ATTEMPTS} tries): try again"))
}

/// A record as read, with the exact text it was stored as: the condition of the write that
/// replaces it.
#[derive(Debug, Clone)]
pub(crate) struct Versioned<T> {
    pub value: T,
    pub raw: String,
}

/// Parses a record read in a batch. A value that does not parse is reported, never trusted.
pub(crate) fn parse_record<T: DeserializeOwned>(raw: Option<String>) -> SsoResult<Option<Versioned<T>>> {
    match raw {
        None => Ok(None),
        Some(raw) => {
            serde_json::from_str(&raw).map(|value| Some(Versioned { value, raw })).map_err(|_| SsoError::internal("a stored record is corrupt"))
        }
    }
}

pub(crate) fn encode<T: Serialize>(value: &T) -> SsoResult<String> {
    serde_json::to_string(value).map_err(|_| SsoError::internal("a record could not be encoded"))
}

/// `bytes` random bytes as lower-case hex.
pub(crate) fn random_hex(bytes: usize) -> SsoResult<String> {
    let mut b = vec![0u8; bytes];
    crate::crypto::random_bytes(&mut b).map_err(|_| SsoError::internal("no randomness available"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// A cid as Zato makes them: 96 random bits in hex (spec §1.5).
pub(crate) fn new_cid() -> SsoResult<String> {
    random_hex(12)
}
