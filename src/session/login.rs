//! Login (spec §4.1, steps L1–L9) and logout (§3.9).

use serde_json::Value;

use crate::audit::Audit;
use crate::caller::{Caller, SessionCaller};
use crate::crypto::{ids, password as pw, totp};
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::session::checker::Checks;
use crate::session::record::{HistoryEntry, SessionRecord};
use crate::session::resolve::ust_plaintext;
use crate::session::throttle::Slot;
use crate::sso::{encode, gave_up, Request, Sso, Versioned, MAX_ATTEMPTS, MAX_SHORT_INPUT};
use crate::store::{join2, keys, Commit, Store, MAX_COMMIT_WRITES};
use crate::time::{self, Timestamp};
use crate::user::read::UsernameClaim;
use crate::user::record::{purpose, UserRecord};
use crate::user::write::{intent_pending, user_from_raw, yielded, Change, Writer};

/// Login's keyword arguments.
#[derive(Clone, Default)]
pub struct LoginOptions {
    /// The client's user agent, kept in the session and its history.
    pub user_agent: Option<String>,
    /// The current TOTP code, for a user with TOTP enabled.
    pub totp_code: Option<String>,
    /// A new password, for a user who must change theirs (`password_must_change`) at this login.
    pub new_password: Option<String>,
    /// The request explicitly carried `remote_addr` / `user_agent` input fields (REST), which
    /// only apps in `apps.login_metadata_allowed` may do (C7).
    pub has_remote_addr: bool,
    /// See `has_remote_addr`: the request carried `user_agent` explicitly.
    pub has_user_agent: bool,
    /// A device token this client got at an earlier login of the same user (exempts it from
    /// the per-user throttle).
    pub device_token: Option<String>,
}

impl std::fmt::Debug for LoginOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginOptions")
            .field("user_agent", &self.user_agent)
            .field("has_totp_code", &self.totp_code.is_some())
            .field("has_new_password", &self.new_password.is_some())
            .field("has_device_token", &self.device_token.is_some())
            .finish()
    }
}

/// A successful login: the new session and what the client should know.
#[derive(Clone, PartialEq)]
pub struct LoginResult {
    /// Sealed: the only form a client ever sees.
    pub ust: String,
    /// The user's id (`zusr…`).
    pub user_id: String,
    /// The user's username.
    pub username: String,
    /// When the session was created.
    pub creation_time: Timestamp,
    /// When the session ends unless renewed.
    pub expiration_time: Timestamp,
    /// The password is about to expire: the client should show W003005.
    pub has_w_about_to_exp: bool,
    /// For the client to keep (a cookie, say) and send at its next logins of this user: it
    /// exempts the client from the per-user throttle. Sealed; not a credential.
    pub device_token: String,
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

const DEVICE_PURPOSE: &str = "device";
/// How long a device token exempts its client: 180 days.
const DEVICE_TOKEN_MS: i64 = 180 * 24 * 3600 * 1000;

fn not_allowed(detail: &str) -> SsoError {
    SsoError::hidden(Code::AuthNotAllowed, detail)
}

/// How a login's second factor is settled.
#[derive(Clone, Copy)]
pub(crate) enum SecondFactor<'a> {
    /// The code the client sent: checked (again, if the record changed meanwhile) for users
    /// with TOTP on, and its step spent in the session's commit.
    Code(Option<&'a str>),
    /// Not asked for: a trusted login by the operator (spec §10 O-44, decided as
    /// recommended), or an external session of a Basic Auth definition (spec §3.18).
    Waived,
}

// The code is a secret: Debug says only whether there is one.
impl std::fmt::Debug for SecondFactor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecondFactor::Code(c) => f.debug_struct("Code").field("given", &c.is_some()).finish(),
            SecondFactor::Waived => f.write_str("Waived"),
        }
    }
}

/// What kind of session a login makes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LoginKind<'a> {
    /// A login with a password (spec §4.1).
    Password,
    /// The operator's trusted login (spec §8.4): no password, and no L4 app check, since the
    /// CLI's app `zato-cli` is not an app users log in through.
    Trusted,
    /// An external session of a linked definition (spec §3.18), with its `ext_session_id`.
    External(&'a str),
}

/// Which check refused a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Password,
    Totp,
}

/// What login learnt from the password check, kept across retries of its final write.
pub(crate) struct Authenticated {
    pub user: Versioned<UserRecord>,
    /// The password hashed afresh, when the stored hash is weaker than configured.
    pub rehashed: Option<(String, bool)>,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Spec §4.1. Three round trips to the store when nothing races it: the username and the
    /// throttle counters together; the attempt counted (conditionally) together with the
    /// user's record; then the session created together with the attempt given back.
    pub async fn login(&self, caller: &Caller<'_>, username: &str, password: &str, mut opts: LoginOptions) -> SsoResult<LoginResult> {
        // The secrets are wiped when the call ends, on every path out of it.
        let totp_code = opts.totp_code.take().map(zeroize::Zeroizing::new);
        let new_password = opts.new_password.take().map(zeroize::Zeroizing::new);
        let req = self.request(caller)?;
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
        let name_ok = !username.is_empty() && username.len() <= MAX_SHORT_INPUT;
        let totp_given = totp_code.as_ref().is_some_and(|c| !c.is_empty());
        // Every counter is read; the per-user one is dropped below for a known device.
        let mut slots = self.throttle_slots(&req, username, true, false, totp_given);
        // Round trip 1: the username's claim and the throttle counters.
        // A name created before names were prepared may still be claimed under its old key.
        let name = if name_ok { username } else { "" };
        let legacy = keys::username_legacy(name);
        let mut batch = vec![keys::username(name)];
        batch.extend(legacy.clone());
        let names = batch.len();
        batch.extend(Self::slot_keys(&slots));
        let mut first = self.get_many_raw(&batch).await?;
        let mut counters = first.split_off(names);
        // The exact spelling's claim from before names were prepared wins over the prepared
        // one: a case variant created later cannot take an existing user's login.
        let mut claims = first.into_iter();
        let (prepared, legacy_claim) = (claims.next().flatten(), claims.next().flatten());
        let claim: Option<UsernameClaim> = legacy_claim.or(prepared).and_then(|t| serde_json::from_str(&t).ok());
        // A client that logged in as this very account before (its device token names the
        // user id) is exempt from the per-user limit, so that failures from elsewhere cannot
        // lock the owner out (OWASP's device cookies).
        let trusted_device = match (&claim, opts.device_token.as_deref()) {
            (Some(c), Some(t)) => self.device_token_valid(t, &c.user_id, &req.now),
            _ => false,
        };
        if trusted_device {
            if let Some(i) = slots.iter().position(|(_, _, s)| *s == Slot::User) {
                slots.remove(i);
                counters.remove(i);
            }
        }
        let blocked = || not_allowed("too many failed attempts: try again later");
        if self.is_blocked(&req, &counters) {
            return Err(blocked());
        }
        // Round trip 2: the attempt is counted before any password work, with the same answer
        // when refused; the user's record is read alongside. An unknown name reads a key that
        // cannot exist, so that known and unknown names cost the same calls.
        let user_key = keys::user(claim.as_ref().map(|c| c.user_id.as_str()).filter(|_| name_ok).unwrap_or("-"));
        let intent_key = keys::user_intent(claim.as_ref().map(|c| c.user_id.as_str()).filter(|_| name_ok).unwrap_or("-"));
        let (attempt, user_read) = join2(self.reserve_attempt(&req, &slots, counters), self.get_many_raw(&[user_key, intent_key])).await;
        let mut user_read = user_read?;
        let intent_raw = user_read.pop().flatten();
        let user_raw: SsoResult<Option<String>> = Ok(user_read.pop().flatten());
        let Some(attempt) = attempt? else { return Err(blocked()) };
        let user = match &claim {
            Some(c) if name_ok => {
                user_from_raw(&c.user_id, user_raw?)?.filter(|u| crate::username::same(&u.value.username, username) && u.value.is_approved())
            }
            _ => None,
        };
        let admin_at_work = intent_pending(intent_raw.as_deref(), req.now.and_utc().timestamp_millis());
        let authenticated = match self.authenticate(&req, user, password, totp_code.as_ref().map(|c| c.as_str())) {
            Ok(a) => a,
            Err((e, stage)) => {
                if attempt.lock_if_failed {
                    self.auto_lock(&req, username).await?;
                }
                // A code that was never checked (the password failed first) is not a wrong
                // code: its counters are given back, whoever the user (same calls either way).
                if stage == Stage::Password {
                    self.release_attempt(&attempt, Slot::is_totp).await?;
                }
                return Err(e);
            }
        };
        if admin_at_work {
            // An administrator's change of this user lost a race: the owner steps aside (the
            // attempt was good, so it is given back).
            self.release_attempt(&attempt, |_| true).await?;
            return Err(yielded());
        }
        // Round trip 3: the attempt is given back while the session is made.
        let (released, result) = join2(
            self.release_attempt(&attempt, |_| true),
            self.finish_login(
                &req,
                authenticated,
                SecondFactor::Code(totp_code.as_ref().map(|c| c.as_str())),
                new_password.as_ref().map(|p| p.as_str()),
                &opts,
                LoginKind::Password,
            ),
        )
        .await;
        released?;
        result
    }

    /// L4–L9 after a good password: the checks, the forced change, the session. The user's
    /// record is written (TOTP step, new password, stronger hash) under a check of what was
    /// read; when a concurrent change wins, the record is read again and every check runs
    /// again on it (a password changed meanwhile refuses the login: it was checked against
    /// the old one).
    pub(crate) async fn finish_login(
        &self,
        req: &Request,
        auth: Authenticated,
        second: SecondFactor<'_>,
        new_password: Option<&str>,
        opts: &LoginOptions,
        kind: LoginKind<'_>,
    ) -> SsoResult<LoginResult> {
        let ext_session_id = match kind {
            LoginKind::External(id) => id,
            LoginKind::Password | LoginKind::Trusted => "",
        };
        let verified_hash = auth.user.value.password.clone();
        let mut current = auth.user;
        // The forced change's new hash, computed once whatever the retries.
        let mut new_hash: Option<(String, bool)> = None;
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                current = self
                    .load_user_versioned(&current.value.user_id)
                    .await?
                    .filter(|u| u.value.password == verified_hash && u.value.is_approved())
                    .ok_or_else(|| not_allowed("invalid username or password"))?;
                if let (true, SecondFactor::Code(code)) = (current.value.is_totp_enabled, second) {
                    self.check_totp(req, &current.value, code)?;
                }
            }
            let old = &current.value;
            // L4
            if !matches!(kind, LoginKind::Trusted) && !self.config.apps.login_allowed.contains(&req.current_app) {
                let code = if self.config.apps.inform_if_app_invalid { Code::AppListInvalid } else { Code::AuthNotAllowed };
                return Err(SsoError::shown(code, "current_app may not be used to log in"));
            }
            // L5
            let checks = Checks {
                password_expiry: true,
                has_remote_addr: opts.has_remote_addr,
                has_user_agent: opts.has_user_agent,
                trusted_app: matches!(kind, LoginKind::Trusted),
            };
            self.check_user(req, old, checks)?;
            // L6 (spec §10 O-16, decided as recommended; see README "Differences from Zato")
            let p = &self.config.password;
            let about_to_expire = req.now > time::add_days(&old.password_expiry, -p.about_to_expire_threshold);
            let mut has_w_about_to_exp = false;
            if about_to_expire && !old.password_must_change {
                if p.log_in_if_about_to_expire {
                    has_w_about_to_exp = p.inform_if_about_to_expire;
                } else {
                    return Err(SsoError::new(Code::PasswordEAboutToExp, p.inform_if_about_to_expire, "the password is about to expire"));
                }
            }
            // L7, L8
            let mut user = old.clone();
            let mut changed = false;
            if old.password_must_change {
                let new_password = new_password.unwrap_or("");
                if new_password.is_empty() {
                    // Spec §10 O-15: a clean E005001 where the original crashed.
                    let code = if p.inform_if_must_be_changed { Code::PasswordMustSendNew } else { Code::AuthNotAllowed };
                    return Err(SsoError::shown(code, "the password must be changed: send a new password"));
                }
                if new_hash.is_none() {
                    // Spec §10 O-14: a refused new password is a refused login, never ignored.
                    self.check_new_password(new_password).await.map_err(|e| {
                        if e.reveal {
                            e
                        } else {
                            SsoError::shown(Code::AuthNotAllowed, "the new password was refused")
                        }
                    })?;
                    new_hash = Some(self.seal_password_hash(new_password)?);
                }
                if let Some(hash) = &new_hash {
                    self.set_password_hash(&mut user, hash.clone(), Some(false), None, &req.now)?;
                }
                changed = true;
            } else if let Some(upgraded) = &auth.rehashed {
                // A hash with weaker parameters than configured is replaced now that we know the
                // password (it cannot be done at any other time). Not a new password: the
                // stamp, and so the other sessions, stay.
                user.password = upgraded.0.clone();
                user.password_sealed = upgraded.1;
                changed = true;
            }
            if user.is_totp_enabled && matches!(second, SecondFactor::Code(_)) {
                // The code was checked against this very record: its step is now used, and the
                // conditional write below lets exactly one login spend it.
                let now = time::unix_secs(&req.now).max(0) as u64;
                user.totp_last_step = Some(totp::totp_step(now));
                changed = true;
            }
            // L9
            let mut commit = Commit::default();
            if changed {
                self.stage_user_write(&mut commit, &current, &mut user)?;
            } else {
                // The session is made under the stamp read: a concurrent lock or password
                // change replaces it, and the session is dead at once.
                commit.check(keys::user(&user.user_id), Some(&current.raw));
            }
            let (ust, session) = self.stage_new_session(&mut commit, req, &user, opts.user_agent.clone().unwrap_or_default(), ext_session_id).await?;
            // Not in Zato: the last login, for administrators (getUserById, search). Unchecked:
            // simultaneous logins each write it, the last one stays.
            commit.put(keys::user_login(&user.user_id), time::format_zato(&req.now), None);
            let device_token = self.new_device_token(&user.user_id, &req.now)?;
            if self.commit(&commit).await? {
                return Ok(LoginResult {
                    ust,
                    user_id: user.user_id,
                    username: user.username,
                    creation_time: session.creation_time,
                    expiration_time: session.expiration_time,
                    has_w_about_to_exp,
                    device_token,
                });
            }
        }
        Err(gave_up("the user record"))
    }

    /// L1–L3: the user among approved users, the password, the TOTP code. Unknown,
    /// unapproved and wrong-password cases take the same path and the same time: a dummy
    /// Argon2 verification stands in for the missing hash (spec §10 O-1).
    fn authenticate(
        &self,
        req: &Request,
        user: Option<Versioned<UserRecord>>,
        password: &str,
        totp_code: Option<&str>,
    ) -> Result<Authenticated, (SsoError, Stage)> {
        let at = |stage| move |e| (e, stage);
        let too_long = password.chars().take(self.config.password.max_length + 1).count() > self.config.password.max_length;
        let user = match user {
            Some(u) if !password.is_empty() && !too_long => u,
            _ => {
                if !too_long {
                    pw::dummy_verify(password, &self.argon2);
                }
                return Err((not_allowed("invalid username or password"), Stage::Password));
            }
        };
        let rehashed = match self.verify_user_password(&user.value, password) {
            pw::Verification::Mismatch => return Err((not_allowed("invalid username or password"), Stage::Password)),
            pw::Verification::Match { needs_rehash: false } => None,
            pw::Verification::Match { needs_rehash: true } => Some(self.seal_password_hash(password).map_err(at(Stage::Password))?),
        };
        if user.value.is_totp_enabled {
            self.check_totp(req, &user.value, totp_code).map_err(at(Stage::Totp))?;
        }
        Ok(Authenticated { user, rehashed })
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

    /// `throttle.lock_user_after` reached: the account is locked by `auto`, its sessions end.
    pub(crate) async fn auto_lock(&self, req: &Request, username: &str) -> SsoResult<()> {
        let Some(user) = self.find_user_by_username(username).await? else { return Ok(()) };
        self.modify_user(
            &user.user_id,
            Writer::System,
            None,
            |old| {
                if old.is_locked || !crate::username::same(&old.username, username) {
                    return Ok(Change::Unchanged);
                }
                let mut user = old.clone();
                self.set_locked(&mut user, true, "auto", req)?;
                Ok(Change::Write(user))
            },
            |_, _, _| Ok(()),
        )
        .await?;
        Ok(())
    }

    /// A device token: the account's user id and when, sealed (an account, not a name: a name
    /// that passes to another account does not take its devices along).
    pub(crate) fn new_device_token(&self, user_id: &str, now: &Timestamp) -> SsoResult<String> {
        let plain = format!("{}|{}", crate::store::digest("device", user_id), now.and_utc().timestamp_millis());
        self.keys.seal(DEVICE_PURPOSE, plain.as_bytes()).map_err(|_| SsoError::internal("the device token could not be sealed"))
    }

    /// Whether `token` is this client's device token for the account `user_id`, at most 180
    /// days old.
    pub(crate) fn device_token_valid(&self, token: &str, user_id: &str, now: &Timestamp) -> bool {
        if token.is_empty() || token.len() > MAX_SHORT_INPUT {
            return false;
        }
        let Ok(plain) = self.keys.open_string(DEVICE_PURPOSE, token) else { return false };
        let Some((name, issued)) = plain.split_once('|') else { return false };
        let Ok(issued) = issued.parse::<i64>() else { return false };
        let age = now.and_utc().timestamp_millis().saturating_sub(issued);
        name == crate::store::digest("device", user_id) && (0..=DEVICE_TOKEN_MS).contains(&age)
    }

    /// E005008 when `login.inform_if_totp_missing`, else a hidden E005001.
    pub(crate) fn totp_missing(&self) -> SsoError {
        if self.config.login.inform_if_totp_missing {
            SsoError::shown(Code::AuthTotpMissing, "a TOTP code is required")
        } else {
            not_allowed("a TOTP code is required")
        }
    }

    /// Stages a new session (spec §4.4) for `user` under its current stamp, and returns the
    /// client's sealed UST (which names the owner, so later reads need one round trip).
    pub(crate) async fn stage_new_session(
        &self,
        commit: &mut Commit,
        req: &Request,
        user: &UserRecord,
        user_agent: String,
        ext_session_id: &str,
    ) -> SsoResult<(String, SessionRecord)> {
        let internal = ids::new_ust().map_err(|_| SsoError::internal("no randomness available"))?;
        let sealed = self
            .keys
            .seal(purpose::UST, ust_plaintext(&internal, &user.user_id).as_bytes())
            .map_err(|_| SsoError::internal("the UST could not be sealed"))?;
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
            // Zato's `auth_type` of a session: "default" for a login, the linked definition's
            // type for an external session (its ext_session_id starts with it).
            auth_type: ext_session_id.split('.').next().filter(|t| !t.is_empty()).unwrap_or("default").to_string(),
            auth_principal: user.username.clone(),
            ext_session_id: ext_session_id.to_string(),
            current_app: req.current_app.clone(),
            session_state_change_list: Vec::new(),
            last_used: Some(req.now),
            stamp: user.stamp.clone(),
            rev: 0,
        };
        session.push_history(self.history_entry(req, Some(user_agent), "login"));
        let ttl = (minutes as u64).saturating_mul(60);
        commit.put(keys::session(&user.user_id, &session_id), encode(&session)?, Some(ttl));
        // The owner index lets logout-everywhere, delete and cleanup find the sessions.
        commit.put(keys::user_session(&user.user_id, &session_id), "", Some(ttl));
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
        let remote_addr = match addrs.as_slice() {
            [] => Value::String(String::new()),
            [one] => Value::String(one.clone()),
            _ => Value::Array(addrs.into_iter().map(Value::String).collect()),
        };
        HistoryEntry { remote_addr, user_agent, timestamp_utc: time::format_zato(&req.now), ctx_source: source.to_string(), idx: 0 }
    }

    /// Spec §3.9 with §10 O-35: logout needs only a live session, whatever its owner's state.
    /// The session's attributes are listed in the same round trip as the session is read.
    pub async fn logout(&self, caller: &SessionCaller<'_>) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.logout", None, vec![]).await?;
        let r = self.open_ust(caller.ust)?;
        let attr_prefix = r.user_id.as_ref().map(|u| keys::attr_scope_prefix(u, Some(&r.session_id)));
        let (read, attrs) = join2(self.read_session(&req, caller.ust, &[]), async {
            match &attr_prefix {
                Some(p) => self.list_all(p).await,
                None => Ok(Vec::new()),
            }
        })
        .await;
        let (session, _, _, session_key) = read?;
        let session = session.value;
        let mut attrs = attrs?;
        if attr_prefix.is_none() {
            attrs = self.list_all(&keys::attr_scope_prefix(&session.user_id, Some(&session.session_id))).await?;
        }
        let mut commit = Commit::default();
        // Where it was read: the owner's key (or, for an older UST, the legacy one).
        commit.delete(session_key);
        commit.delete(keys::user_session(&session.user_id, &session.session_id));
        for k in attrs.into_iter().take(MAX_COMMIT_WRITES - 2) {
            commit.delete(k);
        }
        self.commit(&commit).await?;
        Ok(())
    }
}
