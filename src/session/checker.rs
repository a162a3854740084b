//! The shared checker, steps C1–C7 of spec §4.2, run at login and on every use of a session.

use crate::audit::Audit;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::{Request, Sso};
use crate::store::Store;
use crate::user::record::{SignUpStatus, UserRecord};

/// Which optional steps run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checks {
    /// C6: the password must not have expired (off in the password-reset flow).
    pub password_expiry: bool,
    /// C7: the request explicitly carried `remote_addr` / `user_agent` (login only).
    pub has_remote_addr: bool,
    /// The request explicitly carried `user_agent` (login only; see `has_remote_addr`).
    pub has_user_agent: bool,
    /// C1 and the super-user app rule are skipped: the operator's trusted login (spec §8.4)
    /// runs as app `zato-cli`, which is no app of users.
    pub trusted_app: bool,
}

/// Revealed `code` when the config flag says so, otherwise a revealed generic E005001.
fn inform(flag: bool, code: Code, detail: &str) -> SsoError {
    SsoError::shown(if flag { code } else { Code::AuthNotAllowed }, detail)
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    pub(crate) fn check_user(&self, req: &Request, user: &UserRecord, checks: Checks) -> SsoResult<()> {
        let c = &self.config;
        if !checks.trusted_app && !c.apps.all.contains(&req.current_app) {
            return Err(SsoError::hidden(Code::AppListInvalid, "current_app is not a known application"));
        }
        // Administrators may be confined to some apps (an admin console, say).
        if !checks.trusted_app && user.is_super_user && !c.apps.super_user_allowed.is_empty() && !c.apps.super_user_allowed.contains(&req.current_app)
        {
            return Err(SsoError::shown(Code::AuthNotAllowed, "super-users may not act from this application"));
        }
        // The rules of the name the user was created with apply too: renaming yourself does
        // not escape an address list.
        let original_allows = match &user.original_username {
            Some(o) if *o != user.username => c.address_rule_allows(o, &req.remote_addr).unwrap_or(true),
            _ => true,
        };
        if !c.is_address_allowed(&user.username, &req.remote_addr) || !original_allows {
            return Err(SsoError::shown(Code::AuthNotAllowed, "the remote address is not allowed for this user"));
        }
        if user.is_locked {
            return Err(inform(c.login.inform_if_locked, Code::AuthLocked, "the user is locked"));
        }
        if user.sign_up_status != SignUpStatus::Final {
            return Err(inform(c.login.inform_if_not_confirmed, Code::AuthInvalidSignupStatus, "the sign-up is not confirmed"));
        }
        // Spec §10 O-2: E005004, not the sign-up code the original used.
        if !user.is_approved() {
            return Err(inform(c.login.inform_if_not_approved, Code::AuthNotApproved, "the user is not approved"));
        }
        if checks.password_expiry && req.now > user.password_expiry {
            return Err(inform(c.password.inform_if_expired, Code::PasswordExpired, "the password has expired"));
        }
        // Spec §10 O-4: explicit login metadata is allowed only from the listed apps.
        if (checks.has_remote_addr || checks.has_user_agent) && !c.apps.login_metadata_allowed.contains(&req.current_app) {
            return Err(SsoError::hidden(Code::MetadataNotAllowed, "this application may not send login metadata"));
        }
        Ok(())
    }
}
