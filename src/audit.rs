//! Audit records (spec §1.6): one per public operation, written before the operation runs.
//!
//! A record never holds a password, UST, TOTP key or code, reset key or confirm token; the
//! builders below only accept what may be recorded.

use serde_json::{Map, Value};

/// One audit record, as the host's audit callback receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// Correlation id of the request.
    pub cid: String,
    /// The operation, e.g. `user.logout`.
    pub op: &'static str,
    /// Id of the user who made the request, when known.
    pub current_user: Option<String>,
    /// Id of the user the operation is about, when there is one.
    pub target_user: Option<String>,
    /// How it ended, when recorded (`error` when a follow-up step failed).
    pub result: Option<String>,
    /// Always holds `remote_addr`; `current_app` where the spec says so.
    pub extra: Map<String, Value>,
    /// When the request was made: UTC, Zato's format with a trailing `Z`.
    pub time: String,
}

impl AuditEvent {
    /// The record as the host receives it; empty optional fields are left out.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("cid".into(), Value::String(self.cid.clone()));
        m.insert("op".into(), Value::String(self.op.to_string()));
        for (k, v) in [("current_user", &self.current_user), ("target_user", &self.target_user), ("result", &self.result)] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                m.insert(k.into(), Value::String(v.clone()));
            }
        }
        m.insert("extra".into(), Value::Object(self.extra.clone()));
        m.insert("time".into(), Value::String(self.time.clone()));
        Value::Object(m)
    }
}

/// The host's audit callback failed; the text is its message (truncated when reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditError(pub String);

/// Where audit records go. A failing record fails the operation: an operation is never run unaudited.
#[allow(async_fn_in_trait)]
pub trait Audit {
    /// Writes one record.
    async fn record(&self, event: &AuditEvent) -> Result<(), AuditError>;
}

/// No audit log: the host gave no callback.
pub struct NoAudit;

impl Audit for NoAudit {
    async fn record(&self, _event: &AuditEvent) -> Result<(), AuditError> {
        Ok(())
    }
}

/// Keeps every record in memory, for tests and embedders.
#[derive(Default)]
pub struct MemoryAudit {
    /// Every record received, oldest first.
    pub events: std::cell::RefCell<Vec<AuditEvent>>,
}

impl Audit for MemoryAudit {
    async fn record(&self, event: &AuditEvent) -> Result<(), AuditError> {
        self.events.borrow_mut().push(event.clone());
        Ok(())
    }
}
