//! Updating users (spec §3.5, §2.3), approval (§3.6) and locking (§3.8).

use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::caller::SessionCaller;
use crate::error::bad;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::{Request, Sso};
use crate::store::Store;
use crate::user::create::check_username_syntax;
use crate::user::read::UsernameClaim;
use crate::user::record::{purpose, ApprovalStatus, UserRecord, APPROVED, DEFAULT_LABEL, FINAL};
use crate::user::update_data::{check_shape, UserUpdate};
pub use crate::user::update_data::{SELF_KEYS, SUPER_USER_KEYS};
use crate::user::write::{intent_pending, new_stamp, user_from_raw, yielded, Change, Writer};

/// A name and its search copy change together (spec §10 O-7).
fn set_name(name: &mut Option<String>, folded: &mut Option<String>, value: Option<String>) {
    *folded = crate::user::create::fold(&value);
    *name = value;
}

/// E008001, shown: an account cannot lock, reject or un-confirm itself.
fn no_self_lockout() -> SsoError {
    SsoError::shown(Code::InvalidOperation, "you cannot lock, reject or un-confirm yourself: ask another super-user")
}

/// What a super-user does to another user in `approve_user` / `reject_user` / `lock_user` /
/// `unlock_user`.
#[derive(Clone, Copy)]
pub(crate) enum AdminAction {
    Approval(ApprovalStatus),
    Lock(bool),
}

impl AdminAction {
    /// A lock, or leaving `approved`, replaces the security stamp: every session ends.
    pub(crate) fn ends_sessions(self) -> bool {
        matches!(self, AdminAction::Lock(true)) || matches!(self, AdminAction::Approval(s) if s != ApprovalStatus::Approved)
    }
}

/// Who is asking, and for whom.
enum Target<'a> {
    Current,
    ById(&'a str),
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Spec §3.5 for the caller's own record.
    pub async fn update_current_user(&self, caller: &SessionCaller<'_>, data: &Map<String, Value>) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.update_current_user", None, vec![]).await?;
        self.update_user(&req, Target::Current, data, caller.ust).await
    }

    /// Spec §3.5 for any user (super-users) or oneself.
    pub async fn update_user_by_id(&self, caller: &SessionCaller<'_>, user_id: &str, data: &Map<String, Value>) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.update_user_by_id", Some(user_id), vec![]).await?;
        if user_id.is_empty() {
            return Err(bad("a user_id is required"));
        }
        self.update_user(&req, Target::ById(user_id), data, caller.ust).await
    }

    async fn update_user(&self, req: &Request, target: Target<'_>, data: &Map<String, Value>, ust: &str) -> SsoResult<()> {
        // Step 2: shape, before the session: a caller learns of a key that cannot be updated first.
        check_shape(data)?;
        // Steps 3–5: session, target, role. The target's record, the new name's claim and the
        // target's sessions (a lock ends them) are read with the session, in one round trip.
        let target_hint = match target {
            Target::Current => None,
            Target::ById(id) => Some(id.to_string()),
        };
        let new_name = data.get("username").and_then(Value::as_str).filter(|u| !u.is_empty()).map(str::to_string);
        let mut extra = Vec::new();
        if let Some(id) = &target_hint {
            extra.push(crate::store::keys::user(id));
        }
        if let Some(name) = &new_name {
            extra.push(crate::store::keys::username(name));
        }
        // Whether an administrator is changing the target right now (the owner steps aside).
        let intent_of = target_hint.clone().or_else(|| self.open_ust(ust).ok().and_then(|r| r.user_id));
        if let Some(id) = &intent_of {
            extra.push(crate::store::keys::user_intent(id));
        }
        let locking = data.get("is_locked") == Some(&Value::Bool(true));
        let listing = async {
            match (&target_hint, locking) {
                (Some(id), true) => self.list_all(&crate::store::keys::user_sessions_prefix(id)).await,
                _ => Ok(Vec::new()),
            }
        };
        let (resolved, sessions) = crate::store::join2(self.resolve_session_with(req, ust, false, &extra), listing).await;
        let (current, extras) = resolved?;
        let mut extras = extras.into_iter();
        let target_raw = if target_hint.is_some() { extras.next().flatten() } else { None };
        let claim_raw = if new_name.is_some() { extras.next().flatten() } else { None };
        let intent_raw = if intent_of.is_some() { extras.next().flatten() } else { None };
        let caller = &current.user;
        let target_id = match target {
            Target::Current => caller.user_id.clone(),
            Target::ById(id) => id.to_string(),
        };
        if !caller.is_super_user {
            if target_id != caller.user_id {
                return Err(bad("only super-users may update other users"));
            }
            if let Some(k) = data.keys().find(|k| SUPER_USER_KEYS.contains(&k.as_str())) {
                return Err(bad(format!("only super-users may update {k}")));
            }
        }
        // Nobody locks, rejects or un-confirms themselves: their session would end with no
        // way back (the only super-user's, say).
        if target_id == caller.user_id
            && (data.get("is_locked") == Some(&Value::Bool(true))
                || data.get("approval_status").is_some_and(|s| s.as_str() != Some(APPROVED))
                || data.get("sign_up_status").is_some_and(|s| s.as_str() != Some(FINAL)))
        {
            return Err(no_self_lockout());
        }
        // Step 6: a new name taken by another user is refused before any later field is
        // looked at (the name's syntax is checked first, by the parse).
        if let Some(u) = new_name.as_deref().filter(|u| check_username_syntax(&self.config, u).is_ok()) {
            let claimed_by_other = match claim_raw.as_deref().and_then(|t| serde_json::from_str::<UsernameClaim>(t).ok()) {
                Some(c) if c.user_id != target_id => self.load_user(&c.user_id).await?.is_some_and(|o| crate::username::same(&o.username, u)),
                _ => false,
            };
            if claimed_by_other {
                return Err(SsoError::hidden(Code::UsernameExists, "the username is taken"));
            }
        }
        // Steps 6–11: the values.
        let update = UserUpdate::parse(data, &self.config)?;
        let new_username = update.username.clone();

        if target_id == caller.user_id
            && intent_of.as_deref() == Some(target_id.as_str())
            && intent_pending(intent_raw.as_deref(), req.now.and_utc().timestamp_millis())
        {
            return Err(yielded());
        }
        // Updating a user that does not exist changes nothing (spec §3.5).
        let first = if target_id == caller.user_id { Some(current.user_versioned()) } else { user_from_raw(&target_id, target_raw)? };
        let sessions = sessions?;
        let caller_id = caller.user_id.clone();
        let outcome = self
            .modify_user(
                &target_id,
                if target_id == caller.user_id { Writer::Owner } else { Writer::Admin },
                first,
                |old| {
                    let mut user = old.clone();
                    self.apply_update(&mut user, &update, &caller_id, req)?;
                    Ok(Change::Write(user))
                },
                |commit, old, new| {
                    if old.username != new.username {
                        self.stage_rename(commit, old, new, claim_raw.as_deref(), &req.now)?;
                    }
                    if new.is_locked && !old.is_locked {
                        self.stage_session_deletes(commit, &new.user_id, &sessions, None);
                    }
                    Ok(())
                },
            )
            .await;
        match outcome {
            // A concurrent create took the name between the read and the write.
            Err(e) if e.has(Code::Conflict) && new_username.is_some() => {
                let name = new_username.unwrap_or_default();
                match self.find_user_by_username(&name).await? {
                    Some(owner) if owner.user_id != target_id => Err(SsoError::hidden(Code::UsernameExists, "the username is taken")),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
            Ok(_) => Ok(()),
        }
    }

    /// The changes of `update` to `user`, made by `actor`.
    fn apply_update(&self, user: &mut UserRecord, update: &UserUpdate, actor: &str, req: &Request) -> SsoResult<()> {
        if let Some(v) = update.display_name.clone().new_value() {
            set_name(&mut user.display_name, &mut user.display_name_fold, v);
        }
        if let Some(v) = update.first_name.clone().new_value() {
            set_name(&mut user.first_name, &mut user.first_name_fold, v);
        }
        if let Some(v) = update.middle_name.clone().new_value() {
            set_name(&mut user.middle_name, &mut user.middle_name_fold, v);
        }
        if let Some(v) = update.last_name.clone().new_value() {
            set_name(&mut user.last_name, &mut user.last_name_fold, v);
        }
        // Spec §10 O-40: always sealed.
        if let Some(v) = update.totp_label.clone().new_value() {
            let label = v.filter(|l| !l.is_empty()).unwrap_or_else(|| DEFAULT_LABEL.to_string());
            user.totp_label = self.keys.seal(purpose::TOTP_LABEL, label.as_bytes()).map_err(|_| SsoError::internal("a value could not be sealed"))?;
        }
        if let Some(v) = update.rate_limit_def.clone().new_value() {
            user.rate_limit_def = v;
        }
        if let Some(e) = update.email.clone().new_value() {
            self.set_email(user, e)?;
        }
        if let Some(b) = update.is_locked {
            self.set_locked(user, b, actor, req)?;
        }
        if let Some(b) = update.password_must_change {
            user.password_must_change = b;
        }
        if let Some(b) = update.is_totp_enabled {
            user.is_totp_enabled = b;
        }
        if let Some(b) = update.is_rate_limit_active {
            user.is_rate_limit_active = b;
        }
        if let Some(t) = update.password_expiry {
            user.password_expiry = t;
        }
        if let Some(s) = update.sign_up_status {
            user.sign_up_status = s;
        }
        if let Some(s) = update.approval_status {
            self.set_approval(user, s, actor, req)?;
        }
        if let Some(name) = &update.username {
            user.username = name.clone();
        }
        Ok(())
    }

    /// Stages a rename: the new name's claim (under a check of the claim as read: absent, a
    /// stale claim, or already ours) and the end of the old name's.
    fn stage_rename(
        &self,
        commit: &mut crate::store::Commit,
        old: &UserRecord,
        new: &UserRecord,
        claim_raw: Option<&str>,
        now: &crate::time::Timestamp,
    ) -> SsoResult<()> {
        let key = crate::store::keys::username(&new.username);
        commit.check(key.clone(), claim_raw);
        commit.put(
            key.clone(),
            crate::sso::encode(&UsernameClaim { user_id: new.user_id.clone(), claimed_at_ms: now.and_utc().timestamp_millis() })?,
            None,
        );
        if crate::store::keys::username(&old.username) != key {
            commit.delete(crate::store::keys::username(&old.username));
        }
        if let Some(legacy) = crate::store::keys::username_legacy(&old.username) {
            commit.delete(legacy);
        }
        Ok(())
    }

    /// Spec §10 O-50: locking records when and by whom, however it is done.
    /// A lock also replaces the security stamp: the user's sessions end at once and do not
    /// come back on unlock.
    pub(crate) fn set_locked(&self, user: &mut UserRecord, locked: bool, actor: &str, req: &Request) -> SsoResult<()> {
        if locked && !user.is_locked {
            user.stamp = new_stamp()?;
        }
        user.is_locked = locked;
        user.locked_time = Some(req.now);
        user.locked_by = Some(actor.to_string());
        Ok(())
    }

    /// Leaving `approved` replaces the security stamp, like a lock.
    pub(crate) fn set_approval(&self, user: &mut UserRecord, status: ApprovalStatus, actor: &str, req: &Request) -> SsoResult<()> {
        if status != ApprovalStatus::Approved && user.approval_status == ApprovalStatus::Approved {
            user.stamp = new_stamp()?;
        }
        user.approval_status = status;
        user.approval_status_mod_by = actor.to_string();
        user.approval_status_mod_time = req.now;
        if status == ApprovalStatus::Approved || status == ApprovalStatus::Rejected {
            user.approv_rej_time = Some(req.now);
            user.approv_rej_by = Some(actor.to_string());
        }
        Ok(())
    }

    pub(crate) fn set_email(&self, user: &mut UserRecord, email: Option<String>) -> SsoResult<()> {
        match email {
            Some(e) if self.config.main.encrypt_email => {
                user.email = Some(self.keys.seal(purpose::EMAIL, e.as_bytes()).map_err(|_| SsoError::internal("a value could not be sealed"))?);
                user.email_sealed = true;
            }
            other => {
                user.email = other;
                user.email_sealed = false;
            }
        }
        Ok(())
    }

    /// Spec §3.6, with §10 O-37 decided: a regular user gets E005001.
    pub async fn approve_user(&self, caller: &SessionCaller<'_>, user_id: &str) -> SsoResult<()> {
        self.decide(caller, "user.approve_user", ApprovalStatus::Approved, user_id).await
    }

    /// Spec §3.6: a super-user rejects a user, who then cannot log in; like `approve_user` otherwise.
    pub async fn reject_user(&self, caller: &SessionCaller<'_>, user_id: &str) -> SsoResult<()> {
        self.decide(caller, "user.reject_user", ApprovalStatus::Rejected, user_id).await
    }

    async fn decide(&self, caller: &SessionCaller<'_>, op: &'static str, status: ApprovalStatus, user_id: &str) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, op, Some(user_id), vec![]).await?;
        self.administer(&req, user_id, caller.ust, AdminAction::Approval(status)).await
    }

    /// Spec §3.8 (audit ops per §10 O-36: `user.lock_user` / `user.unlock_user`, with the target).
    pub async fn lock_user(&self, caller: &SessionCaller<'_>, user_id: &str) -> SsoResult<()> {
        self.lock(caller, true, user_id).await
    }

    /// Spec §3.8: a super-user unlocks a user; like `lock_user` otherwise.
    pub async fn unlock_user(&self, caller: &SessionCaller<'_>, user_id: &str) -> SsoResult<()> {
        self.lock(caller, false, user_id).await
    }

    async fn lock(&self, caller: &SessionCaller<'_>, locked: bool, user_id: &str) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        let op = if locked { "user.lock_user" } else { "user.unlock_user" };
        self.audit(&req, op, Some(user_id), vec![]).await?;
        self.administer(&req, user_id, caller.ust, AdminAction::Lock(locked)).await
    }

    /// A super-user's approval or lock, in two round trips: the caller's session, the target
    /// and (for a lock) the target's sessions together; then one commit that changes the user
    /// (a lock or rejection replaces its stamp: every session is dead at once, and stays dead
    /// on unlock or approval) and deletes the sessions listed.
    async fn administer(&self, req: &Request, user_id: &str, ust: &str, action: AdminAction) -> SsoResult<()> {
        let ends_sessions = action.ends_sessions();
        let listing = async {
            if ends_sessions && !user_id.is_empty() {
                self.list_all(&crate::store::keys::user_sessions_prefix(user_id)).await
            } else {
                Ok(Vec::new())
            }
        };
        let (resolved, sessions) =
            crate::store::join2(self.resolve_session_with(req, ust, true, &[crate::store::keys::user(user_id)]), listing).await;
        let (current, extras) = resolved?;
        if ends_sessions && user_id == current.user.user_id {
            return Err(no_self_lockout());
        }
        let sessions = sessions?;
        let first = user_from_raw(user_id, extras.into_iter().next().flatten())?;
        self.apply_admin_action(req, user_id, &current.user.user_id, first, &sessions, action).await
    }

    /// The write of an approval or lock by `actor` (a super-user's id, or the operator's name
    /// for a trusted call): one commit that changes the user and, when its stamp changed,
    /// deletes the sessions listed. An unknown user is a no-op, as in Zato.
    pub(crate) async fn apply_admin_action(
        &self,
        req: &Request,
        user_id: &str,
        actor: &str,
        first: Option<crate::sso::Versioned<UserRecord>>,
        sessions: &[String],
        action: AdminAction,
    ) -> SsoResult<()> {
        self.modify_user(
            user_id,
            Writer::Admin,
            first,
            |old| {
                let mut user = old.clone();
                match action {
                    AdminAction::Lock(locked) => self.set_locked(&mut user, locked, actor, req)?,
                    AdminAction::Approval(status) => self.set_approval(&mut user, status, actor, req)?,
                }
                Ok(Change::Write(user))
            },
            |commit, old, new| {
                if new.stamp != old.stamp {
                    self.stage_session_deletes(commit, &new.user_id, sessions, None);
                }
                Ok(())
            },
        )
        .await?;
        Ok(())
    }
}
