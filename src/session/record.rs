//! A session as stored, with its interaction history.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::time::{serde_ts, Timestamp};

/// One entry of `session_state_change_list` (spec §4.5).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistoryEntry {
    /// A single address string, or a list when there are several.
    pub remote_addr: Value,
    /// The client's user agent, if it gave one.
    pub user_agent: Option<String>,
    /// When the interaction happened (UTC, Zato's time format).
    pub timestamp_utc: String,
    /// What touched the session: `login` or `renew`.
    pub ctx_source: String,
    /// Position in the history, counting from 1; entries dropped beyond `MAX_HISTORY` keep theirs.
    pub idx: u64,
}

/// Most history entries a session keeps; older ones are dropped.
pub const MAX_HISTORY: usize = 100;

/// A session as stored under `sso/session/<session_id>`. The UST itself is not stored: the
/// key is its digest, so the store never holds a credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The digest of the internal UST (see `store::keys::session_id`): a handle, not a credential.
    pub session_id: String,
    /// The owner's id (`zusr…`).
    pub user_id: String,
    /// When the session was created (login).
    #[serde(with = "serde_ts")]
    pub creation_time: Timestamp,
    /// When the session ends unless renewed.
    #[serde(with = "serde_ts")]
    pub expiration_time: Timestamp,
    /// The addresses of the login request, joined with `, `.
    pub remote_addr: String,
    /// The user agent of the login request; "" when none.
    pub user_agent: String,
    /// `default` for a login, the linked definition's type for an external session.
    pub auth_type: String,
    /// The username at login.
    pub auth_principal: String,
    /// For an external (linked-auth) session, the external session's id; "" otherwise.
    pub ext_session_id: String,
    /// The application the session was opened from.
    pub current_app: String,
    /// Interaction history, newest last, at most `MAX_HISTORY` entries (spec §4.5).
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
