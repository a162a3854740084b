use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::time::{serde_ts, Timestamp};

/// One entry of `session_state_change_list` (spec §4.5).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistoryEntry {
    /// A single address string, or a list when there are several.
    pub remote_addr: Value,
    pub user_agent: Option<String>,
    pub timestamp_utc: String,
    pub ctx_source: String,
    pub idx: u64,
}

pub const MAX_HISTORY: usize = 100;

/// A session as stored under `sso/session/<session_id>`. The UST itself is not stored: the
/// key is its digest, so the store never holds a credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub session_id: String,
    pub user_id: String,
    #[serde(with = "serde_ts")]
    pub creation_time: Timestamp,
    #[serde(with = "serde_ts")]
    pub expiration_time: Timestamp,
    pub remote_addr: String,
    pub user_agent: String,
    pub auth_type: String,
    pub auth_principal: String,
    pub ext_session_id: String,
    pub current_app: String,
    pub session_state_change_list: Vec<HistoryEntry>,
    /// Last use, for `session.idle_timeout` (written at most once a minute).
    #[serde(default, with = "crate::time::serde_opt_ts")]
    pub last_used: Option<Timestamp>,
    /// The owner's security stamp when the session was made (see `UserRecord::stamp`): a
    /// session whose stamp is not its owner's current one is dead.
    #[serde(default)]
    pub stamp: String,
    /// Bumped on every write, so that a conditional write never mistakes a record that
    /// changed and changed back for the one it read.
    #[serde(default)]
    pub rev: u64,
}

impl SessionRecord {
    /// Appends a history entry, dropping the oldest beyond 100 (spec §4.5).
    pub fn push_history(&mut self, mut entry: HistoryEntry) {
        entry.idx = self.session_state_change_list.last().map(|e| e.idx + 1).unwrap_or(1);
        self.session_state_change_list.push(entry);
        if self.session_state_change_list.len() > MAX_HISTORY {
            let excess = self.session_state_change_list.len() - MAX_HISTORY;
            self.session_state_change_list.drain(..excess);
        }
    }
}
