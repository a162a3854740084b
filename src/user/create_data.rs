//! A creation's data (docs/behaviour.md §3.1) as types: `CreateUser`, parsed from the JSON
//! object the API and REST hand over, in one place, and `CreatedUser`, the fields a successful
//! creation writes back into that object (Zato enriches the caller's `data` in place, and the
//! JavaScript API, the REST answer and the CLI rely on it).
//!
//! The parse checks keys and types only, in the order creation has always checked them: a
//! wrong type is bad input whatever else is wrong. The values that need the configuration, the
//! store or randomness (the username's syntax and claim, the sign-up status, the email's
//! syntax, the password's rules, the TOTP key) are checked by the creation, after it, in
//! `create.rs`.

use serde_json::{Map, Value};

use crate::error::{bad, SsoResult};
use crate::input::{opt_bool, opt_string, shown_key};
use crate::user::create::{MAX_TEXT, MAX_USER_ID};
use crate::user::record::{ApprovalStatus, SignUpStatus};

/// The keys `data` may hold: the seed `User.create` table plus the Python API's extras.
pub const CREATE_KEYS: [&str; 19] = [
    "username",
    "password",
    "password_must_change",
    "display_name",
    "first_name",
    "middle_name",
    "last_name",
    "email",
    "is_locked",
    "sign_up_status",
    "is_totp_enabled",
    "totp_key",
    "totp_label",
    "user_id",
    "creation_ctx",
    "is_rate_limit_active",
    "rate_limit_type",
    "rate_limit_def",
    "rate_limit_check_parent_def",
];

/// Largest `creation_ctx` accepted, as JSON text.
const MAX_CREATION_CTX: usize = 64 * 1024;

/// A creation's data, its keys and types checked. No `Debug`: it holds the password and
/// the TOTP key.
pub(crate) struct CreateUser {
    /// "" when absent or null (refused by the creation's step 3, after the types).
    pub username: String,
    /// The password as given; absent, null or "": a random one nobody is told.
    pub password: Option<String>,
    /// The user must change the password at the first login.
    pub password_must_change: bool,
    /// The display name as given (derived from the names when empty).
    pub display_name: Option<String>,
    /// The first name as given.
    pub first_name: Option<String>,
    /// The middle name as given.
    pub middle_name: Option<String>,
    /// The last name as given.
    pub last_name: Option<String>,
    /// The email, not empty; its syntax is checked by the creation.
    pub email: Option<String>,
    /// Create the user locked.
    pub is_locked: bool,
    /// The sign-up status as given, not empty; its value is checked by the creation (step 5).
    pub sign_up_status: Option<String>,
    /// A login needs a TOTP code.
    pub is_totp_enabled: bool,
    /// The TOTP key, not empty; generated when absent. Checked as base-32 by the creation.
    pub totp_key: Option<String>,
    /// The TOTP label, not empty; Zato's default label when absent.
    pub totp_label: Option<String>,
    /// The user id asked for, not empty, of letters, digits, '.', '_' and '-'; generated
    /// when absent.
    pub user_id: Option<String>,
    /// The host's rate limiter applies.
    pub is_rate_limit_active: bool,
    /// The rate limiter's rule type (`EXACT` when absent or null).
    pub rate_limit_type: String,
    /// The rate limiter's rule.
    pub rate_limit_def: Option<String>,
    /// The rate limiter also checks the parent's rule.
    pub rate_limit_check_parent_def: bool,
    /// `creation_ctx` as JSON text ("null" when absent), at most 64 KiB.
    pub creation_ctx: String,
}

impl CreateUser {
    /// Checks the keys, then each type, in the order creation has always checked them.
    pub(crate) fn parse(data: &Map<String, Value>) -> SsoResult<CreateUser> {
        if let Some(k) = data.keys().find(|k| !CREATE_KEYS.contains(&k.as_str())) {
            return Err(bad(format!("unknown key in data: {}", shown_key(k))));
        }
        let username = match data.get("username") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(bad("username must be a string")),
        };
        let password = opt_string(data, "password", usize::MAX)?;
        let password_must_change = opt_bool(data, "password_must_change")?.unwrap_or(false);
        let display_name = opt_string(data, "display_name", MAX_TEXT)?;
        let first_name = opt_string(data, "first_name", MAX_TEXT)?;
        let middle_name = opt_string(data, "middle_name", MAX_TEXT)?;
        let last_name = opt_string(data, "last_name", MAX_TEXT)?;
        let email = opt_string(data, "email", usize::MAX)?.filter(|e| !e.is_empty());
        let is_locked = opt_bool(data, "is_locked")?.unwrap_or(false);
        let sign_up_status = opt_string(data, "sign_up_status", MAX_TEXT)?.filter(|s| !s.is_empty());
        let is_totp_enabled = opt_bool(data, "is_totp_enabled")?.unwrap_or(false);
        let totp_key = opt_string(data, "totp_key", 256)?.filter(|s| !s.is_empty());
        let totp_label = opt_string(data, "totp_label", MAX_TEXT)?.filter(|s| !s.is_empty());
        let user_id = opt_string(data, "user_id", MAX_USER_ID)?.filter(|s| !s.is_empty());
        let is_rate_limit_active = opt_bool(data, "is_rate_limit_active")?.unwrap_or(false);
        let rate_limit_type = opt_string(data, "rate_limit_type", MAX_TEXT)?.unwrap_or_else(|| "EXACT".into());
        let rate_limit_def = opt_string(data, "rate_limit_def", MAX_TEXT)?;
        let rate_limit_check_parent_def = opt_bool(data, "rate_limit_check_parent_def")?.unwrap_or(false);
        let creation_ctx =
            serde_json::to_string(data.get("creation_ctx").unwrap_or(&Value::Null)).map_err(|_| bad("creation_ctx is not serialisable"))?;
        if creation_ctx.len() > MAX_CREATION_CTX {
            return Err(bad("creation_ctx is larger than 64 KiB"));
        }
        if let Some(id) = &user_id {
            if !id.chars().all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch)) {
                return Err(bad("user_id may hold only letters, digits, '.', '_' and '-'"));
            }
        }
        Ok(CreateUser {
            username,
            password,
            password_must_change,
            display_name,
            first_name,
            middle_name,
            last_name,
            email,
            is_locked,
            sign_up_status,
            is_totp_enabled,
            totp_key,
            totp_label,
            user_id,
            is_rate_limit_active,
            rate_limit_type,
            rate_limit_def,
            rate_limit_check_parent_def,
            creation_ctx,
        })
    }
}

/// What a successful creation tells the caller: the fields it writes into the caller's `data`
/// (spec §3.1), timestamps in Zato's format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CreatedUser {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub is_locked: bool,
    pub is_super_user: bool,
    pub approval_status: ApprovalStatus,
    pub approval_status_mod_time: String,
    pub approval_status_mod_by: String,
    pub password_last_set: String,
    pub password_must_change: bool,
    pub password_expiry: String,
    pub sign_up_status: SignUpStatus,
    pub sign_up_time: String,
    pub is_totp_enabled: bool,
    /// As readers see it: "" for the default label.
    pub totp_label: String,
}

impl CreatedUser {
    /// Enriches the caller's `data` in place: the password goes, these fields come (replacing
    /// what the caller gave under the same keys).
    pub(crate) fn write_into(self, data: &mut Map<String, Value>) {
        data.remove("password");
        let text = |s: Option<String>| s.map(Value::String).unwrap_or(Value::Null);
        let is_approval_needed = self.approval_status != ApprovalStatus::Approved;
        for (k, v) in [
            ("user_id", Value::String(self.user_id)),
            ("username", Value::String(self.username)),
            ("display_name", Value::String(self.display_name)),
            ("first_name", text(self.first_name)),
            ("middle_name", text(self.middle_name)),
            ("last_name", text(self.last_name)),
            // Zato's record shape: always active, never internal.
            ("is_active", Value::Bool(true)),
            ("is_internal", Value::Bool(false)),
            ("is_locked", Value::Bool(self.is_locked)),
            ("is_super_user", Value::Bool(self.is_super_user)),
            ("approval_status", Value::String(self.approval_status.as_str().into())),
            ("approval_status_mod_time", Value::String(self.approval_status_mod_time)),
            ("approval_status_mod_by", Value::String(self.approval_status_mod_by)),
            ("is_approval_needed", Value::Bool(is_approval_needed)),
            ("password_is_set", Value::Bool(true)),
            ("password_last_set", Value::String(self.password_last_set)),
            ("password_must_change", Value::Bool(self.password_must_change)),
            ("password_expiry", Value::String(self.password_expiry)),
            ("sign_up_status", Value::String(self.sign_up_status.as_str().into())),
            ("sign_up_time", Value::String(self.sign_up_time)),
            ("is_totp_enabled", Value::Bool(self.is_totp_enabled)),
            ("totp_label", Value::String(self.totp_label)),
        ] {
            data.insert(k.to_string(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;
    use serde_json::json;

    fn parse(v: Value) -> SsoResult<CreateUser> {
        let Value::Object(m) = v else { panic!("not an object") };
        CreateUser::parse(&m)
    }

    #[test]
    fn absent_null_and_empty_values_take_their_defaults() {
        let c = parse(json!({ "username": null, "email": "", "totp_label": "", "user_id": "", "rate_limit_type": null, "is_locked": null })).unwrap();
        assert_eq!(c.username, "");
        assert_eq!((c.email, c.totp_label, c.user_id, c.totp_key, c.sign_up_status), (None, None, None, None, None));
        assert_eq!((c.rate_limit_type.as_str(), c.creation_ctx.as_str(), c.is_locked, c.password_must_change), ("EXACT", "null", false, false));
        let c = parse(json!({ "username": "jo", "rate_limit_type": "", "creation_ctx": { "via": "x" }, "password_must_change": true })).unwrap();
        assert_eq!((c.username.as_str(), c.rate_limit_type.as_str(), c.creation_ctx.as_str()), ("jo", "", r#"{"via":"x"}"#));
        assert!(c.password_must_change);
    }

    #[test]
    fn every_refusal_is_invalid_input_naming_the_key() {
        for (data, detail) in [
            (json!({ "nickname": "x" }), "unknown key in data: nickname"),
            (json!({ "username": 1 }), "username must be a string"),
            (json!({ "password": 1 }), "password must be a string"),
            (json!({ "is_locked": "yes" }), "is_locked must be a boolean"),
            (json!({ "first_name": "x".repeat(MAX_TEXT + 1) }), "first_name is longer than 1024 characters"),
            (json!({ "totp_key": "A".repeat(257) }), "totp_key is longer than 256 characters"),
            (json!({ "user_id": "x".repeat(MAX_USER_ID + 1) }), "user_id is longer than 191 characters"),
            (json!({ "user_id": "a/b" }), "user_id may hold only letters, digits, '.', '_' and '-'"),
            (json!({ "creation_ctx": "x".repeat(MAX_CREATION_CTX) }), "creation_ctx is larger than 64 KiB"),
            // Types come in order: the username's before the lock's.
            (json!({ "is_locked": 1, "username": 1 }), "username must be a string"),
        ] {
            let e = parse(data.clone()).err().unwrap_or_else(|| panic!("accepted {data}"));
            assert_eq!((e.sub_status, e.detail.as_str()), (vec![Code::InvalidInput], detail), "{data}");
        }
    }

    #[test]
    fn the_created_user_replaces_the_password_with_the_record_fields() {
        let mut data = json!({ "username": "jo", "password": "secret words", "first_name": " Jo " }).as_object().cloned().unwrap();
        let created = CreatedUser {
            user_id: "zusr1".into(),
            username: "jo".into(),
            display_name: "Jo".into(),
            first_name: Some("Jo".into()),
            middle_name: None,
            last_name: None,
            is_locked: false,
            is_super_user: false,
            approval_status: ApprovalStatus::BeforeDecision,
            approval_status_mod_time: "t1".into(),
            approval_status_mod_by: "zusr0".into(),
            password_last_set: "t2".into(),
            password_must_change: false,
            password_expiry: "t3".into(),
            sign_up_status: SignUpStatus::Final,
            sign_up_time: "t4".into(),
            is_totp_enabled: false,
            totp_label: String::new(),
        };
        created.write_into(&mut data);
        assert!(!data.contains_key("password"));
        assert_eq!(data.len(), 22);
        assert_eq!((&data["first_name"], &data["middle_name"], &data["is_approval_needed"]), (&json!("Jo"), &Value::Null, &json!(true)));
        assert_eq!((&data["approval_status"], &data["sign_up_status"]), (&json!("before_decision"), &json!("final")));
    }
}
