//! An update's data (docs/behaviour.md §3.5, §2.3) as a type: parsed from the JSON object the
//! API and REST hand over, in one place, checked in the order (and with the codes and
//! messages) the update has always checked it in.
//!
//! The update checks its data in three stages, and the caller learns of the earliest failure:
//! the shape (`check_shape`, before the caller's session is read); who may change what and
//! nobody locking themselves out (on the raw object, in `update.rs`, once the session is known);
//! then the values (`UserUpdate::parse`). A caller that may not update learns that before any
//! complaint about a value's type.

use serde_json::{Map, Value};

use crate::config::Config;
use crate::error::{bad, Code, SsoError, SsoResult};
use crate::time::{self, Timestamp};
use crate::user::create::{check_email_syntax, check_username_syntax, MAX_TEXT};
use crate::user::record::{ApprovalStatus, SignUpStatus};

/// What anyone may update on their own record.
pub const SELF_KEYS: [&str; 8] = ["username", "email", "display_name", "first_name", "middle_name", "last_name", "is_totp_enabled", "totp_label"];
/// What only super-users may update (the last two: spec §10 O-39, decided: persisted).
pub const SUPER_USER_KEYS: [&str; 7] =
    ["is_locked", "password_must_change", "password_expiry", "sign_up_status", "approval_status", "is_rate_limit_active", "rate_limit_def"];

/// What an update does to one field that may be null.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Patch<T> {
    /// The key is absent: the field stays as it is.
    #[default]
    Keep,
    /// The key is null: the field is cleared.
    Clear,
    /// The key holds a value: the field becomes it.
    Set(T),
}

impl<T> Patch<T> {
    /// The field's new value (`None`: cleared), or `None` when it is kept.
    pub(crate) fn new_value(self) -> Option<Option<T>> {
        match self {
            Patch::Keep => None,
            Patch::Clear => Some(None),
            Patch::Set(v) => Some(Some(v)),
        }
    }
}

/// An update's data, checked. `None` (or `Patch::Keep`) leaves a field as it is.
#[derive(Debug, Default)]
pub(crate) struct UserUpdate {
    /// A new username, its syntax checked (not whether it is taken: that needs the store).
    pub username: Option<String>,
    /// A new email, its syntax checked; null or "" clears it.
    pub email: Patch<String>,
    /// A new display name, as given ("" included).
    pub display_name: Patch<String>,
    /// A new first name, as given.
    pub first_name: Patch<String>,
    /// A new middle name, as given.
    pub middle_name: Patch<String>,
    /// A new last name, as given.
    pub last_name: Patch<String>,
    /// A new TOTP label; null or "" stores Zato's default label.
    pub totp_label: Patch<String>,
    /// A new rule for the host's rate limiter.
    pub rate_limit_def: Patch<String>,
    /// Lock (true) or unlock the user.
    pub is_locked: Option<bool>,
    /// Whether the password must change at the next login.
    pub password_must_change: Option<bool>,
    /// Whether a login needs a TOTP code.
    pub is_totp_enabled: Option<bool>,
    /// Whether the host's rate limiter applies.
    pub is_rate_limit_active: Option<bool>,
    /// A new absolute expiry of the password (spec §10 O-45).
    pub password_expiry: Option<Timestamp>,
    /// A new sign-up status.
    pub sign_up_status: Option<SignUpStatus>,
    /// A new approval status.
    pub approval_status: Option<ApprovalStatus>,
}

/// Step 2, before the caller's session is read: not empty, not too many keys, no key that
/// cannot be updated.
pub(crate) fn check_shape(data: &Map<String, Value>) -> SsoResult<()> {
    if data.is_empty() {
        return Err(SsoError::hidden(Code::MissingInput, "data is empty"));
    }
    if data.len() > SELF_KEYS.len() + SUPER_USER_KEYS.len() {
        return Err(bad("data has too many keys"));
    }
    if let Some(k) = data.keys().find(|k| !SELF_KEYS.contains(&k.as_str()) && !SUPER_USER_KEYS.contains(&k.as_str())) {
        return Err(bad(format!("{} cannot be updated", crate::input::shown_key(k))));
    }
    Ok(())
}

/// A string that may be null, at most `MAX_TEXT` characters.
fn text_patch(data: &Map<String, Value>, key: &str) -> SsoResult<Patch<String>> {
    match data.get(key) {
        None => Ok(Patch::Keep),
        Some(Value::Null) => Ok(Patch::Clear),
        Some(Value::String(s)) if s.chars().count() > MAX_TEXT => Err(bad(format!("{key} is longer than {MAX_TEXT} characters"))),
        Some(Value::String(s)) => Ok(Patch::Set(s.clone())),
        Some(_) => Err(bad(format!("{key} must be a string"))),
    }
}

fn opt_bool(data: &Map<String, Value>, key: &str) -> SsoResult<Option<bool>> {
    match data.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad(format!("{key} must be a boolean"))),
    }
}

impl UserUpdate {
    /// Steps 6–11 of the update, in order, on data whose shape `check_shape` accepted. Whether
    /// a new username is taken (step 6 too) is the caller's to check, between the name's
    /// syntax and the other fields: see `update.rs`.
    pub(crate) fn parse(data: &Map<String, Value>, config: &Config) -> SsoResult<UserUpdate> {
        // Step 6: username (spec §10 O-22: empty or malformed names are refused).
        let username = match data.get("username") {
            None => None,
            Some(Value::String(u)) if !u.is_empty() => {
                check_username_syntax(config, u)?;
                Some(u.clone())
            }
            // Spec §10 O-22: an empty username is E001001; null is step 10's E008002 (every
            // check between here and there gives E008002 too, so answering now is the same).
            Some(Value::String(_)) => return Err(SsoError::shown(Code::UsernameInvalid, "the username cannot be empty")),
            Some(Value::Null) => return Err(bad("username cannot be null")),
            Some(_) => return Err(bad("username must be a string")),
        };
        // Step 7
        let sign_up_status = match data.get("sign_up_status") {
            None => None,
            Some(Value::String(s)) if SignUpStatus::parse(s).is_some() => SignUpStatus::parse(s),
            Some(Value::Null) => return Err(bad("sign_up_status cannot be null")),
            Some(_) => return Err(bad("sign_up_status must be 'final' or 'before_confirmation'")),
        };
        // Steps 8 and 10 (spec §10 O-49: is_totp_enabled must be a boolean too); null is no
        // boolean either.
        let is_locked = opt_bool(data, "is_locked")?;
        let password_must_change = opt_bool(data, "password_must_change")?;
        let is_totp_enabled = opt_bool(data, "is_totp_enabled")?;
        let is_rate_limit_active = opt_bool(data, "is_rate_limit_active")?;
        // Step 9: an absolute instant (spec §10 O-45).
        let password_expiry = match data.get("password_expiry") {
            None => None,
            Some(Value::String(s)) => Some(time::parse_zato(s).ok_or_else(|| bad("password_expiry must be a datetime"))?),
            Some(_) => return Err(bad("password_expiry must be a datetime")),
        };
        // Step 10 refuses null for the keys that cannot be cleared; every one of them but
        // approval_status has been refused above already, so that is the one left.
        // Step 11
        let approval_status = match data.get("approval_status") {
            None => None,
            Some(Value::Null) => return Err(bad("approval_status cannot be null")),
            Some(Value::String(s)) if ApprovalStatus::parse(s).is_some() => ApprovalStatus::parse(s),
            Some(_) => return Err(bad("approval_status must be 'approved', 'rejected' or 'before_decision'")),
        };
        let display_name = text_patch(data, "display_name")?;
        let first_name = text_patch(data, "first_name")?;
        let middle_name = text_patch(data, "middle_name")?;
        let last_name = text_patch(data, "last_name")?;
        let totp_label = text_patch(data, "totp_label")?;
        let rate_limit_def = text_patch(data, "rate_limit_def")?;
        let email = match data.get("email") {
            None => Patch::Keep,
            Some(Value::Null) => Patch::Clear,
            Some(Value::String(e)) if e.is_empty() => Patch::Clear,
            Some(Value::String(e)) => {
                check_email_syntax(config, e)?;
                Patch::Set(e.clone())
            }
            Some(_) => return Err(bad("email must be a string")),
        };
        Ok(UserUpdate {
            username,
            email,
            display_name,
            first_name,
            middle_name,
            last_name,
            totp_label,
            rate_limit_def,
            is_locked,
            password_must_change,
            is_totp_enabled,
            is_rate_limit_active,
            password_expiry,
            sign_up_status,
            approval_status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> SsoResult<UserUpdate> {
        let Value::Object(m) = v else { panic!("not an object") };
        UserUpdate::parse(&m, &Config::default())
    }

    fn refusal(v: Value) -> (Vec<Code>, String) {
        let e = parse(v.clone()).err().unwrap_or_else(|| panic!("accepted {v}"));
        (e.sub_status.clone(), e.detail)
    }

    #[test]
    fn absent_null_and_value_are_keep_clear_and_set() {
        let u = parse(json!({ "first_name": null, "last_name": "", "email": "", "display_name": "Jo", "is_locked": false })).unwrap();
        assert_eq!(u.middle_name, Patch::Keep);
        assert_eq!(u.first_name, Patch::Clear);
        // An empty name is set as given (its search copy is what becomes empty); an empty
        // email clears it.
        assert_eq!(u.last_name, Patch::Set(String::new()));
        assert_eq!(u.email, Patch::Clear);
        assert_eq!(u.display_name, Patch::Set("Jo".into()));
        assert_eq!((u.is_locked, u.is_totp_enabled, u.username), (Some(false), None, None));
        let u = parse(json!({ "approval_status": "rejected", "sign_up_status": "before_confirmation", "password_expiry": "2030-01-02T03:04:05" }))
            .unwrap();
        assert_eq!((u.approval_status, u.sign_up_status), (Some(ApprovalStatus::Rejected), Some(SignUpStatus::BeforeConfirmation)));
        assert!(u.password_expiry.is_some());
        assert_eq!(Patch::Set(1).new_value(), Some(Some(1)));
        assert_eq!(Patch::<u8>::Clear.new_value(), Some(None));
        assert_eq!(Patch::<u8>::Keep.new_value(), None);
    }

    #[test]
    fn every_refusal_names_its_code_and_key() {
        let input = vec![Code::InvalidInput];
        for (data, code, detail) in [
            (json!({ "username": "" }), vec![Code::UsernameInvalid], "the username cannot be empty"),
            (json!({ "username": "a b" }), vec![Code::UsernameHasWhitespace], "the username contains whitespace"),
            (json!({ "username": null }), input.clone(), "username cannot be null"),
            (json!({ "username": 1 }), input.clone(), "username must be a string"),
            (json!({ "sign_up_status": null }), input.clone(), "sign_up_status cannot be null"),
            (json!({ "sign_up_status": "done" }), input.clone(), "sign_up_status must be 'final' or 'before_confirmation'"),
            (json!({ "is_totp_enabled": null }), input.clone(), "is_totp_enabled must be a boolean"),
            (json!({ "password_expiry": null }), input.clone(), "password_expiry must be a datetime"),
            (json!({ "password_expiry": "soon" }), input.clone(), "password_expiry must be a datetime"),
            (json!({ "approval_status": null }), input.clone(), "approval_status cannot be null"),
            (json!({ "approval_status": "maybe" }), input.clone(), "approval_status must be 'approved', 'rejected' or 'before_decision'"),
            (json!({ "totp_label": 5 }), input.clone(), "totp_label must be a string"),
            (json!({ "last_name": "x".repeat(MAX_TEXT + 1) }), input.clone(), "last_name is longer than 1024 characters"),
            (json!({ "email": "a b@example.com" }), vec![Code::EmailHasWhitespace], "the email contains whitespace"),
            (json!({ "email": false }), input.clone(), "email must be a string"),
        ] {
            assert_eq!(refusal(data.clone()), (code, detail.to_string()), "{data}");
        }
    }

    #[test]
    fn the_first_refusal_in_the_update_order_wins() {
        // Username, sign-up status, the booleans, the expiry, approval, the names, the email.
        let all_bad = json!({
            "username": 1, "sign_up_status": 1, "is_locked": 1, "password_expiry": 1,
            "approval_status": 1, "display_name": 1, "email": 1,
        });
        let mut data = all_bad.as_object().cloned().unwrap();
        for expected in [
            "username must be a string",
            "sign_up_status must be 'final' or 'before_confirmation'",
            "is_locked must be a boolean",
            "password_expiry must be a datetime",
            "approval_status must be 'approved', 'rejected' or 'before_decision'",
            "display_name must be a string",
            "email must be a string",
        ] {
            let e = UserUpdate::parse(&data, &Config::default()).err().unwrap();
            assert_eq!(e.detail, expected);
            let first = expected.split(' ').next().unwrap();
            data.remove(first);
        }
        assert!(UserUpdate::parse(&data, &Config::default()).is_ok());
    }

    #[test]
    fn shape_is_checked_before_anything_else() {
        let shape = |v: Value| check_shape(v.as_object().unwrap()).err().map(|e| (e.sub_status.clone(), e.detail));
        assert_eq!(shape(json!({})), Some((vec![Code::MissingInput], "data is empty".to_string())));
        assert_eq!(shape(json!({ "is_super_user": true })), Some((vec![Code::InvalidInput], "is_super_user cannot be updated".to_string())));
        assert_eq!(shape(json!({ "username": 1, "approval_status": null })), None);
    }
}
