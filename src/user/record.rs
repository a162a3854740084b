//! The user record as stored, and the views built from it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::crypto::seal::KeyRing;
use crate::time::{self, serde_opt_ts, serde_ts, Timestamp};

/// A user's `approval_status`, stored and shown as Zato writes it (`approved`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// A super-user approved the user (or no approval was needed): may log in.
    Approved,
    /// A super-user rejected the user: may not log in.
    Rejected,
    /// Waiting for a super-user's decision.
    BeforeDecision,
}

impl ApprovalStatus {
    /// As Zato writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
            ApprovalStatus::BeforeDecision => "before_decision",
        }
    }
    /// From Zato's spelling; None for anything else.
    pub fn parse(s: &str) -> Option<ApprovalStatus> {
        [ApprovalStatus::Approved, ApprovalStatus::Rejected, ApprovalStatus::BeforeDecision].into_iter().find(|v| v.as_str() == s)
    }
}

/// A user's `sign_up_status`, stored and shown as Zato writes it (`final`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignUpStatus {
    /// Fully signed up: confirmed, or created directly.
    Final,
    /// Signed up, the sign-up token not confirmed yet.
    BeforeConfirmation,
}

impl SignUpStatus {
    /// As Zato writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignUpStatus::Final => "final",
            SignUpStatus::BeforeConfirmation => "before_confirmation",
        }
    }
    /// From Zato's spelling; None for anything else.
    pub fn parse(s: &str) -> Option<SignUpStatus> {
        [SignUpStatus::Final, SignUpStatus::BeforeConfirmation].into_iter().find(|v| v.as_str() == s)
    }
}

/// `approval_status` of a user a super-user approved (or who needed no approval): may log in.
pub const APPROVED: &str = ApprovalStatus::Approved.as_str();
/// `approval_status` of a user a super-user rejected: may not log in.
pub const REJECTED: &str = ApprovalStatus::Rejected.as_str();
/// `approval_status` of a user still waiting for a super-user's decision.
pub const BEFORE_DECISION: &str = ApprovalStatus::BeforeDecision.as_str();
/// `sign_up_status` of a user who is fully signed up (confirmed, or created directly).
pub const FINAL: &str = SignUpStatus::Final.as_str();
/// `sign_up_status` of a signed-up user who has not confirmed the sign-up token yet.
pub const BEFORE_CONFIRMATION: &str = SignUpStatus::BeforeConfirmation.as_str();
/// Zato's stand-in for "no TOTP label"; shown to readers as "".
pub const DEFAULT_LABEL: &str = "<default-label>";

/// AEAD purposes: a value sealed for one field cannot be opened as another.
pub mod purpose {
    /// Purpose of the sealed password hash.
    pub const PASSWORD: &str = "password";
    /// Purpose of the sealed email.
    pub const EMAIL: &str = "email";
    /// Purpose of the sealed TOTP key.
    pub const TOTP_KEY: &str = "totp_key";
    /// Purpose of the sealed TOTP label.
    pub const TOTP_LABEL: &str = "totp_label";
    /// Purpose of a UST: the sealed session handle given to the client.
    pub const UST: &str = "ust";
}

/// A user as stored under `sso/user/<user_id>` (spec §2.1); secrets are sealed or hashed.
#[derive(Clone, Serialize, Deserialize)]
pub struct UserRecord {
    /// Public, immutable id (`zusr…`).
    pub user_id: String,
    /// Login name, unique among users (compared in its prepared form, see `username::prepare`).
    pub username: String,
    /// The PHC string, sealed when `password_sealed`.
    pub password: String,
    /// Whether `password` is sealed (`main.encrypt_password` when it was written).
    pub password_sealed: bool,
    /// Zato always sets it true; only an import may bring a false one.
    pub password_is_set: bool,
    /// When the password was last set or changed.
    #[serde(with = "serde_ts")]
    pub password_last_set: Timestamp,
    /// Absolute instant after which the password has expired.
    #[serde(with = "serde_ts")]
    pub password_expiry: Timestamp,
    /// The user must change the password at the next login.
    pub password_must_change: bool,
    /// The email address, sealed when `email_sealed`; `None` when none was given.
    pub email: Option<String>,
    /// Whether `email` is sealed (`main.encrypt_email` when it was written).
    pub email_sealed: bool,
    /// Name shown to others; see spec §2.5 for how it is derived at creation.
    pub display_name: Option<String>,
    /// Given name, stripped; `None` when empty.
    pub first_name: Option<String>,
    /// Middle name, stripped; `None` when empty.
    pub middle_name: Option<String>,
    /// Family name, stripped; `None` when empty.
    pub last_name: Option<String>,
    /// Case-folded copies for search: Zato's upper-case copies (spec §2.5), folded as
    /// `search::search_fold` says.
    pub display_name_fold: Option<String>,
    /// Case-folded copy of `first_name`, for search.
    pub first_name_fold: Option<String>,
    /// Case-folded copy of `middle_name`, for search.
    pub middle_name_fold: Option<String>,
    /// Case-folded copy of `last_name`, for search.
    pub last_name_fold: Option<String>,
    /// Unused by Zato and always true; kept for its record shape.
    pub is_active: bool,
    /// Unused by Zato; kept for its record shape.
    pub is_internal: bool,
    /// Super-users may manage other users; set at creation (`create_super_user`, or an import), never by an update.
    pub is_super_user: bool,
    /// A locked user cannot log in.
    pub is_locked: bool,
    /// When the user was last locked or unlocked.
    #[serde(with = "serde_opt_ts")]
    pub locked_time: Option<Timestamp>,
    /// Who last locked or unlocked the user: a user id, `auto` (throttling) or `user@host` (CLI).
    pub locked_by: Option<String>,
    /// `approved`, `rejected` or `before_decision` (see the constants above).
    pub approval_status: ApprovalStatus,
    /// When `approval_status` last changed.
    #[serde(with = "serde_ts")]
    pub approval_status_mod_time: Timestamp,
    /// Who last changed `approval_status`: a super-user's id, or `auto`.
    pub approval_status_mod_by: String,
    /// When the user was approved or rejected, if ever.
    #[serde(with = "serde_opt_ts")]
    pub approv_rej_time: Option<Timestamp>,
    /// The super-user who approved or rejected the user, if anyone.
    pub approv_rej_by: Option<String>,
    /// `final` or `before_confirmation` (see the constants above).
    pub sign_up_status: SignUpStatus,
    /// When the user was created or signed up.
    #[serde(with = "serde_ts")]
    pub sign_up_time: Timestamp,
    /// Digest of the confirm token: the token itself is never stored.
    pub sign_up_confirm_token_digest: String,
    /// When the sign-up was confirmed, if it was.
    #[serde(with = "serde_opt_ts")]
    pub sign_up_confirm_time: Option<Timestamp>,
    /// A login must also give a valid TOTP code.
    pub is_totp_enabled: bool,
    /// Sealed.
    pub totp_key: String,
    /// Sealed.
    pub totp_label: String,
    /// JSON text, "null" when none was given.
    pub creation_ctx: String,
    /// Stored for the host's rate limiter; the core does not enforce it.
    pub is_rate_limit_active: bool,
    /// The host rate limiter's rule type (`EXACT` by default).
    pub rate_limit_type: Option<String>,
    /// The host rate limiter's rule string, e.g. `*=1/d`.
    pub rate_limit_def: Option<String>,
    /// Whether the host rate limiter also checks the parent's rule.
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
    /// Made by `import-zato` (`admin.importUser`): only such users may be overwritten by a
    /// later import with `update`, so a crafted Zato row cannot take over a native account.
    #[serde(default)]
    pub imported: bool,
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

/// Fields every reader of a user gets (spec §2.2); `totp_key` only when reading oneself.
pub const BASIC_FIELDS: [&str; 10] =
    ["user_id", "username", "email", "display_name", "first_name", "middle_name", "last_name", "is_totp_enabled", "totp_key", "totp_label"];

/// Fields only a super-user reader gets (spec §2.2).
pub const SUPER_USER_FIELDS: [&str; 19] = [
    "is_active",
    "is_internal",
    "is_super_user",
    "is_locked",
    "is_approval_needed",
    "approval_status",
    "approval_status_mod_by",
    "approval_status_mod_time",
    "locked_time",
    "creation_ctx",
    "locked_by",
    "approv_rej_time",
    "approv_rej_by",
    "password_expiry",
    "password_is_set",
    "password_must_change",
    "password_last_set",
    "sign_up_status",
    "sign_up_time",
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
    /// Whether a super-user approved the user (or no approval was needed).
    pub fn is_approved(&self) -> bool {
        self.approval_status == ApprovalStatus::Approved
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

    /// The TOTP key in clear text; `None` when the stored value cannot be opened.
    pub fn open_totp_key(&self, keys: &KeyRing) -> Option<String> {
        keys.open_string(purpose::TOTP_KEY, &self.totp_key).ok()
    }

    /// The TOTP label as readers see it; "" when none was given or it cannot be opened.
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
            m.insert("approval_status".into(), Value::String(self.approval_status.as_str().into()));
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
            m.insert("sign_up_status".into(), Value::String(self.sign_up_status.as_str().into()));
            m.insert("sign_up_time".into(), ts(&self.sign_up_time));
        }
        m
    }
}
