//! Session resolution (spec §3.0): from the UST a client holds to the live session and its
//! owner. Only sealed USTs are accepted (spec §10 O-25): anything that does not open with one
//! of our keys is "no such session", whatever it looks like.

use crate::audit::Audit;
use crate::hooks::Hooks;
use crate::error::{Code, SsoError, SsoResult};
use crate::session::checker::Checks;
use crate::session::record::SessionRecord;
use crate::sso::{Request, Sso};
use crate::store::{keys, Store};
use crate::time;
use crate::user::record::{purpose, UserRecord};

/// A resolved session: the session and the user it belongs to.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub session: SessionRecord,
    pub user: UserRecord,
}

pub(crate) fn no_such_session() -> SsoError {
    SsoError::hidden(Code::SessionNoSuchSession, "no such session")
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// The session id (digest of the internal UST) of a client's sealed UST.
    pub(crate) fn session_id_of(&self, ust: &str) -> SsoResult<String> {
        let internal = self.keys.open_string(purpose::UST, ust).map_err(|_| no_such_session())?;
        if !internal.starts_with("zust") {
            return Err(no_such_session());
        }
        Ok(keys::session_id(&internal))
    }

    /// The live session behind a UST, without any check of its owner.
    pub(crate) async fn live_session(&self, req: &Request, ust: &str) -> SsoResult<SessionRecord> {
        let session_id = self.session_id_of(ust)?;
        let mut session: SessionRecord = self.get_record(&keys::session(&session_id)).await?.ok_or_else(no_such_session)?;
        if session.session_id != session_id || session.expiration_time <= req.now {
            return Err(no_such_session());
        }
        let s = &self.config.session;
        // The absolute limit: no renewal extends a session past it (ASVS 7.3.2).
        if s.max_lifetime > 0 && req.now >= time::add_minutes(&session.creation_time, s.max_lifetime) {
            return Err(no_such_session());
        }
        if s.idle_timeout > 0 {
            let last = session.last_used.unwrap_or(session.creation_time);
            if req.now > time::add_minutes(&last, s.idle_timeout) {
                return Err(no_such_session());
            }
            // Written at most once a minute: an idle limit need not cost a write per request.
            if req.now > time::add_seconds(&last, 60) {
                session.last_used = Some(req.now);
                let ttl = (session.expiration_time - req.now).num_seconds().max(0) as u64;
                self.put_record(&keys::session(&session.session_id), &session, Some(ttl)).await?;
            }
        }
        Ok(session)
    }

    /// Spec §3.0: E007001 (hidden) for an unknown, expired or foreign UST or an unapproved
    /// owner, then the checker C1–C6, then E005001 (revealed) when a super-user is needed.
    pub(crate) async fn resolve_session(&self, req: &Request, ust: &str, needs_super_user: bool) -> SsoResult<CurrentSession> {
        let session = self.live_session(req, ust).await?;
        let user = self.load_user(&session.user_id).await?.ok_or_else(no_such_session)?;
        if !user.is_approved() {
            return Err(no_such_session());
        }
        self.check_user(req, &user, Checks { password_expiry: true, ..Checks::default() })?;
        if needs_super_user && !user.is_super_user {
            return Err(SsoError::shown(Code::AuthNotAllowed, "a super-user is required"));
        }
        Ok(CurrentSession { session, user })
    }
}
