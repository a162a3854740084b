//! Password reset with a token (PRT, spec §3.16): create a token and deliver it through the
//! host, access it (once) for a reset key, change the password with both (once).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::audit::Audit;
use crate::caller::Caller;
use crate::config::UserSearchBy;
use crate::crypto::ids;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::net;
use crate::session::checker::Checks;
use crate::sso::{encode, parse_record, Request, Sso, Versioned, MAX_SHORT_INPUT};
use crate::store::{digest, keys, Commit, Store};
use crate::time::{self, serde_opt_ts, serde_ts, Timestamp};
use crate::user::record::UserRecord;
use crate::user::write::Change;

const RESET_KEY_PURPOSE: &str = "reset_key";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PrtRecord {
    token_digest: String,
    user_id: String,
    reset_key_digest: String,
    #[serde(with = "serde_ts")]
    creation_time: Timestamp,
    #[serde(with = "serde_ts")]
    expiration_time: Timestamp,
    #[serde(with = "serde_ts")]
    reset_key_exp_time: Timestamp,
    has_been_accessed: bool,
    #[serde(with = "serde_opt_ts")]
    access_time: Option<Timestamp>,
    is_password_reset: bool,
    #[serde(with = "serde_opt_ts")]
    password_reset_time: Option<Timestamp>,
    creation_ctx: Value,
    access_ctx: Value,
    password_reset_ctx: Value,
    /// Wrong TOTP codes sent with this token's reset key; at `MAX_RESET_CODE_TRIES` the token
    /// is void.
    #[serde(default)]
    totp_failures: u32,
}

/// Wrong TOTP codes one reset key may see before its token is void.
const MAX_RESET_CODE_TRIES: u32 = 5;

fn could_not_access() -> SsoError {
    SsoError::hidden(Code::PasswordResetCouldNotAccess, "no such password reset token, or it was used or has expired")
}

fn ctx(req: &Request, user_agent: Option<&str>) -> Value {
    json!({
        "remote_addr": req.remote_addr.iter().map(net::exploded).collect::<Vec<_>>(),
        "user_agent": user_agent,
        "has_remote_addr": !req.remote_addr.is_empty(),
        "has_user_agent": user_agent.is_some(),
    })
}

/// The body of the reset message (Zato's `password-reset-link.txt`, in our words).
pub fn reset_message(username: &str, site_name: &str, token: &str, hours: i64) -> String {
    format!(
        "Hello {username},\n\nsomeone, hopefully you, asked to reset your password at {site_name}.\n\n\
         Your password reset token is: {token}\n\nIt is valid for {hours} hour(s). If you did not ask \
         for a reset, ignore this message: your password stays as it is.\n"
    )
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Always succeeds, whether or not a user was found (no enumeration). The token goes to
    /// the host's `sendPasswordReset` hook; without one it is still created, and the audit
    /// record says it was not delivered.
    pub async fn create_reset_token(&self, caller: &Caller<'_>, credential: &str, user_agent: Option<&str>) -> SsoResult<()> {
        let req = self.request(caller)?;
        if user_agent.is_some_and(|u| u.len() > MAX_SHORT_INPUT) {
            return Err(SsoError::invalid_input("user_agent is longer than 1024 bytes"));
        }
        // A failure is recorded too: over REST this runs after the answer, where nobody else
        // would see it.
        // The record comes first, before any lookup, token or delivery: an audit log that
        // cannot be written stops the operation before it has any effect. The outcome follows
        // in a second record.
        self.audit(&req, "password_reset.create_token", None, vec![]).await?;
        let outcome = match self.create_token_inner(&req, credential, user_agent).await {
            Ok(outcome) => outcome,
            Err(e) => {
                let _ = self.audit_result(&req, "password_reset.create_token", "error", vec![]).await;
                return Err(e);
            }
        };
        self.audit_result(&req, "password_reset.create_token", outcome, vec![]).await
    }

    async fn create_token_inner(&self, req: &Request, credential: &str, user_agent: Option<&str>) -> SsoResult<&'static str> {
        if credential.is_empty() || credential.len() > MAX_SHORT_INPUT {
            return Ok("no_credential");
        }
        let Some(user) = self.reset_user(credential).await? else { return Ok("no_user") };
        let token = ids::new_prt_token().map_err(|_| SsoError::internal("no randomness available"))?;
        let minutes = self.config.password_reset.valid_for;
        let expiration_time = time::add_minutes(&req.now, minutes);
        let token_digest = digest("prt", &token);
        let rec = PrtRecord {
            token_digest: token_digest.clone(),
            user_id: user.user_id.clone(),
            // The reset key is made when the token is accessed.
            reset_key_digest: String::new(),
            creation_time: req.now,
            expiration_time,
            reset_key_exp_time: expiration_time,
            has_been_accessed: false,
            access_time: None,
            is_password_reset: false,
            password_reset_time: None,
            creation_ctx: ctx(req, user_agent),
            access_ctx: Value::Null,
            password_reset_ctx: Value::Null,
            totp_failures: 0,
        };
        let ttl = Some((minutes as u64).saturating_mul(60));
        self.put_record(&keys::prt(&token_digest), &rec, ttl).await?;
        self.put_raw(&keys::user_prt(&user.user_id, &token_digest), "", ttl).await?;
        let Some(email) = user.open_email(&self.keys).filter(|e| !e.is_empty()) else { return Ok("no_email") };
        let site = &self.config.main.site_name;
        let msg = json!({
            "user_id": user.user_id,
            "username": user.username,
            "email": email,
            "token": token,
            "expiration_time": time::format_zato(&expiration_time),
            "from": self.config.password_reset.email_from,
            "subject": self.config.password_reset.email_title_en_GB,
            "body": reset_message(&user.username, site, &token, minutes / 60),
            "site_name": site,
        });
        Ok(match self.hooks.send_password_reset(&msg).await {
            Ok(true) => "delivered",
            Ok(false) => "not_delivered",
            Err(_) => "delivery_failed",
        })
    }

    /// An approved user by username and/or email, per `password_reset.user_search_by`.
    async fn reset_user(&self, credential: &str) -> SsoResult<Option<UserRecord>> {
        let by = self.config.password_reset.user_search_by;
        if matches!(by, UserSearchBy::Username | UserSearchBy::UsernameOrEmail) {
            if let Some(u) = self.find_user_by_username(credential).await?.filter(|u| u.is_approved()) {
                return Ok(Some(u));
            }
        }
        if matches!(by, UserSearchBy::Email | UserSearchBy::UsernameOrEmail) {
            // Spec §10 O-33: found through the keyed email index, encrypted or not.
            for id in self.user_ids_by_email(credential).await? {
                if let Some(u) = self.load_user(&id).await?.filter(|u| u.is_approved()) {
                    if u.open_email(&self.keys).is_some_and(|e| e.eq_ignore_ascii_case(credential.trim())) {
                        return Ok(Some(u));
                    }
                }
            }
        }
        Ok(None)
    }

    /// The token's record and its user, each with the text it was read as: consuming the
    /// token is a write conditional on that text, so exactly one of concurrent uses wins.
    async fn live_prt(&self, req: &Request, token: &str) -> SsoResult<(Versioned<PrtRecord>, Versioned<UserRecord>)> {
        if token.is_empty() || token.len() > MAX_SHORT_INPUT {
            return Err(could_not_access());
        }
        let rec: Versioned<PrtRecord> = parse_record(self.get_raw(&keys::prt(&digest("prt", token))).await?)?.ok_or_else(could_not_access)?;
        let r = &rec.value;
        if r.token_digest != digest("prt", token)
            || r.expiration_time <= req.now
            || r.reset_key_exp_time <= req.now
            || r.is_password_reset
            || r.totp_failures >= MAX_RESET_CODE_TRIES
        {
            return Err(could_not_access());
        }
        let user = self.load_user_versioned(&r.user_id).await?.ok_or_else(could_not_access)?;
        // A token issued before the password last changed (by anyone, or by another reset)
        // is void: it was asked for a password that no longer exists.
        if user.value.password_last_set > r.creation_time {
            return Err(could_not_access());
        }
        Ok((rec, user))
    }

    /// The TOTP code of a reset (`password_reset.require_totp`): counted before the check with
    /// every other code of the user and address; a wrong one also counts against the token,
    /// which is void after `MAX_RESET_CODE_TRIES`.
    async fn reset_code(&self, req: &Request, seen: &Versioned<PrtRecord>, user: &UserRecord, code: Option<&str>) -> SsoResult<u64> {
        let slots = self.throttle_slots(req, &user.username, false, false, true);
        let Some(attempt) = self.count_attempt(req, &slots).await? else { return Err(could_not_access()) };
        match self.check_totp(req, user, code) {
            Ok(step) => {
                self.release_attempt(&attempt, |_| true).await?;
                Ok(step)
            }
            Err(e) => {
                let mut rec = seen.value.clone();
                rec.totp_failures = rec.totp_failures.saturating_add(1);
                let key = keys::prt(&rec.token_digest);
                let ttl = (rec.expiration_time - req.now).num_seconds().max(60) as u64;
                let mut commit = Commit::default();
                commit.check(key.clone(), Some(&seen.raw)).put(key, encode(&rec)?, Some(ttl));
                // Losing this write means the token changed meanwhile (spent, or another
                // failure counted): either way this try is refused.
                self.commit(&commit).await?;
                Err(e)
            }
        }
    }

    /// Spec §3.16: opens a reset token once and returns the sealed reset key that `reset_password` needs with it.
    pub async fn access_reset_token(&self, caller: &Caller<'_>, token: &str, user_agent: Option<&str>) -> SsoResult<String> {
        let req = self.request(caller)?;
        self.audit(&req, "password_reset.access_token", None, vec![]).await?;
        let (seen, user) = self.live_prt(&req, token).await?;
        let mut rec = seen.value.clone();
        if rec.has_been_accessed {
            return Err(could_not_access());
        }
        self.check_user(&req, &user.value, Checks::default())?;
        let reset_key = ids::new_reset_key().map_err(|_| SsoError::internal("no randomness available"))?;
        rec.reset_key_digest = digest("reset_key", &reset_key);
        rec.has_been_accessed = true;
        rec.access_time = Some(req.now);
        rec.access_ctx = ctx(&req, user_agent);
        let session_limit = time::add_seconds(&req.now, self.config.password_reset.password_change_session_duration);
        rec.reset_key_exp_time = rec.expiration_time.min(session_limit);
        let key = keys::prt(&rec.token_digest);
        let ttl = (rec.expiration_time - req.now).num_seconds().max(60) as u64;
        let mut commit = Commit::default();
        commit.check(key.clone(), Some(&seen.raw)).put(key, encode(&rec)?, Some(ttl));
        if !self.commit(&commit).await? {
            // Another access of the same token won.
            return Err(could_not_access());
        }
        self.keys.seal(RESET_KEY_PURPOSE, reset_key.as_bytes()).map_err(|_| SsoError::internal("the reset key could not be sealed"))
    }

    /// Changes the password with an accessed token and its reset key, once. Every session of
    /// the user ends.
    pub async fn reset_password(
        &self,
        caller: &Caller<'_>,
        new_password: &str,
        token: &str,
        reset_key: &str,
        user_agent: Option<&str>,
        totp_code: Option<&str>,
    ) -> SsoResult<()> {
        let req = self.request(caller)?;
        self.audit(&req, "password_reset.change_password", None, vec![]).await?;
        // Spec §10 O-48: a reset key that does not open is E010001, not a crash.
        let key = self.keys.open_string(RESET_KEY_PURPOSE, reset_key).map_err(|_| could_not_access())?;
        let (seen, user) = self.live_prt(&req, token).await?;
        let mut rec = seen.value.clone();
        if !rec.has_been_accessed || rec.reset_key_digest != digest("reset_key", &key) {
            return Err(could_not_access());
        }
        self.check_user(&req, &user.value, Checks::default())?;
        let step = if self.config.password_reset.require_totp && user.value.is_totp_enabled {
            Some(self.reset_code(&req, &seen, &user.value, totp_code).await?)
        } else {
            None
        };
        self.audit(
            &req,
            "user.set_password",
            Some(&user.value.user_id),
            vec![
                ("user_agent", user_agent.map(|u| Value::String(u.into())).unwrap_or(Value::Null)),
                ("has_remote_addr", Value::Bool(!req.remote_addr.is_empty())),
                ("has_user_agent", Value::Bool(user_agent.is_some())),
            ],
        )
        .await?;
        self.check_new_password(new_password).await?;
        let hash = self.seal_password_hash(new_password)?;
        rec.is_password_reset = true;
        rec.password_reset_time = Some(req.now);
        rec.password_reset_ctx = ctx(&req, user_agent);
        let prt_key = keys::prt(&rec.token_digest);
        let ttl = (rec.expiration_time - req.now).num_seconds().max(60) as u64;
        let prt_text = encode(&rec)?;
        let end_sessions = self.config.password_reset.end_sessions;
        let listed = if end_sessions { self.list_all(&keys::user_sessions_prefix(&user.value.user_id)).await? } else { Vec::new() };
        let user_id = user.value.user_id.clone();
        // One commit: the token is spent (under a check of the record as read, so a token and
        // key work once) and the password set, together or not at all.
        let changed = self
            .modify_user(
                &user_id,
                crate::user::write::Writer::System,
                Some(user),
                |old| {
                    let mut u = old.clone();
                    if let Some(step) = step {
                        if old.totp_last_step.is_some_and(|last| step <= last) {
                            return Err(could_not_access());
                        }
                        u.totp_last_step = Some(step);
                    }
                    self.set_password_hash(&mut u, hash.clone(), Some(false), None, &req.now)?;
                    if !end_sessions {
                        // Zato keeps the user's sessions through a reset unless configured.
                        u.stamp = old.stamp.clone();
                    }
                    Ok(Change::Write(u))
                },
                |commit, _, _| {
                    commit.check(prt_key.clone(), Some(&seen.raw)).put(prt_key.clone(), prt_text.clone(), Some(ttl));
                    self.stage_session_deletes(commit, &user_id, &listed, None);
                    Ok(())
                },
            )
            .await;
        match changed {
            Ok(Some(_)) => {}
            Ok(None) => return Err(could_not_access()),
            // Lost to a concurrent use of the token (or the user kept changing): is the token
            // still unspent? Then it was the user record, and the caller may try again.
            Err(e) if e.has(Code::Conflict) => {
                return match self.live_prt(&req, token).await {
                    Ok(_) => Err(e),
                    Err(_) => Err(could_not_access()),
                };
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }
}
