//! The host's key-value store, as the core sees it, and where each record lives in it.
//!
//! Store protocol v2. The base is a Cloudflare KV namespace's shape: get / put (with a TTL) /
//! delete / list by prefix, plus an optional atomic `put_if_absent`. On top of it, two optional
//! operations that make every guarantee hold under concurrency:
//!
//! - [`Store::get_many`]: a batch read, so that the reads an operation needs go out together;
//! - [`Store::commit`]: an atomic commit with checks over several keys (Deno KV's
//!   `atomic().check()` model, checking live values rather than versionstamps): every check
//!   holds and every write is applied, or nothing is written.
//!
//! Every read-modify-write of the core is a commit that checks the value it read, so a
//! concurrent change is never lost: the loser re-reads and retries. A store without `commit`
//! (a plain Cloudflare KV namespace) gets it emulated as read, compare, write, which two
//! requests can interleave; the README says which guarantees remain there.

use sha2::{Digest, Sha256};

/// The host's store failed; the text is its message (truncated when reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

/// One page of a `Store::list`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    /// Keys with the prefix, in ascending order.
    pub keys: Vec<String>,
    /// True when no keys follow this page.
    pub list_complete: bool,
    /// Where the next page starts (pass it to `list`); `None` on the last page.
    pub cursor: Option<String>,
}

/// Cloudflare KV refuses TTLs under 60 seconds, so no TTL the core asks for is shorter. The
/// TTL only lets the backend collect garbage: every read checks expiry itself.
pub const MIN_TTL_SECS: u64 = 60;

/// One condition of a [`Commit`]: the key's live value is exactly `value` (`None`: absent).
#[derive(Clone, PartialEq, Eq)]
pub struct Check {
    /// The key to check.
    pub key: String,
    /// The value it must hold; `None`: the key must be absent.
    pub value: Option<String>,
}

/// One write of a [`Commit`].
#[derive(Clone, PartialEq, Eq)]
pub struct Put {
    /// The key written.
    pub key: String,
    /// The value written.
    pub value: String,
    /// Seconds the backend may keep the value (at least `MIN_TTL_SECS`); `None`: forever.
    pub ttl_secs: Option<u64>,
}

/// An atomic commit: when every check holds, every put and delete is applied as one step.
/// A key appears at most once among puts and deletes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Commit {
    /// Conditions that must all hold for the commit to apply.
    pub checks: Vec<Check>,
    /// Writes applied when the checks hold.
    pub puts: Vec<Put>,
    /// Keys deleted when the checks hold.
    pub deletes: Vec<String>,
}

/// Keys only: values are records with sealed secrets inside.
impl std::fmt::Debug for Commit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Commit")
            .field("checks", &self.checks.iter().map(|c| (&c.key, c.value.is_some())).collect::<Vec<_>>())
            .field("puts", &self.puts.iter().map(|p| &p.key).collect::<Vec<_>>())
            .field("deletes", &self.deletes)
            .finish()
    }
}

/// Most checks and writes the core puts in one commit (Deno KV allows 100 checks and 1000
/// mutations, a Durable Object transaction has no small limit).
pub const MAX_COMMIT_CHECKS: usize = 16;
/// Most puts plus deletes the core puts in one commit.
pub const MAX_COMMIT_WRITES: usize = 500;

impl Commit {
    /// A condition: `key` holds exactly `value` (`None`: absent).
    pub fn check(&mut self, key: impl Into<String>, value: Option<&str>) -> &mut Self {
        self.checks.push(Check { key: key.into(), value: value.map(str::to_string) });
        self
    }
    /// A write; a later write or delete of the same key replaces it.
    pub fn put(&mut self, key: impl Into<String>, value: impl Into<String>, ttl_secs: Option<u64>) -> &mut Self {
        let key = key.into();
        self.forget(&key);
        self.puts.push(Put { key, value: value.into(), ttl_secs: ttl_secs.map(|t| t.max(MIN_TTL_SECS)) });
        self
    }
    /// A delete; a later write or delete of the same key replaces it.
    pub fn delete(&mut self, key: impl Into<String>) -> &mut Self {
        let key = key.into();
        self.forget(&key);
        self.deletes.push(key);
        self
    }
    fn forget(&mut self, key: &str) {
        self.puts.retain(|p| p.key != key);
        self.deletes.retain(|d| d != key);
    }
    /// How many puts and deletes the commit holds.
    pub fn writes(&self) -> usize {
        self.puts.len() + self.deletes.len()
    }
    /// True when the commit has no checks, puts or deletes.
    pub fn is_empty(&self) -> bool {
        self.checks.is_empty() && self.puts.is_empty() && self.deletes.is_empty()
    }
}

/// Runs futures side by side and gives their outputs in order: the store calls of one wave go
/// out together, so an operation waits for one round trip, not one per call.
pub async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    use std::pin::Pin;
    use std::task::Poll;
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (fut, slot) in pending.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match fut.as_mut().poll(cx) {
                    Poll::Ready(v) => *slot = Some(v),
                    Poll::Pending => done = false,
                }
            }
        }
        if done {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// Two futures of different types side by side.
pub async fn join2<A: std::future::Future, B: std::future::Future>(a: A, b: B) -> (A::Output, B::Output) {
    use std::task::Poll;
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    match (ra, rb) {
        (Some(a), Some(b)) => (a, b),
        // poll_fn returned Ready only once both were set.
        _ => unreachable!("join2 finished with a side missing"),
    }
}

/// The host's key-value store (see the module docs for the protocol).
#[allow(async_fn_in_trait)]
pub trait Store {
    /// The value of `key`; `None` when absent.
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Writes `value` under `key`, kept for `ttl_secs` seconds if given.
    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError>;
    /// Removes `key`; removing an absent key is not an error.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Up to `limit` keys starting with `prefix`, in key order, after `cursor`.
    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: Option<u32>) -> Result<ListPage, StoreError>;
    /// Atomic create. `Ok(None)` when the backend has no such operation.
    async fn put_if_absent(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<Option<bool>, StoreError>;
    /// Batch read, values in the order of `keys`. By default every `get` at once.
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        join_all(keys.iter().map(|k| self.get(k)).collect()).await.into_iter().collect()
    }
    /// Atomic commit: `Ok(Some(true))` applied, `Ok(Some(false))` a check failed and nothing
    /// was written, `Ok(None)` the backend has no such operation.
    async fn commit(&self, _commit: &Commit) -> Result<Option<bool>, StoreError> {
        Ok(None)
    }
    /// Whether `commit` is native and atomic (the `strict` profile requires it).
    fn is_atomic(&self) -> bool {
        false
    }
}

/// Keys are derived from secrets and user input through SHA-256, so that a key never holds a
/// token (a leaked key list gives no session) and never exceeds KV's 512-byte limit.
pub fn digest(purpose: &str, value: &str) -> String {
    use base64::Engine;
    let mut h = Sha256::new();
    h.update(purpose.as_bytes());
    h.update([0u8]);
    h.update(value.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Where each record lives in the store: the key of each kind of record.
pub mod keys {
    use super::digest;

    /// The user record (`sso/user/<user_id>`).
    pub fn user(user_id: &str) -> String {
        format!("sso/user/{user_id}")
    }
    /// Prefix of every user record's key.
    pub const USER_PREFIX: &str = "sso/user/";
    /// When the user last logged in (a Zato timestamp): a record of its own, written by the
    /// login's commit without a check, so that logins never contend on the user record for it.
    pub fn user_login(user_id: &str) -> String {
        format!("sso/user-login/{user_id}")
    }
    /// An administrator's change to a user is under way (see `user::write::Writer`).
    pub fn user_intent(user_id: &str) -> String {
        format!("sso/user-intent/{user_id}")
    }
    /// A name's claim, by the digest of its comparison form (`username::prepare`): `Alice`,
    /// `alice` and `ａｌｉｃｅ` are one name.
    pub fn username(username: &str) -> String {
        format!("sso/username/{}", digest("username", &crate::username::comparable(username)))
    }
    /// Where the claim of a name created before names were prepared lives, when that differs.
    pub fn username_legacy(name: &str) -> Option<String> {
        let legacy = format!("sso/username/{}", digest("username", name));
        (legacy != username(name)).then_some(legacy)
    }
    /// `sso/email/<keyed digest of the lower-cased email>/<user_id>`: emails are not unique.
    pub fn email_prefix(email_digest: &str) -> String {
        format!("sso/email/{email_digest}/")
    }
    /// One user's entry in the index of users by email digest.
    pub fn email(email_digest: &str, user_id: &str) -> String {
        format!("sso/email/{email_digest}/{user_id}")
    }
    /// Sign-up's hold on an email (keyed digest of the lower-cased email): the user id.
    pub fn email_claim(email_digest: &str) -> String {
        format!("sso/email-claim/{email_digest}")
    }
    /// The sign-up confirm token's key (its digest), whose value is the user id.
    pub fn confirm_token(token: &str) -> String {
        confirm_token_digest(&digest("confirm", token))
    }
    /// The confirm-token key from the token's digest, as the user record keeps it.
    pub fn confirm_token_digest(token_digest: &str) -> String {
        format!("sso/confirm/{token_digest}")
    }
    /// Password-reset tokens, by the digest of the public token.
    pub fn prt(token_digest: &str) -> String {
        format!("sso/prt/{token_digest}")
    }
    /// The owner index of a password-reset token (value: empty), so cleanup can find it.
    pub fn user_prt(user_id: &str, token_digest: &str) -> String {
        format!("sso/user-prt/{user_id}/{token_digest}")
    }
    /// Prefix of a user's password-reset token index.
    pub fn user_prts_prefix(user_id: &str) -> String {
        format!("sso/user-prt/{user_id}/")
    }
    /// Attributes: `sso/attr/<user_id>/u/<name digest>` for the user's own,
    /// `sso/attr/<user_id>/s/<session_id>/<name digest>` for a session's.
    pub fn attrs_prefix(user_id: &str) -> String {
        format!("sso/attr/{user_id}/")
    }
    /// Prefix of a user's own attributes (`session_id: None`) or of one session's.
    pub fn attr_scope_prefix(user_id: &str, session_id: Option<&str>) -> String {
        match session_id {
            None => format!("sso/attr/{user_id}/u/"),
            Some(s) => format!("sso/attr/{user_id}/s/{s}/"),
        }
    }
    /// An attribute of a user (`session_id: None`) or of one of its sessions.
    pub fn attr(user_id: &str, session_id: Option<&str>, name: &str) -> String {
        format!("{}{}", attr_scope_prefix(user_id, session_id), digest("attr", name))
    }
    /// The session id is the digest of the internal UST: a public handle, not a credential.
    pub fn session_id(internal_ust: &str) -> String {
        digest("ust", internal_ust)
    }
    /// A session, under its owner (`sso/session/<user_id>/<session_id>`): a partitioned store
    /// keeps it with the user's other records.
    pub fn session(user_id: &str, session_id: &str) -> String {
        format!("sso/session/{user_id}/{session_id}")
    }
    /// Where sessions made before the owner was in the key live (their USTs name no owner).
    pub fn legacy_session(session_id: &str) -> String {
        format!("sso/session/{session_id}")
    }
    /// Both places a session of `user_id` may be.
    pub fn session_keys(user_id: &str, session_id: &str) -> [String; 2] {
        [session(user_id, session_id), legacy_session(session_id)]
    }
    /// The owner index of a session (value: empty), so logout-everywhere, delete and cleanup find it.
    pub fn user_session(user_id: &str, session_id: &str) -> String {
        format!("sso/user-session/{user_id}/{session_id}")
    }
    /// Prefix of a user's session index.
    pub fn user_sessions_prefix(user_id: &str) -> String {
        format!("sso/user-session/{user_id}/")
    }
    /// A user's links to security definitions (spec §3.18):
    /// `sso/linked/<user_id>/<type>.<auth_id digest>`.
    pub fn linked_prefix(user_id: &str) -> String {
        format!("sso/linked/{user_id}/")
    }
    /// A user's link to a security definition (`<type>.<auth_id>`).
    pub fn linked(user_id: &str, definition: &str) -> String {
        format!("sso/linked/{user_id}/{}", digest("linked", definition))
    }
    /// Which user a definition (`<type>.<auth_id>`) is linked to: one user per definition.
    pub fn linked_definition(definition: &str) -> String {
        format!("sso/linked-def/{}", digest("linked", definition))
    }
    /// The live external session of an `ext_session_id` (its UST, sealed).
    pub fn ext_session(ext_session_id: &str) -> String {
        format!("sso/ext-session/{}", digest("ext-session", ext_session_id))
    }
}

/// An in-process store for native tests and embedders. It keeps TTLs but does not expire
/// entries: the core judges expiry itself on every read.
#[derive(Default)]
pub struct MemoryStore {
    pub(crate) map: std::cell::RefCell<std::collections::BTreeMap<String, String>>,
    /// `put_if_absent` and `commit` are native (false: a Cloudflare KV namespace's shape).
    pub has_put_if_absent: bool,
}

impl MemoryStore {
    /// An empty store with a native `put_if_absent` and `commit`.
    pub fn new() -> Self {
        MemoryStore { map: Default::default(), has_put_if_absent: true }
    }
    /// A store without `put_if_absent` or `commit`, like a Cloudflare KV namespace.
    pub fn without_put_if_absent() -> Self {
        MemoryStore { map: Default::default(), has_put_if_absent: false }
    }
    /// How many entries the store holds.
    pub fn len(&self) -> usize {
        self.map.borrow().len()
    }
    /// True when the store holds nothing.
    pub fn is_empty(&self) -> bool {
        self.map.borrow().is_empty()
    }
    /// Every key and value, for tests that inspect what is at rest.
    pub fn dump(&self) -> Vec<(String, String)> {
        self.map.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
    /// Moves every entry into `other` (tests that reopen one store under another config).
    pub fn move_into(&self, other: &MemoryStore) {
        let taken = std::mem::take(&mut *self.map.borrow_mut());
        *other.map.borrow_mut() = taken;
    }
    /// Writes a value without a commit, bypassing the core (tests that plant records).
    pub fn raw_put(&self, key: &str, value: &str) {
        self.map.borrow_mut().insert(key.to_string(), value.to_string());
    }
}

impl Store for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.map.borrow().get(key).cloned())
    }
    async fn put(&self, key: &str, value: &str, _ttl: Option<u64>) -> Result<(), StoreError> {
        self.map.borrow_mut().insert(key.to_string(), value.to_string());
        Ok(())
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.map.borrow_mut().remove(key);
        Ok(())
    }
    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: Option<u32>) -> Result<ListPage, StoreError> {
        let limit = limit.unwrap_or(1000).max(1) as usize;
        let map = self.map.borrow();
        let mut keys = Vec::new();
        let mut more = false;
        for k in map.keys().filter(|k| k.starts_with(prefix)).filter(|k| cursor.is_none_or(|c| k.as_str() > c)) {
            if keys.len() == limit {
                more = true;
                break;
            }
            keys.push(k.clone());
        }
        let cursor = if more { keys.last().cloned() } else { None };
        Ok(ListPage { keys, list_complete: !more, cursor })
    }
    async fn put_if_absent(&self, key: &str, value: &str, _ttl: Option<u64>) -> Result<Option<bool>, StoreError> {
        if !self.has_put_if_absent {
            return Ok(None);
        }
        let mut map = self.map.borrow_mut();
        if map.contains_key(key) {
            return Ok(Some(false));
        }
        map.insert(key.to_string(), value.to_string());
        Ok(Some(true))
    }
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let map = self.map.borrow();
        Ok(keys.iter().map(|k| map.get(k).cloned()).collect())
    }
    async fn commit(&self, commit: &Commit) -> Result<Option<bool>, StoreError> {
        if !self.has_put_if_absent {
            return Ok(None);
        }
        let mut map = self.map.borrow_mut();
        if commit.checks.iter().any(|c| map.get(&c.key) != c.value.as_ref()) {
            return Ok(Some(false));
        }
        for p in &commit.puts {
            map.insert(p.key.clone(), p.value.clone());
        }
        for d in &commit.deletes {
            map.remove(d);
        }
        Ok(Some(true))
    }
    fn is_atomic(&self) -> bool {
        self.has_put_if_absent
    }
}
