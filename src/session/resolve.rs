//! Session resolution (spec §3.0): from the UST a client holds to the live session and its
//! owner. Only sealed USTs are accepted (spec §10 O-25): anything that does not open with one
//! of our keys is "no such session", whatever it looks like.
//!
//! The sealed UST carries the owner's user id next to the internal UST (`zust…/<user_id>`), so
//! the session and its owner are read together, in one round trip. USTs sealed before that
//! (no `/`) still work, in two.

use crate::audit::Audit;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::session::checker::Checks;
use crate::session::record::SessionRecord;
use crate::sso::{encode, parse_record, Request, Sso, Versioned};
use crate::store::{keys, Commit, Store};
use crate::time;
use crate::user::record::{purpose, UserRecord};
use crate::user::write::user_from_raw;

/// A resolved session: the session and the user it belongs to, each with the text it was read
/// as (the condition of a write that replaces it).
#[derive(Debug, Clone)]
pub struct CurrentSession {
    /// The live session the UST names.
    pub session: SessionRecord,
    /// Its owner, as read with the session.
    pub user: UserRecord,
    pub(crate) session_raw: String,
    pub(crate) user_raw: String,
    /// Where the session was read (its owner's key, or the legacy one).
    pub(crate) session_key: String,
}

impl CurrentSession {
    pub(crate) fn user_versioned(&self) -> Versioned<UserRecord> {
        Versioned { value: self.user.clone(), raw: self.user_raw.clone() }
    }
}

/// What a UST names: the session id (digest of the internal UST), and the owner when the UST
/// carries it.
pub(crate) struct UstRef {
    pub session_id: String,
    pub user_id: Option<String>,
}

pub(crate) fn no_such_session() -> SsoError {
    SsoError::hidden(Code::SessionNoSuchSession, "no such session")
}

/// The client's form of a new session's UST: the internal UST and the owner, sealed.
pub(crate) fn ust_plaintext(internal: &str, user_id: &str) -> String {
    format!("{internal}/{user_id}")
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// What a client's sealed UST names.
    pub(crate) fn open_ust(&self, ust: &str) -> SsoResult<UstRef> {
        let plain = self.keys.open_string(purpose::UST, ust).map_err(|_| no_such_session())?;
        if !plain.starts_with("zust") {
            return Err(no_such_session());
        }
        Ok(match plain.split_once('/') {
            Some((internal, user_id)) if !user_id.is_empty() => UstRef { session_id: keys::session_id(internal), user_id: Some(user_id.to_string()) },
            Some(_) => return Err(no_such_session()),
            None => UstRef { session_id: keys::session_id(&plain), user_id: None },
        })
    }

    /// Reads a session, its owner and `extra` keys, in one round trip when the UST names the
    /// owner. Checks that the session is live: unexpired, within its absolute and idle limits,
    /// owned by an existing user whose security stamp it carries. Returns the extra values.
    pub(crate) async fn read_session(
        &self,
        req: &Request,
        ust: &str,
        extra: &[String],
    ) -> SsoResult<(Versioned<SessionRecord>, Versioned<UserRecord>, Vec<Option<String>>, String)> {
        let r = self.open_ust(ust)?;
        let session_key = match &r.user_id {
            Some(uid) => keys::session(uid, &r.session_id),
            None => keys::legacy_session(&r.session_id),
        };
        let mut batch = vec![session_key.clone()];
        if let Some(uid) = &r.user_id {
            batch.push(keys::user(uid));
        }
        batch.extend_from_slice(extra);
        let mut values = self.get_many_raw(&batch).await?.into_iter();
        let session: Versioned<SessionRecord> = parse_record(values.next().flatten())?.ok_or_else(no_such_session)?;
        let user_raw = match &r.user_id {
            Some(_) => values.next().flatten(),
            None => self.get_raw(&keys::user(&session.value.user_id)).await?,
        };
        let extras: Vec<Option<String>> = values.collect();
        let s = &session.value;
        if s.session_id != r.session_id || r.user_id.as_ref().is_some_and(|u| *u != s.user_id) || s.expiration_time <= req.now {
            return Err(no_such_session());
        }
        let user = user_from_raw(&s.user_id, user_raw)?.ok_or_else(no_such_session)?;
        if user.value.stamp != s.stamp {
            return Err(no_such_session());
        }
        let cfg = &self.config.session;
        // The absolute limit: no renewal extends a session past it (ASVS 7.3.2).
        if cfg.max_lifetime > 0 && req.now >= time::add_minutes(&s.creation_time, cfg.max_lifetime) {
            return Err(no_such_session());
        }
        let last = s.last_used.unwrap_or(s.creation_time);
        let mut session = session;
        if cfg.idle_timeout > 0 {
            if req.now > time::add_minutes(&last, cfg.idle_timeout) {
                return Err(no_such_session());
            }
            // Written at most once a minute: an idle limit need not cost a write per request.
            // Conditional, so that it never brings back a session ended meanwhile; losing
            // that race only means the next request writes it.
            if req.now > time::add_seconds(&last, 60) {
                let mut touched = session.value.clone();
                touched.last_used = Some(req.now);
                touched.rev = touched.rev.wrapping_add(1);
                let ttl = (touched.expiration_time - req.now).num_seconds().max(0) as u64;
                let text = encode(&touched)?;
                let mut commit = Commit::default();
                commit.check(session_key.clone(), Some(&session.raw)).put(session_key.clone(), text.clone(), Some(ttl));
                if self.commit(&commit).await? {
                    session = Versioned { value: touched, raw: text };
                }
            }
        }
        Ok((session, user, extras, session_key))
    }

    /// The live session behind a UST, without any check of its owner's state.
    pub(crate) async fn live_session(&self, req: &Request, ust: &str) -> SsoResult<SessionRecord> {
        Ok(self.read_session(req, ust, &[]).await?.0.value)
    }

    /// Spec §3.0: E007001 (hidden) for an unknown, expired or foreign UST or an unapproved
    /// owner, then the checker C1–C6, then E005001 (revealed) when a super-user is needed.
    pub(crate) async fn resolve_session(&self, req: &Request, ust: &str, needs_super_user: bool) -> SsoResult<CurrentSession> {
        Ok(self.resolve_session_with(req, ust, needs_super_user, &[]).await?.0)
    }

    /// `resolve_session`, reading `extra` keys in the same round trip.
    pub(crate) async fn resolve_session_with(
        &self,
        req: &Request,
        ust: &str,
        needs_super_user: bool,
        extra: &[String],
    ) -> SsoResult<(CurrentSession, Vec<Option<String>>)> {
        let (session, user, extras, session_key) = self.read_session(req, ust, extra).await?;
        if !user.value.is_approved() {
            return Err(no_such_session());
        }
        self.check_user(req, &user.value, Checks { password_expiry: true, ..Checks::default() })?;
        if needs_super_user && !user.value.is_super_user {
            return Err(SsoError::shown(Code::AuthNotAllowed, "a super-user is required"));
        }
        Ok((CurrentSession { session: session.value, user: user.value, session_raw: session.raw, user_raw: user.raw, session_key }, extras))
    }
}
