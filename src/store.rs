//! The host's key-value store, as the core sees it, and where each record lives in it.
//!
//! The shape is a Cloudflare KV namespace's: get / put (with a TTL) / delete / list by prefix,
//! plus an optional atomic `put_if_absent`. Every uniqueness rule goes through `put_if_absent`
//! when the backend has it.

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    pub keys: Vec<String>,
    pub list_complete: bool,
    pub cursor: Option<String>,
}

/// Cloudflare KV refuses TTLs under 60 seconds, so no TTL the core asks for is shorter. The
/// TTL only lets the backend collect garbage: every read checks expiry itself.
pub const MIN_TTL_SECS: u64 = 60;

#[allow(async_fn_in_trait)]
pub trait Store {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError>;
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: Option<u32>) -> Result<ListPage, StoreError>;
    /// Atomic create. `Ok(None)` when the backend has no such operation.
    async fn put_if_absent(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<Option<bool>, StoreError>;
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

pub mod keys {
    use super::digest;

    pub fn user(user_id: &str) -> String {
        format!("sso/user/{user_id}")
    }
    pub const USER_PREFIX: &str = "sso/user/";
    pub fn username(username: &str) -> String {
        format!("sso/username/{}", digest("username", username))
    }
    /// `sso/email/<keyed digest of the lower-cased email>/<user_id>`: emails are not unique.
    pub fn email_prefix(email_digest: &str) -> String {
        format!("sso/email/{email_digest}/")
    }
    pub fn email(email_digest: &str, user_id: &str) -> String {
        format!("sso/email/{email_digest}/{user_id}")
    }
    pub fn confirm_token(token: &str) -> String {
        confirm_token_digest(&digest("confirm", token))
    }
    pub fn confirm_token_digest(token_digest: &str) -> String {
        format!("sso/confirm/{token_digest}")
    }
    /// Password-reset tokens, by the digest of the public token.
    pub fn prt(token_digest: &str) -> String {
        format!("sso/prt/{token_digest}")
    }
    pub fn user_prt(user_id: &str, token_digest: &str) -> String {
        format!("sso/user-prt/{user_id}/{token_digest}")
    }
    pub fn user_prts_prefix(user_id: &str) -> String {
        format!("sso/user-prt/{user_id}/")
    }
    /// Attributes: `sso/attr/<user_id>/u/<name digest>` for the user's own,
    /// `sso/attr/<user_id>/s/<session_id>/<name digest>` for a session's.
    pub fn attrs_prefix(user_id: &str) -> String {
        format!("sso/attr/{user_id}/")
    }
    pub fn attr_scope_prefix(user_id: &str, session_id: Option<&str>) -> String {
        match session_id {
            None => format!("sso/attr/{user_id}/u/"),
            Some(s) => format!("sso/attr/{user_id}/s/{s}/"),
        }
    }
    pub fn attr(user_id: &str, session_id: Option<&str>, name: &str) -> String {
        format!("{}{}", attr_scope_prefix(user_id, session_id), digest("attr", name))
    }
    /// The session id is the digest of the internal UST: a public handle, not a credential.
    pub fn session_id(internal_ust: &str) -> String {
        digest("ust", internal_ust)
    }
    pub fn session(session_id: &str) -> String {
        format!("sso/session/{session_id}")
    }
    pub fn user_session(user_id: &str, session_id: &str) -> String {
        format!("sso/user-session/{user_id}/{session_id}")
    }
    pub fn user_sessions_prefix(user_id: &str) -> String {
        format!("sso/user-session/{user_id}/")
    }
}

/// An in-process store for native tests and embedders. It keeps TTLs but does not expire
/// entries: the core judges expiry itself on every read.
#[derive(Default)]
pub struct MemoryStore {
    pub(crate) map: std::cell::RefCell<std::collections::BTreeMap<String, String>>,
    pub has_put_if_absent: bool,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore { map: Default::default(), has_put_if_absent: true }
    }
    /// A store without `put_if_absent`, like a Cloudflare KV namespace.
    pub fn without_put_if_absent() -> Self {
        MemoryStore { map: Default::default(), has_put_if_absent: false }
    }
    pub fn len(&self) -> usize {
        self.map.borrow().len()
    }
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
}
