//! The records that point at a user (spec §2.6): the email lookup, the sign-up confirm token,
//! the search indexes, and what goes with a deleted user (sessions, attributes, reset tokens).

use crate::audit::Audit;
use crate::error::SsoResult;
use crate::hooks::Hooks;
use crate::sso::Sso;
use crate::store::{keys, Store};
use crate::user::record::UserRecord;

pub(crate) const EMAIL_LOOKUP: &str = "email";

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Keyed digests of a user's lower-cased email, newest key first.
    pub(crate) fn email_digests(&self, email: &str) -> Vec<String> {
        self.keys.lookup_digests(EMAIL_LOOKUP, &email.trim().to_lowercase())
    }

    fn email_link(&self, user: &UserRecord) -> Option<String> {
        let email = user.open_email(&self.keys).filter(|e| !e.is_empty())?;
        self.email_digests(&email).first().map(|d| keys::email(d, &user.user_id))
    }

    /// Writes the lookups of a new user.
    pub(crate) async fn link_user(&self, user: &UserRecord) -> SsoResult<()> {
        if let Some(k) = self.email_link(user) {
            self.put_raw(&k, "", None).await?;
        }
        self.index_user(user).await
    }

    /// Moves the lookups of a changed user.
    pub(crate) async fn relink_user(&self, old: &UserRecord, new: &UserRecord) -> SsoResult<()> {
        let (before, after) = (self.email_link(old), self.email_link(new));
        if before != after {
            if let Some(k) = &after {
                self.put_raw(k, "", None).await?;
            }
            if let Some(k) = &before {
                self.delete_key(k).await?;
            }
        }
        self.reindex_user(old, new).await
    }

    /// Removes everything that points at a user; the user record itself is already gone, so
    /// whatever a failure here leaves behind points at nothing and reads as absent.
    pub(crate) async fn unlink_user(&self, user: &UserRecord) -> SsoResult<()> {
        self.release_username(&user.username, &user.user_id).await?;
        if let Some(email) = user.open_email(&self.keys).filter(|e| !e.is_empty()) {
            for d in self.email_digests(&email) {
                self.delete_key(&keys::email(&d, &user.user_id)).await?;
            }
        }
        self.delete_key(&keys::confirm_token_digest(&user.sign_up_confirm_token_digest)).await?;
        self.unindex_user(user).await?;
        for prefix in [keys::user_sessions_prefix(&user.user_id), keys::user_prts_prefix(&user.user_id)] {
            for k in self.list_all(&prefix).await? {
                let id = k.rsplit('/').next().unwrap_or_default().to_string();
                let target = if prefix.starts_with("sso/user-session/") { keys::session(&id) } else { keys::prt(&id) };
                self.delete_key(&target).await?;
                self.delete_key(&k).await?;
            }
        }
        for k in self.list_all(&keys::attrs_prefix(&user.user_id)).await? {
            self.delete_key(&k).await?;
        }
        Ok(())
    }

    /// All user ids whose email is `email` (any approval state).
    pub(crate) async fn user_ids_by_email(&self, email: &str) -> SsoResult<Vec<String>> {
        let mut ids = Vec::new();
        for d in self.email_digests(email) {
            for k in self.list_all(&keys::email_prefix(&d)).await? {
                if let Some(id) = k.rsplit('/').next() {
                    if !ids.iter().any(|i| i == id) {
                        ids.push(id.to_string());
                    }
                }
            }
        }
        Ok(ids)
    }
}
