//! Audit records (spec §1.6): one per public operation, written before the operation runs.
//!
//! A record never holds a password, UST, TOTP key or code, reset key or confirm token; the
//! builders below only accept what may be recorded.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub cid: String,
    pub op: &'static str,
    pub current_user: Option<String>,
    pub target_user: Option<String>,
    pub result: Option<String>,
    /// Always holds `remote_addr`; `current_app` where the spec says so.
    pub extra: Map<String, Value>,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditError(pub String);

#[allow(async_fn_in_trait)]
pub trait Audit {
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
    pub events: std::cell::RefCell<Vec<AuditEvent>>,
}

impl Audit for MemoryAudit {
    async fn record(&self, event: &AuditEvent) -> Result<(), AuditError> {
        self.events.borrow_mut().push(event.clone());
        Ok(())
    }
}
