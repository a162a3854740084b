//! Login (spec §4.1, steps L1–L9) and logout (§3.9).

use serde_json::Value;

use crate::audit::Audit;
use crate::hooks::Hooks;
use crate::crypto::{ids, password as pw, totp};
use crate::error::{Code, SsoError, SsoResult};
use crate::session::checker::Checks;
use crate::session::record::{HistoryEntry, SessionRecord};
use crate::sso::{Request, Sso, MAX_SHORT_INPUT};
use crate::store::{keys, Store};
use crate::time::{self, Timestamp};
use crate::user::record::{purpose, UserRecord};

/// Login's keyword arguments.
#[derive(Clone, Default)]
pub struct LoginOptions {
    pub user_agent: Option<String>,
    pub totp_code: Option<String>,
    pub new_password: Option<String>,
    /// The request explicitly carried `remote_addr` / `user_agent` input fields (REST), which
    /// only apps in `apps.login_metadata_allowed` may do (C7).
    pub has_remote_addr: bool,
    pub has_user_agent: bool,
}

impl std::fmt::Debug for LoginOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginOptions")
            .field("user_agent", &self.user_agent)
            .field("has_totp_code", &self.totp_code.is_some())
            .field("has_new_password", &self.new_password.is_some())
            .finish()
    }
}

#[derive(Clone, PartialEq)]
pub struct LoginResult {
    /// Sealed: the only form a client ever sees.
    pub ust: String,
    pub user_id: String,
    pub username: String,
    pub creation_time: Timestamp,
    pub expiration_time: Timestamp,
    pub has_w_about_to_exp: bool,
}

impl std::fmt::Debug for LoginResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResult")
            .field("user_id", &self.user_id)
            .field("username", &self.username)
            .field("expiration_time", &self.expiration_time)
            .field("has_w_about_to_exp", &self.has_w_about_to_exp)
            .finish_non_exhaustive()
    }
}

fn not_allowed(detail: &str) -> SsoError {
    SsoError::hidden(Code::AuthNotAllowed, detail)
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    pub async fn login(
        &self,
        cid: Option<&str>,
        username: &str,
        password: &str,
        current_app: &str,
        remote_addr: &str,
        mut opts: LoginOptions,
    ) -> SsoResult<LoginResult> {
        // The secrets are wiped when the call ends, on every path out of it.
        let totp_code = opts.totp_code.take().map(zeroize::Zeroizing::new);
        let new_password = opts.new_password.take().map(zeroize::Zeroizing::new);
        let req = self.request(cid, current_app, remote_addr)?;
        if opts.user_agent.as_ref().is_some_and(|ua| ua.len() > MAX_SHORT_INPUT) {
            return Err(SsoError::invalid_input("user_agent is longer than 1024 bytes"));
        }
        self.audit(
            &req,
            "user.login",
            Some(username),
            vec![
                ("user_agent", opts.user_agent.clone().map(Value::String).unwrap_or(Value::Null)),
                ("new_password", Value::Bool(new_password.as_ref().is_some_and(|p| !p.is_empty()))),
            ],
        )
        .await?;
        // Throttled attempts are refused before any password work, with the same answer.
        if self.login_blocked(&req, username).await? {
            return Err(not_allowed("too many failed attempts: try again later"));
        }
        let (mut user, rehashed, totp_step) = match self.authenticate(&req, username, password, totp_code.as_ref().map(|c| c.as_str())).await {
            Ok(ok) => ok,
            Err(e) if e.has(Code::InternalError) => return Err(e),
            Err(e) => {
                if self.login_failed(&req, username).await? {
                    self.auto_lock(&req, username).await?;
                }
                return Err(e);
            }
        };
        self.login_succeeded(&req, username).await?;

        // L4
        if !self.config.apps.login_allowed.contains(&req.current_app) {
            let code = if self.config.apps.inform_if_app_invalid { Code::AppListInvalid } else { Code::AuthNotAllowed };
            return Err(SsoError::shown(code, "current_app may not be used to log in"));
        }
        // L5
        let checks = Checks { password_expiry: true, has_remote_addr: opts.has_remote_addr, has_user_agent: opts.has_user_agent };
        self.check_user(&req, &user, checks)?;
        // L6 (spec §10 O-16, decided as recommended; see README "Differences from Zato")
        let p = &self.config.password;
        let about_to_expire = req.now > time::add_days(&user.password_expiry, -p.about_to_expire_threshold);
        let mut has_w_about_to_exp = false;
        if about_to_expire && !user.password_must_change {
            if p.log_in_if_about_to_expire {
                has_w_about_to_exp = p.inform_if_about_to_expire;
            } else {
                return Err(SsoError::new(Code::PasswordEAboutToExp, p.inform_if_about_to_expire, "the password is about to expire"));
            }
        }
        // L7, L8
        let mut password_changed = false;
        if user.password_must_change {
            let new_password = new_password.as_ref().map(|p| p.as_str()).unwrap_or("");
            if new_password.is_empty() {
                // Spec §10 O-15: a clean E005001 where the original crashed.
                let code = if p.inform_if_must_be_changed { Code::PasswordMustSendNew } else { Code::AuthNotAllowed };
                return Err(SsoError::shown(code, "the password must be changed: send a new password"));
            }
            // Spec §10 O-14: a refused new password is a refused login, never ignored.
            self.apply_new_password(&mut user, new_password, Some(false), None, &req.now).await.map_err(|e| {
                if e.reveal { e } else { SsoError::shown(Code::AuthNotAllowed, "the new password was refused") }
            })?;
            password_changed = true;
        } else if let Some(upgraded) = rehashed {
            // A hash with weaker parameters than configured is replaced now that we know the
            // password (it cannot be done at any other time).
            user.password = upgraded.0;
            user.password_sealed = upgraded.1;
            password_changed = true;
        }
        if let Some(step) = totp_step {
            user.totp_last_step = Some(step);
        }
        if password_changed || totp_step.is_some() {
            self.put_user(&user).await?;
        }
        // L9
        let session = self.create_session(&req, &user, opts.user_agent.clone().unwrap_or_default(), "default").await?;
        Ok(LoginResult {
            ust: session.0,
            user_id: user.user_id,
            username: user.username,
            creation_time: session.1.creation_time,
            expiration_time: session.1.expiration_time,
            has_w_about_to_exp,
        })
    }

    /// L1–L3: the user by name among approved users, the password, the TOTP code. Unknown,
    /// unapproved and wrong-password cases take the same path and the same time: a dummy
    /// Argon2 verification stands in for the missing hash (spec §10 O-1).
    /// Also returns the password hashed afresh when the stored hash is weaker than configured.
    async fn authenticate(
        &self,
        req: &Request,
        username: &str,
        password: &str,
        totp_code: Option<&str>,
    ) -> SsoResult<(UserRecord, Option<(String, bool)>, Option<u64>)> {
        let too_long = password.chars().take(self.config.password.max_length + 1).count() > self.config.password.max_length;
        let user = if username.is_empty() || username.len() > MAX_SHORT_INPUT {
            None
        } else {
            self.find_user_by_username(username).await?.filter(|u| u.is_approved())
        };
        let user = match user {
            Some(u) if !password.is_empty() && !too_long => u,
            _ => {
                if !too_long {
                    pw::dummy_verify(password, &self.argon2);
                }
                return Err(not_allowed("invalid username or password"));
            }
        };
        let rehashed = match self.verify_user_password(&user, password) {
            pw::Verification::Mismatch => return Err(not_allowed("invalid username or password")),
            pw::Verification::Match { needs_rehash: false } => None,
            pw::Verification::Match { needs_rehash: true } => Some(self.seal_password_hash(password)?),
        };
        let step = if user.is_totp_enabled { Some(self.check_totp(req, &user, totp_code)?) } else { None };
        Ok((user, rehashed, step))
    }

    /// Spec §3.15 `validate_code_for_user`: the current 30-second step only, and a code that
    /// was accepted once is not accepted again (RFC 6238 §5.2). Returns the step to record.
    pub(crate) fn check_totp(&self, req: &Request, user: &UserRecord, code: Option<&str>) -> SsoResult<u64> {
        let code = code.unwrap_or("");
        if code.is_empty() {
            return Err(self.totp_missing());
        }
        let key = user.open_totp_key(&self.keys).ok_or_else(|| not_allowed("invalid TOTP code"))?;
        let now = time::unix_secs(&req.now).max(0) as u64;
        if !totp::verify_totp(&key, code, now) {
            return Err(not_allowed("invalid TOTP code"));
        }
        let step = totp::totp_step(now);
        if user.totp_last_step.is_some_and(|last| step <= last) {
            return Err(not_allowed("this TOTP code was used already"));
        }
        Ok(step)
    }

    /// `throttle.lock_user_after` reached: the account is locked by `auto`.
    async fn auto_lock(&self, req: &Request, username: &str) -> SsoResult<()> {
        let Some(old) = self.find_user_by_username(username).await? else { return Ok(()) };
        if old.is_locked {
            return Ok(());
        }
        let mut user = old.clone();
        self.set_locked(&mut user, true, "auto", req);
        self.save_user(&old, &user).await?;
        self.end_sessions(&user.user_id, None).await
    }

    /// E005008 when `login.inform_if_totp_missing`, else a hidden E005001.
    pub(crate) fn totp_missing(&self) -> SsoError {
        if self.config.login.inform_if_totp_missing {
            SsoError::shown(Code::AuthTotpMissing, "a TOTP code is required")
        } else {
            not_allowed("a TOTP code is required")
        }
    }

    /// Creates a session (spec §4.4) and returns the client's sealed UST with the record.
    pub(crate) async fn create_session(&self, req: &Request, user: &UserRecord, user_agent: String, auth_type: &str) -> SsoResult<(String, SessionRecord)> {
        let internal = ids::new_ust().map_err(|_| SsoError::internal("no randomness available"))?;
        let sealed = self.keys.seal(purpose::UST, internal.as_bytes()).map_err(|_| SsoError::internal("the UST could not be sealed"))?;
        let session_id = keys::session_id(&internal);
        let minutes = self.session_minutes(&req.current_app, &user.username).await;
        let minutes = match self.config.session.max_lifetime {
            0 => minutes,
            max => minutes.min(max),
        };
        let mut session = SessionRecord {
            session_id: session_id.clone(),
            user_id: user.user_id.clone(),
            creation_time: req.now,
            expiration_time: time::add_minutes(&req.now, minutes),
            remote_addr: req.stored_remote_addr(),
            user_agent: user_agent.clone(),
            auth_type: auth_type.to_string(),
            auth_principal: user.username.clone(),
            ext_session_id: String::new(),
            current_app: req.current_app.clone(),
            session_state_change_list: Vec::new(),
            last_used: Some(req.now),
        };
        session.push_history(self.history_entry(req, Some(user_agent), "login"));
        let ttl = (minutes as u64).saturating_mul(60);
        self.put_record(&keys::session(&session_id), &session, Some(ttl)).await?;
        // The owner index lets logout-everywhere and delete find the sessions; a session
        // whose index entry failed to write still works and still expires.
        self.put_raw(&keys::user_session(&user.user_id, &session_id), "", Some(ttl)).await?;
        Ok((sealed, session))
    }

    /// Spec §4.4: `session.expiry` minutes, or what the host's expiry hook says (a failing or
    /// nonsensical hook keeps the default).
    pub(crate) async fn session_minutes(&self, current_app: &str, username: &str) -> i64 {
        let default = self.config.session.expiry.max(1);
        let ctx = serde_json::json!({ "current_app": current_app, "username": username, "default_expiry": default });
        self.hooks.session_expiry(&ctx).await.filter(|m| *m > 0 && *m <= 5_256_000).unwrap_or(default)
    }

    pub(crate) fn history_entry(&self, req: &Request, user_agent: Option<String>, source: &str) -> HistoryEntry {
        let addrs: Vec<String> = req.remote_addr.iter().map(|a| a.to_string()).collect();
        let remote_addr = match addrs.len() {
            0 => Value::String(String::new()),
            1 => Value::String(addrs[0].clone()),
            _ => Value::Array(addrs.into_iter().map(Value::String).collect()),
        };
        HistoryEntry { remote_addr, user_agent, timestamp_utc: time::format_zato(&req.now), ctx_source: source.to_string(), idx: 0 }
    }

    /// Spec §3.9 with §10 O-35: logout needs only a live session, whatever its owner's state.
    pub async fn logout(&self, cid: Option<&str>, ust: &str, current_app: &str, remote_addr: &str) -> SsoResult<()> {
        let req = self.request(cid, current_app, remote_addr)?;
        self.audit(&req, "user.logout", None, vec![]).await?;
        let session = self.live_session(&req, ust).await?;
        self.delete_session(&session.user_id, &session.session_id).await
    }
}
