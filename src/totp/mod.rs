//! TOTP administration: `reset_totp_key` (spec §3.12), the TOTP API `validate_code` (§3.15)
//! and the `otpauth://` provisioning URI authenticator apps scan.

use serde_json::Value;

use crate::audit::Audit;
use crate::caller::{Caller, SessionCaller};
use crate::crypto::{ids, totp};
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::Sso;
use crate::store::{keys, Store};
use crate::user::record::{purpose, DEFAULT_LABEL};
use crate::user::write::{user_from_raw, Change, Writer};

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Sets a new TOTP key (generated when `key` is None) and label for the caller or, for a
    /// super-user, for `user_id`. Returns the key in clear. `is_totp_enabled` is not changed.
    pub async fn reset_totp_key(
        &self,
        caller: &SessionCaller<'_>,
        user_id: Option<&str>,
        key: Option<&str>,
        key_label: Option<&str>,
    ) -> SsoResult<String> {
        let req = self.request(&caller.origin())?;
        let user_id = user_id.filter(|s| !s.is_empty());
        self.audit(
            &req,
            "user.reset_totp_key",
            user_id,
            vec![("skip_sec", Value::Bool(false)), ("user_id", user_id.map(|s| Value::String(s.into())).unwrap_or(Value::Null))],
        )
        .await?;
        // Spec §3.12, in order: the session, then who the target is, then the key itself.
        let extra: Vec<String> = user_id.map(keys::user).into_iter().collect();
        let (current, extras) = self.resolve_session_with(&req, caller.ust, false, &extra).await?;
        let target = match user_id {
            Some(_) if !current.user.is_super_user => return Err(SsoError::invalid_input("only super-users may name a user_id")),
            Some(id) => {
                user_from_raw(id, extras.into_iter().next().flatten())?.ok_or_else(|| SsoError::shown(Code::AuthNotAllowed, "no such user"))?
            }
            None => current.user_versioned(),
        };
        let writer = if target.value.user_id == current.user.user_id { Writer::Owner } else { Writer::Admin };
        self.replace_totp_key(target, writer, key, key_label).await
    }

    /// Seals and stores `key` (generated when None or empty) and `label` for `target`; returns
    /// the key in clear.
    pub(crate) async fn replace_totp_key(
        &self,
        target: crate::sso::Versioned<crate::user::UserRecord>,
        writer: Writer,
        key: Option<&str>,
        key_label: Option<&str>,
    ) -> SsoResult<String> {
        // Spec §10 O-11: an empty key means a generated one. A given key must be usable base-32:
        // Zato stores anything, and a key no authenticator can read locks its user out.
        let key = match key.filter(|k| !k.is_empty()) {
            Some(k) => {
                if k.len() > 256 || totp::totp_code(k, 0).is_err() {
                    return Err(SsoError::invalid_input("the TOTP key is not valid base-32"));
                }
                k.to_string()
            }
            None => ids::totp_key().map_err(|_| SsoError::internal("no randomness available"))?,
        };
        let label = key_label.filter(|l| !l.is_empty()).unwrap_or(DEFAULT_LABEL);
        if label.chars().count() > crate::user::create::MAX_TEXT {
            return Err(SsoError::invalid_input("the TOTP label is too long"));
        }
        let seal = |p: &str, v: &str| self.keys.seal(p, v.as_bytes()).map_err(|_| SsoError::internal("a value could not be sealed"));
        let (sealed_key, sealed_label) = (seal(purpose::TOTP_KEY, &key)?, seal(purpose::TOTP_LABEL, label)?);
        let target_id = target.value.user_id.clone();
        self.modify_user(
            &target_id,
            writer,
            Some(target),
            |old| {
                let mut user = old.clone();
                user.totp_key = sealed_key.clone();
                user.totp_label = sealed_label.clone();
                Ok(Change::Write(user))
            },
            |_, _, _| Ok(()),
        )
        .await?;
        Ok(key)
    }

    /// Spec §3.15: is `code` the current code of the user behind `ust` or `username` (exactly
    /// one of them)? Resolves true, or fails with E005008 / E005001.
    pub async fn validate_code(&self, caller: &Caller<'_>, code: &str, ust: Option<&str>, username: Option<&str>) -> SsoResult<bool> {
        let req = self.request(caller)?;
        let (ust, username) = (ust.filter(|s| !s.is_empty()), username.filter(|s| !s.is_empty()));
        self.audit(
            &req,
            "totp_api.validate_code",
            None,
            vec![
                ("has_code", Value::Bool(!code.is_empty())),
                ("has_ust", Value::Bool(ust.is_some())),
                ("has_username", Value::Bool(username.is_some())),
            ],
        )
        .await?;
        // Spec §3.15: the empty-code check runs first.
        if code.is_empty() {
            return Err(self.totp_missing());
        }
        if ust.is_some() == username.is_some() {
            return Err(SsoError::invalid_input("give exactly one of ust and username"));
        }
        // Spec §3.15: an unknown UST or user is E005001 where the original crashed.
        let unknown = || SsoError::hidden(Code::AuthNotAllowed, "no such user");
        let user = match (ust, username) {
            (Some(u), _) => match self.read_session(&req, u, &[]).await {
                Ok((_, user, _, _)) => Some(user),
                Err(e) if e.is_host_failure() => return Err(e),
                Err(_) => return Err(unknown()),
            },
            (_, Some(name)) => match self.find_user_by_username(name).await? {
                Some(u) => self.load_user_versioned(&u.user_id).await?,
                None => None,
            },
            _ => None,
        };
        let user = user.filter(|u| u.value.is_approved()).ok_or_else(unknown)?;
        // Each code is counted before it is checked, per user and per address, with the
        // codes of logins and resets: this call needs no password, so without a limit it
        // would cover the 6-digit space in minutes.
        let slots = self.throttle_slots(&req, &user.value.username, false, false, true);
        let Some(attempt) = self.count_attempt(&req, &slots).await? else {
            return Err(SsoError::hidden(Code::AuthNotAllowed, "too many wrong codes: try again later"));
        };
        // The step is spent in a write conditional on the record the code was checked against:
        // of concurrent uses of one code exactly one succeeds.
        let user_id = user.value.user_id.clone();
        let spent = self
            .modify_user(
                &user_id,
                Writer::Owner,
                Some(user),
                |old| {
                    if !old.is_approved() {
                        return Err(unknown());
                    }
                    let step = self.check_totp(&req, old, Some(code))?;
                    let mut used = old.clone();
                    used.totp_last_step = Some(step);
                    Ok(Change::Write(used))
                },
                |_, _, _| Ok(()),
            )
            .await?;
        spent.ok_or_else(unknown)?;
        self.release_attempt(&attempt, |_| true).await?;
        Ok(true)
    }

    /// The `otpauth://` URI for a key: label `<issuer>:<account>`, issuer `main.site_name`
    /// unless given.
    pub fn totp_provisioning_uri(&self, key: &str, account: &str, issuer: Option<&str>) -> SsoResult<String> {
        if totp::totp_code(key, 0).is_err() {
            return Err(SsoError::invalid_input("the TOTP key is not valid base-32"));
        }
        Ok(totp::provisioning_uri(key, account, issuer.filter(|i| !i.is_empty()).unwrap_or(&self.config.main.site_name)))
    }
}
