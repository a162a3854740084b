//! Deleting users (spec §3.7) with the cascade of §2.6.

use crate::audit::Audit;
use crate::caller::SessionCaller;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::{gave_up, Sso, Versioned, MAX_ATTEMPTS};
use crate::store::{join2, keys, Commit, Store, MAX_COMMIT_WRITES};
use crate::user::record::UserRecord;
use crate::user::write::user_from_raw;

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Spec §3.7: a super-user deletes a user by id, with every record that belongs to it.
    pub async fn delete_user_by_id(&self, caller: &SessionCaller<'_>, user_id: &str) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.delete_user_by_id", Some(user_id), vec![]).await?;
        // The caller's session, the target and the target's keys, in one round trip.
        let extra: Vec<String> = if user_id.is_empty() { Vec::new() } else { vec![keys::user(user_id)] };
        let (resolved, listed) = join2(self.resolve_session_with(&req, caller.ust, false, &extra), async {
            if user_id.is_empty() {
                Ok(Vec::new())
            } else {
                self.list_user_keys(user_id).await
            }
        })
        .await;
        let (current, extras) = resolved?;
        let deleter = self.deleting_super_user(current.user)?;
        if user_id.is_empty() {
            return Err(SsoError::invalid_input("a user_id is required"));
        }
        // Spec §10 O-9: an unknown user is E008001, not a crash.
        let user = user_from_raw(user_id, extras.into_iter().next().flatten())?.ok_or_else(no_such_user)?;
        self.delete_user(Some(&deleter.user_id), user, listed?).await
    }

    /// Spec §3.7: a super-user deletes a user by username, with every record that belongs to it.
    pub async fn delete_user_by_username(&self, caller: &SessionCaller<'_>, username: &str) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.delete_user_by_username", None, vec![]).await?;
        let deleter = self.deleting_super_user(self.resolve_session(&req, caller.ust, false).await?.user)?;
        if username.is_empty() {
            return Err(SsoError::invalid_input("a username is required"));
        }
        let found = self.find_user_by_username(username).await?.ok_or_else(no_such_user)?;
        let (user, listed) = join2(self.load_user_versioned(&found.user_id), self.list_user_keys(&found.user_id)).await;
        let user = user?.filter(|u| crate::username::same(&u.value.username, username)).ok_or_else(no_such_user)?;
        self.delete_user(Some(&deleter.user_id), user, listed?).await
    }

    /// Spec §3.7 step 1: any live session, then a hidden E005001 for non-super-users.
    fn deleting_super_user(&self, caller: UserRecord) -> SsoResult<UserRecord> {
        if !caller.is_super_user {
            return Err(SsoError::hidden(Code::AuthNotAllowed, "a super-user is required"));
        }
        Ok(caller)
    }

    /// One commit, under a check of the record as read: the user and everything that points
    /// at it. Its sessions die with the record whatever happens to their keys (a session
    /// needs its owner's record and stamp), and a user re-created under the same id gets a
    /// new stamp. Keys beyond one commit's size go in further commits; a failure there
    /// leaves only unreadable garbage for `cleanup`.
    /// `caller_id` is None for a trusted deletion (the operator's, with no session).
    pub(crate) async fn delete_user(&self, caller_id: Option<&str>, user: Versioned<UserRecord>, listed: Vec<Vec<String>>) -> SsoResult<()> {
        if caller_id == Some(user.value.user_id.as_str()) {
            return Err(SsoError::hidden(Code::InvalidOperation, "users cannot delete themselves"));
        }
        let key = keys::user(&user.value.user_id);
        let link_records = self.get_many_raw(listed.get(3).map(Vec::as_slice).unwrap_or_default()).await?;
        let mut user = user;
        let mut rest: Vec<String> = Vec::new();
        let mut done = false;
        let mut announced = false;
        for _ in 0..MAX_ATTEMPTS {
            let mut keys_left = self.keys_of_user(&user.value, &listed).into_iter();
            let mut commit = Commit::default();
            commit.check(key.clone(), Some(&user.raw)).delete(key.clone());
            for k in keys_left.by_ref() {
                commit.delete(k);
                if commit.writes() >= MAX_COMMIT_WRITES {
                    break;
                }
            }
            if self.commit(&commit).await? {
                rest = keys_left.collect();
                done = true;
                break;
            }
            // The user changed meanwhile (an update of their own, say): the owner's changes
            // step aside from now on; read it again and delete what it is now. Gone already
            // means someone else deleted it.
            if !announced {
                self.announce_intent(&user.value.user_id).await?;
                announced = true;
            }
            match self.load_user_versioned(&user.value.user_id).await? {
                Some(now) => user = now,
                None => return Err(no_such_user()),
            }
        }
        if announced {
            let _ = self.delete_key(&keys::user_intent(&user.value.user_id)).await;
        }
        if !done {
            return Err(gave_up("the user record"));
        }
        // The claims of the definitions the user was linked to (spec §3.18) go too, each only
        // while it still names this user.
        for claim in self.linked_claims(&link_records) {
            let mut c = Commit::default();
            c.check(claim.clone(), Some(&user.value.user_id)).delete(claim);
            self.commit(&c).await?;
        }
        for chunk in rest.chunks(MAX_COMMIT_WRITES) {
            let mut more = Commit::default();
            for k in chunk {
                more.delete(k.clone());
            }
            self.commit(&more).await?;
        }
        Ok(())
    }
}

pub(crate) fn no_such_user() -> SsoError {
    SsoError::hidden(Code::InvalidOperation, "no such user")
}
