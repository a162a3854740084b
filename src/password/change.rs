//! Changing passwords: `change_password` (spec §3.10) and the trusted `set_password` (§3.11).
//! A password changed by anyone ends the user's other sessions (OWASP ASVS 7.4.3; Zato keeps
//! them, spec §10 O-34).

use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::crypto::password::Verification;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::Sso;
use crate::store::{keys, Store};

pub const CHANGE_KEYS: [&str; 6] = ["old_password", "new_password", "user_id", "password_expiry", "must_change", "password_must_change"];

fn bad(detail: impl Into<String>) -> SsoError {
    SsoError::invalid_input(detail)
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// `data`: `old_password`, `new_password`, `user_id`, `password_expiry` (days from now),
    /// `must_change` (spec §10 O-12; `password_must_change` is accepted as its alias).
    pub async fn change_password(&self, cid: Option<&str>, data: &Map<String, Value>, ust: &str, current_app: &str, remote_addr: &str) -> SsoResult<()> {
        let req = self.request(cid, current_app, remote_addr)?;
        if data.is_empty() {
            return Err(SsoError::hidden(Code::MissingInput, "data is empty"));
        }
        if data.len() > 5 {
            return Err(bad("data has too many keys"));
        }
        if let Some(k) = data.keys().find(|k| !CHANGE_KEYS.contains(&k.as_str())) {
            return Err(bad(format!("unknown key in data: {}", crate::input::shown_key(k))));
        }
        if data.contains_key("must_change") && data.contains_key("password_must_change") {
            return Err(bad("send must_change or password_must_change, not both"));
        }
        let text = |k: &str| -> SsoResult<Option<String>> {
            match data.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(format!("{k} must be a string"))),
            }
        };
        let (old_password, new_password, user_id) = (text("old_password")?, text("new_password")?, text("user_id")?.filter(|s| !s.is_empty()));
        let new_password = new_password.ok_or_else(|| bad("new_password is required"))?;
        let must_change = match data.get("must_change").or_else(|| data.get("password_must_change")) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(bad("must_change must be a boolean")),
        };
        // Days from now; 0 (Python's `or`, spec §3.11) or a negative number (spec §8.2) means the
        // configured default.
        let expiry_days = match data.get("password_expiry") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(d) if d <= 0 => None,
                Some(d) => Some(d),
                None => return Err(bad("password_expiry must be an integer number of days")),
            },
        };

        let current = self.resolve_session(&req, ust, false).await?;
        let target_audit = user_id.clone().unwrap_or_else(|| format!("no-user-id.{}", crate::sso::random_hex(8).unwrap_or_default()));
        self.audit(&req, "user.change_password", Some(&target_audit), vec![]).await?;
        let caller = current.user;
        let other = user_id.as_ref().is_some_and(|id| *id != caller.user_id);
        if other && !caller.is_super_user {
            return Err(bad("only super-users may change other users' passwords"));
        }
        if other {
            // A super-user sets another user's password: no old password, policy codes shown
            // per password.inform_if_invalid; every session of that user ends.
            let id = user_id.unwrap_or_default();
            let Some(mut user) = self.load_user(&id).await? else { return Ok(()) };
            self.apply_new_password(&mut user, &new_password, must_change, expiry_days, &req.now).await?;
            self.put_user(&user).await?;
            return self.end_sessions(&user.user_id, None).await;
        }
        if must_change.is_some() && !caller.is_super_user {
            return Err(bad("only super-users may set must_change"));
        }
        let old_ok = old_password.as_deref().is_some_and(|p| !p.is_empty())
            && matches!(self.verify_user_password(&caller, old_password.as_deref().unwrap_or("")), Verification::Match { .. });
        if !old_ok {
            return Err(SsoError::shown(Code::AuthNotAllowed, "the old password does not match"));
        }
        let expiry_days = if caller.is_super_user { expiry_days } else { None };
        let mut user = caller;
        // Spec §10 O-13, decided: the policy's own code, revealed per password.inform_if_invalid.
        self.apply_new_password(&mut user, &new_password, must_change, expiry_days, &req.now).await?;
        self.put_user(&user).await?;
        self.end_sessions(&user.user_id, Some(&current.session.session_id)).await
    }

    /// Spec §3.11, trusted (no UST): the CLI's and administrators' way to set a password.
    /// `password_expiry` is in days from now (0 or negative: the configured default). A user_id
    /// that does not exist is a no-op.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_password(
        &self,
        cid: Option<&str>,
        user_id: &str,
        password: &str,
        must_change: Option<bool>,
        password_expiry: Option<i64>,
        current_app: &str,
        remote_addr: &str,
    ) -> SsoResult<()> {
        let req = self.request(cid, current_app, remote_addr)?;
        self.audit(&req, "user.set_password", Some(user_id), vec![]).await?;
        self.check_new_password(password).await?;
        let Some(mut user) = self.load_user(user_id).await? else { return Ok(()) };
        self.apply_new_password(&mut user, password, must_change, password_expiry.filter(|d| *d > 0), &req.now).await?;
        self.put_user(&user).await?;
        self.end_sessions(&user.user_id, None).await
    }

    /// Ends every session of a user, but `keep`.
    pub(crate) async fn end_sessions(&self, user_id: &str, keep: Option<&str>) -> SsoResult<()> {
        for k in self.list_all(&keys::user_sessions_prefix(user_id)).await? {
            let Some(session_id) = k.rsplit('/').next() else { continue };
            if Some(session_id) == keep {
                continue;
            }
            self.delete_session(user_id, session_id).await?;
        }
        Ok(())
    }

    /// A session and what belongs to it: its index entry and its attributes.
    pub(crate) async fn delete_session(&self, user_id: &str, session_id: &str) -> SsoResult<()> {
        self.delete_key(&keys::session(session_id)).await?;
        for k in self.list_all(&keys::attr_scope_prefix(user_id, Some(session_id))).await? {
            self.delete_key(&k).await?;
        }
        self.delete_key(&keys::user_session(user_id, session_id)).await
    }
}
