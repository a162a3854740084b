//! Deleting users (spec §3.7) with the cascade of §2.6.

use crate::audit::Audit;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::Sso;
use crate::store::{keys, Store};
use crate::user::record::UserRecord;

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    pub async fn delete_user_by_id(&self, cid: Option<&str>, user_id: &str, ust: &str, current_app: &str, remote_addr: &str) -> SsoResult<()> {
        let req = self.request(cid, current_app, remote_addr)?;
        self.audit(&req, "user.delete_user_by_id", Some(user_id), vec![]).await?;
        let caller = self.deleting_super_user(&req, ust).await?;
        if user_id.is_empty() {
            return Err(SsoError::invalid_input("a user_id is required"));
        }
        // Spec §10 O-9: an unknown user is E008001, not a crash.
        let user = self.load_user(user_id).await?.ok_or_else(|| SsoError::hidden(Code::InvalidOperation, "no such user"))?;
        self.delete_user(&caller, user).await
    }

    pub async fn delete_user_by_username(&self, cid: Option<&str>, username: &str, ust: &str, current_app: &str, remote_addr: &str) -> SsoResult<()> {
        let req = self.request(cid, current_app, remote_addr)?;
        self.audit(&req, "user.delete_user_by_username", None, vec![]).await?;
        let caller = self.deleting_super_user(&req, ust).await?;
        if username.is_empty() {
            return Err(SsoError::invalid_input("a username is required"));
        }
        let user = self.find_user_by_username(username).await?.ok_or_else(|| SsoError::hidden(Code::InvalidOperation, "no such user"))?;
        self.delete_user(&caller, user).await
    }

    /// Spec §3.7 step 1: any live session, then a hidden E005001 for non-super-users.
    async fn deleting_super_user(&self, req: &crate::sso::Request, ust: &str) -> SsoResult<UserRecord> {
        let caller = self.resolve_session(req, ust, false).await?.user;
        if !caller.is_super_user {
            return Err(SsoError::hidden(Code::AuthNotAllowed, "a super-user is required"));
        }
        Ok(caller)
    }

    /// The record goes first: from then on nothing that still points at the user can be read
    /// as valid (sessions and attributes are resolved through their user), so a failure half
    /// way through the cascade leaves garbage for `cleanup`, never a readable remnant.
    async fn delete_user(&self, caller: &UserRecord, user: UserRecord) -> SsoResult<()> {
        if user.user_id == caller.user_id {
            return Err(SsoError::hidden(Code::InvalidOperation, "users cannot delete themselves"));
        }
        self.delete_key(&keys::user(&user.user_id)).await?;
        self.unlink_user(&user).await
    }
}
