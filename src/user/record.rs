//! The user record as stored, and the views built from it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto::seal::KeyRing;
use crate::time::{self, serde_opt_ts, serde_ts, Timestamp};

pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";
pub const BEFORE_DECISION: &str = "before_decision";
pub const FINAL: &str = "final";
pub const BEFORE_CONFIRMATION: &str = "before_confirmation";
/// Zato's stand-in for "no TOTP label"; shown to readers as "".
pub const DEFAULT_LABEL: &str = "<default-label>";

/// AEAD purposes: a value sealed for one field cannot be opened as another.
pub mod purpose {
    pub const PASSWORD: &str = "password";
    pub const EMAIL: &str = "email";
    pub const TOTP_KEY: &str = "totp_key";
    pub const TOTP_LABEL: &str = "totp_label";
    pub const UST: &str = "ust";
}

#[derive(Clone, Serialize, Deserialize)]
pub struct UserRecord {
    pub user_id: String,
    pub username: String,
    /// The PHC string, sealed when `password_sealed`.
    pub password: String,
    pub password_sealed: bool,
    pub password_is_set: bool,
    #[serde(with = "serde_ts")]
    pub password_last_set: Timestamp,
    #[serde(with = "serde_ts")]
    pub password_expiry: Timestamp,
    pub password_must_change: bool,
    pub email: Option<String>,
    pub email_sealed: bool,
    pub display_name: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    /// Case-folded copies for search: Zato's upper-case copies (spec §2.5), folded as
    /// `search::search_fold` says.
    pub display_name_fold: Option<String>,
    pub first_name_fold: Option<String>,
    pub middle_name_fold: Option<String>,
    pub last_name_fold: Option<String>,
    pub is_active: bool,
    pub is_internal: bool,
    pub is_super_user: bool,
    pub is_locked: bool,
    #[serde(with = "serde_opt_ts")]
    pub locked_time: Option<Timestamp>,
    pub locked_by: Option<String>,
    pub approval_status: String,
    #[serde(with = "serde_ts")]
    pub approval_status_mod_time: Timestamp,
    pub approval_status_mod_by: String,
    #[serde(with = "serde_opt_ts")]
    pub approv_rej_time: Option<Timestamp>,
    pub approv_rej_by: Option<String>,
    pub sign_up_status: String,
    #[serde(with = "serde_ts")]
    pub sign_up_time: Timestamp,
    /// Digest of the confirm token: the token itself is never stored.
    pub sign_up_confirm_token_digest: String,
    #[serde(with = "serde_opt_ts")]
    pub sign_up_confirm_time: Option<Timestamp>,
    pub is_totp_enabled: bool,
    /// Sealed.
    pub totp_key: String,
    /// Sealed.
    pub totp_label: String,
    /// JSON text, "null" when none was given.
    pub creation_ctx: String,
    pub is_rate_limit_active: bool,
    pub rate_limit_type: Option<String>,
    pub rate_limit_def: Option<String>,
    pub rate_limit_check_parent_def: bool,
    /// The last TOTP step whose code was accepted (replay protection, RFC 6238 §5.2).
    #[serde(default)]
    pub totp_last_step: Option<u64>,
    /// The security stamp: random, replaced by every change that must end the user's sessions
    /// (password change or reset, lock, rejection). Each session carries the stamp it was made
    /// under, so one conditional write of the user record ends them all at once, whatever a
    /// concurrent renew writes and whether or not the session records are ever deleted. A user
    /// re-created under a deleted user's id starts with a new stamp.
    #[serde(default)]
    pub stamp: String,
    /// Bumped on every write (see `SessionRecord::rev`).
    #[serde(default)]
    pub rev: u64,
    /// The name the user was created with. `user_address_list` is keyed by username: the
    /// rules of this name keep applying after a rename, so a rename cannot escape them.
    #[serde(default)]
    pub original_username: Option<String>,
}

/// Only identifiers: a record holds sealed secrets that have no business in a log line.
impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord").field("user_id", &self.user_id).field("username", &self.username).finish_non_exhaustive()
    }
}

/// Which fields a reader gets (docs/behaviour.md §2.2, following the seed `User.get`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    /// The caller is a super-user: the administrative fields are included.
    pub super_user_fields: bool,
    /// The caller reads their own record: `totp_key` is included.
    pub is_self: bool,
}

pub const BASIC_FIELDS: [&str; 10] = [
    "user_id", "username", "email", "display_name", "first_name", "middle_name", "last_name",
    "is_totp_enabled", "totp_key", "totp_label",
];

pub const SUPER_USER_FIELDS: [&str; 19] = [
    "is_active", "is_internal", "is_super_user", "is_locked", "is_approval_needed", "approval_status",
    "approval_status_mod_by", "approval_status_mod_time", "locked_time", "creation_ctx", "locked_by",
    "approv_rej_time", "approv_rej_by", "password_expiry", "password_is_set", "password_must_change",
    "password_last_set", "sign_up_status", "sign_up_time",
];

fn ts(t: &Timestamp) -> Value {
    Value::String(time::format_zato(t))
}

fn opt_ts(t: &Option<Timestamp>) -> Value {
    t.as_ref().map(ts).unwrap_or(Value::Null)
}

fn opt_str(s: &Option<String>) -> Value {
    s.clone().map(Value::String).unwrap_or(Value::Null)
}

/// The label as readers see it: opened, with the sentinel shown as "".
pub fn shown_label(label: &str) -> String {
    if label == DEFAULT_LABEL {
        String::new()
    } else {
        label.to_string()
    }
}

impl UserRecord {
    pub fn is_approved(&self) -> bool {
        self.approval_status == APPROVED
    }

    /// The email in clear text. A stored value that cannot be opened is returned as stored
    /// (spec §2.2).
    pub fn open_email(&self, keys: &KeyRing) -> Option<String> {
        let email = self.email.as_ref()?;
        if !self.email_sealed {
            return Some(email.clone());
        }
        Some(keys.open_string(purpose::EMAIL, email).unwrap_or_else(|_| email.clone()))
    }

    pub fn open_totp_key(&self, keys: &KeyRing) -> Option<String> {
        keys.open_string(purpose::TOTP_KEY, &self.totp_key).ok()
    }

    pub fn open_totp_label(&self, keys: &KeyRing) -> String {
        keys.open_string(purpose::TOTP_LABEL, &self.totp_label).map(|l| shown_label(&l)).unwrap_or_default()
    }

    /// The fields a reader may see; the others are absent, visible unset ones are null.
    pub fn view(&self, keys: &KeyRing, vis: Visibility) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("user_id".into(), Value::String(self.user_id.clone()));
        m.insert("username".into(), Value::String(self.username.clone()));
        m.insert("email".into(), opt_str(&self.open_email(keys)));
        m.insert("display_name".into(), opt_str(&self.display_name));
        m.insert("first_name".into(), opt_str(&self.first_name));
        m.insert("middle_name".into(), opt_str(&self.middle_name));
        m.insert("last_name".into(), opt_str(&self.last_name));
        m.insert("is_totp_enabled".into(), Value::Bool(self.is_totp_enabled));
        if vis.is_self {
            m.insert("totp_key".into(), opt_str(&self.open_totp_key(keys)));
        }
        m.insert("totp_label".into(), Value::String(self.open_totp_label(keys)));
        if vis.super_user_fields {
            m.insert("is_active".into(), Value::Bool(self.is_active));
            m.insert("is_internal".into(), Value::Bool(self.is_internal));
            m.insert("is_super_user".into(), Value::Bool(self.is_super_user));
            m.insert("is_locked".into(), Value::Bool(self.is_locked));
            // Spec §10 O-27: the per-user meaning, as the create response has it.
            m.insert("is_approval_needed".into(), Value::Bool(!self.is_approved()));
            m.insert("approval_status".into(), Value::String(self.approval_status.clone()));
            m.insert("approval_status_mod_by".into(), Value::String(self.approval_status_mod_by.clone()));
            m.insert("approval_status_mod_time".into(), ts(&self.approval_status_mod_time));
            m.insert("locked_time".into(), opt_ts(&self.locked_time));
            m.insert("creation_ctx".into(), Value::String(self.creation_ctx.clone()));
            m.insert("locked_by".into(), opt_str(&self.locked_by));
            m.insert("approv_rej_time".into(), opt_ts(&self.approv_rej_time));
            m.insert("approv_rej_by".into(), opt_str(&self.approv_rej_by));
            m.insert("password_expiry".into(), ts(&self.password_expiry));
            m.insert("password_is_set".into(), Value::Bool(self.password_is_set));
            m.insert("password_must_change".into(), Value::Bool(self.password_must_change));
            m.insert("password_last_set".into(), ts(&self.password_last_set));
            m.insert("sign_up_status".into(), Value::String(self.sign_up_status.clone()));
            m.insert("sign_up_time".into(), ts(&self.sign_up_time));
        }
        m
    }
}
