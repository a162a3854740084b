//! The session API (spec §3.14): verify, renew, get, get_list.

use serde_json::{json, Map, Value};

use crate::audit::Audit;
use crate::caller::{Caller, SessionCaller};
use crate::error::{SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::session::record::SessionRecord;
use crate::sso::{encode, gave_up, Sso, MAX_ATTEMPTS, MAX_SHORT_INPUT};
use crate::store::{keys, Commit, Store};
use crate::time::{self, Timestamp};
use crate::user::record::Visibility;

fn item(s: &SessionRecord) -> Value {
    // Spec §10 O-24: no UST in listings (it would be a working credential); `session_id` is
    // a public handle instead.
    json!({
        "session_id": s.session_id,
        "creation_time": time::format_zato(&s.creation_time),
        "expiration_time": time::format_zato(&s.expiration_time),
        "remote_addr": s.remote_addr,
        "user_agent": s.user_agent,
        "auth_type": s.auth_type,
        "auth_principal": s.auth_principal,
        "ext_session_id": s.ext_session_id,
        "session_state_change_list": s.session_state_change_list,
    })
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Is `target_ust` a valid session? Super-users only; any failure of the target is false.
    pub async fn verify_session(&self, caller: &SessionCaller<'_>, target_ust: &str) -> SsoResult<bool> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "session.verify", None, vec![]).await?;
        self.resolve_session(&req, caller.ust, true).await?;
        match self.resolve_session(&req, target_ust, false).await {
            Ok(_) => Ok(true),
            // A store that fails is not an answer about the session.
            Err(e) if e.is_host_failure() => Err(e),
            Err(_) => Ok(false),
        }
    }

    /// Extends the session to now + its lifetime and records the renewal in its history.
    pub async fn renew_session(&self, caller: &SessionCaller<'_>, user_agent: Option<&str>) -> SsoResult<Timestamp> {
        let req = self.request(&caller.origin())?;
        if user_agent.is_some_and(|u| u.len() > MAX_SHORT_INPUT) {
            return Err(SsoError::invalid_input("user_agent is longer than 1024 bytes"));
        }
        self.audit(&req, "session.renew", None, vec![]).await?;
        // Conditional on the session as read: a renew never brings back a session that a
        // logout, lock or password change ended meanwhile (it re-reads, finds none: E007001).
        for _ in 0..MAX_ATTEMPTS {
            let current = self.resolve_session(&req, caller.ust, false).await?;
            let mut session = current.session;
            session.push_history(self.history_entry(&req, user_agent.map(str::to_string), "renew"));
            let minutes = self.session_minutes(&req.current_app, &current.user.username).await;
            session.expiration_time = time::add_minutes(&req.now, minutes);
            if self.config.session.max_lifetime > 0 {
                session.expiration_time = session.expiration_time.min(time::add_minutes(&session.creation_time, self.config.session.max_lifetime));
            }
            session.last_used = Some(req.now);
            session.rev = session.rev.wrapping_add(1);
            let ttl = (session.expiration_time - req.now).num_seconds().max(60) as u64;
            let key = current.session_key.clone();
            let mut commit = Commit::default();
            commit.check(key.clone(), Some(&current.session_raw)).put(key, encode(&session)?, Some(ttl));
            commit.put(keys::user_session(&session.user_id, &session.session_id), "", Some(ttl));
            if self.commit(&commit).await? {
                return Ok(session.expiration_time);
            }
        }
        Err(gave_up("the session"))
    }

    /// Not in Zato: the caller's own session and user, in one round trip: what a web app's
    /// middleware needs per request (edge-sso/hono's `ssoSession`). Zato lets only super-users
    /// read a session record (`get_session`), by its UST; a user reading their own is no
    /// disclosure. The session comes as listings show it (a `session_id`, never the UST) and the
    /// user without `totp_key`, so that a page or log that shows either shows no secret.
    pub async fn get_current_session(&self, caller: &SessionCaller<'_>) -> SsoResult<Value> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "session.get_current", None, vec![]).await?;
        let current = self.resolve_session(&req, caller.ust, false).await?;
        let vis = Visibility { super_user_fields: current.user.is_super_user, is_self: false };
        Ok(json!({ "session": item(&current.session), "user": current.user.view(&self.keys, vis) }))
    }

    /// A session's details, for super-users.
    pub async fn get_session(&self, caller: &SessionCaller<'_>, target_ust: &str) -> SsoResult<Map<String, Value>> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "session.get", None, vec![]).await?;
        self.resolve_session(&req, caller.ust, true).await?;
        let target = self.resolve_session(&req, target_ust, false).await?;
        Ok(item(&target.session).as_object().cloned().unwrap_or_default())
    }

    /// Live sessions: the caller's own (`ust`), or, for a super-user (`current_ust`), those of
    /// `target_ust`'s owner. Mixing the two forms is bad input (spec §8.2, §10 O-23).
    pub async fn get_session_list(
        &self,
        caller: &Caller<'_>,
        ust: Option<&str>,
        target_ust: Option<&str>,
        current_ust: Option<&str>,
    ) -> SsoResult<Vec<Value>> {
        let req = self.request(caller)?;
        self.audit(&req, "session.get_list", None, vec![]).await?;
        let (ust, target_ust, current_ust) =
            (ust.filter(|s| !s.is_empty()), target_ust.filter(|s| !s.is_empty()), current_ust.filter(|s| !s.is_empty()));
        let owner = match (ust, current_ust, target_ust) {
            (Some(u), None, None) => self.resolve_session(&req, u, false).await?.user.user_id,
            (None, Some(cur), Some(target)) => {
                let caller = self.resolve_session(&req, cur, true).await?;
                if cur == target {
                    caller.user.user_id
                } else {
                    self.live_session(&req, target).await?.user_id
                }
            }
            (None, None, None) => return Err(crate::session::resolve::no_such_session()),
            _ => return Err(SsoError::invalid_input("give either ust, or current_ust with target_ust")),
        };
        self.live_sessions_of(&req, &owner).await
    }

    /// Every live session of `owner`: the sessions the index names, at either place, in one
    /// batch; only live ones under the owner's current stamp.
    async fn live_sessions_of(&self, req: &crate::sso::Request, owner: &str) -> SsoResult<Vec<Value>> {
        let stamp = self.load_user(owner).await?.map(|u| u.stamp).unwrap_or_default();
        let ids: Vec<String> =
            self.list_all(&keys::user_sessions_prefix(owner)).await?.iter().filter_map(|k| k.rsplit('/').next().map(str::to_string)).collect();
        let wanted: Vec<String> = ids.iter().flat_map(|id| keys::session_keys(owner, id)).collect();
        let mut out = Vec::new();
        for raw in self.get_many_raw(&wanted).await?.into_iter().flatten() {
            if let Ok(s) = serde_json::from_str::<SessionRecord>(&raw) {
                if s.expiration_time > req.now && s.user_id == owner && s.stamp == stamp {
                    out.push(item(&s));
                }
            }
        }
        Ok(out)
    }

    /// Not in Zato: a super-user's list of `user_id`'s live sessions (by `session_id`, never a
    /// UST), for an administrator who has no UST of theirs.
    pub async fn get_user_sessions(&self, caller: &SessionCaller<'_>, user_id: &str) -> SsoResult<Vec<Value>> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "session.get_list", Some(user_id), vec![]).await?;
        self.resolve_session(&req, caller.ust, true).await?;
        if user_id.is_empty() || user_id.len() > 191 {
            return Err(SsoError::invalid_input("a user_id is required"));
        }
        self.live_sessions_of(&req, user_id).await
    }

    /// Not in Zato: a super-user ends session `session_id` of `user_id` (its attributes go
    /// with it). An unknown or ended session is E007001.
    pub async fn end_user_session(&self, caller: &SessionCaller<'_>, user_id: &str, session_id: &str) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "session.end", Some(user_id), vec![]).await?;
        self.resolve_session(&req, caller.ust, true).await?;
        if user_id.is_empty() || user_id.len() > 191 || session_id.is_empty() || session_id.len() > 191 {
            return Err(SsoError::invalid_input("a user_id and a session_id are required"));
        }
        let places = keys::session_keys(user_id, session_id);
        let (read, attrs) = crate::store::join2(self.get_many_raw(&places), self.list_all(&keys::attr_scope_prefix(user_id, Some(session_id)))).await;
        let found = read?.into_iter().flatten().filter_map(|r| serde_json::from_str::<SessionRecord>(&r).ok()).any(|s| s.user_id == user_id);
        if !found {
            return Err(crate::session::resolve::no_such_session());
        }
        let mut commit = Commit::default();
        for k in places {
            commit.delete(k);
        }
        commit.delete(keys::user_session(user_id, session_id));
        for k in attrs?.into_iter().take(crate::store::MAX_COMMIT_WRITES - 3) {
            commit.delete(k);
        }
        self.commit(&commit).await?;
        Ok(())
    }
}
