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

    pub(crate) fn email_link(&self, user: &UserRecord) -> Option<String> {
        let email = user.open_email(&self.keys).filter(|e| !e.is_empty())?;
        self.email_digests(&email).first().map(|d| keys::email(d, &user.user_id))
    }

    /// Every key that points at a user, for its deletion: its name's claim, email links,
    /// confirm token, search index entries, and the keys found by listing its sessions, reset
    /// tokens, attributes and links (`listed`: the four listings). A link's definition claim
    /// is named inside the link record: `delete_user` reads those and frees the claims.
    pub(crate) fn keys_of_user(&self, user: &UserRecord, listed: &[Vec<String>]) -> Vec<String> {
        let mut out = vec![keys::username(&user.username), keys::user_login(&user.user_id)];
        out.extend(keys::username_legacy(&user.username));
        if let Some(email) = user.open_email(&self.keys).filter(|e| !e.is_empty()) {
            for d in self.email_digests(&email) {
                out.push(keys::email(&d, &user.user_id));
            }
        }
        out.push(keys::confirm_token_digest(&user.sign_up_confirm_token_digest));
        out.extend(crate::search::index::index_keys(user));
        for (i, list) in listed.iter().enumerate() {
            for k in list {
                let id = k.rsplit('/').next().unwrap_or_default();
                match i {
                    0 => out.extend(keys::session_keys(&user.user_id, id)),
                    1 => out.push(keys::prt(id)),
                    _ => {}
                }
                out.push(k.clone());
            }
        }
        out
    }

    /// The listings `keys_of_user` needs, side by side.
    pub(crate) async fn list_user_keys(&self, user_id: &str) -> SsoResult<Vec<Vec<String>>> {
        self.list_all_many(&[
            keys::user_sessions_prefix(user_id),
            keys::user_prts_prefix(user_id),
            keys::attrs_prefix(user_id),
            keys::linked_prefix(user_id),
        ])
        .await
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
