//! Conditional writes of user records. Every change to a user is a commit that checks the
//! record as it was read, so two concurrent changes never lose one another: the loser re-reads,
//! applies its change to the new record and tries again (at most `MAX_ATTEMPTS` times).
//! The record's lookups (email link, search index) move in the same commit.

use crate::audit::Audit;
use crate::crypto::ids;
use crate::error::{SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::search::index::index_keys;
use crate::sso::{encode, gave_up, Sso, Versioned, MAX_ATTEMPTS};
use crate::store::{keys, Commit, Store, MAX_COMMIT_WRITES};
use crate::user::record::UserRecord;

/// A fresh security stamp (see `UserRecord::stamp`).
pub(crate) fn new_stamp() -> SsoResult<String> {
    ids::secret(128).map_err(|_| SsoError::internal("no randomness available"))
}

/// Who writes a user record, for fairness under contention. An administrator's change (lock,
/// delete, password set) that loses a race announces itself with a short-lived intent key; the
/// user's own changes read that key with the record and step aside while it is there, so a
/// user (or a thief with their session) updating in a loop cannot starve a lock or a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writer {
    Admin,
    Owner,
    System,
}

/// How long an announced administrator's change makes the user's own changes step aside.
const INTENT_MS: i64 = 5_000;

/// Whether an intent key's value (its expiry in ms) is still in force at `now_ms`.
pub(crate) fn intent_pending(raw: Option<&str>, now_ms: i64) -> bool {
    raw.and_then(|r| r.parse::<i64>().ok()).is_some_and(|until| until > now_ms)
}

pub(crate) fn yielded() -> SsoError {
    SsoError::conflict("an administrator is changing this user right now: try again")
}

/// What a change decided: write this record (plus these extra writes), or leave it alone.
/// Short-lived (one per attempt), so the record is not boxed.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Change {
    Write(UserRecord),
    Unchanged,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// The user record with the text it was stored as, or None (absent, or not this user's).
    pub(crate) async fn load_user_versioned(&self, user_id: &str) -> SsoResult<Option<Versioned<UserRecord>>> {
        if user_id.is_empty() || user_id.len() > 191 {
            return Ok(None);
        }
        let raw = self.get_raw(&keys::user(user_id)).await?;
        user_from_raw(user_id, raw)
    }

    /// Stages the replacement of `old` by `new`: the record under a check of what was read,
    /// and the moves of its email link and search index entries.
    pub(crate) fn stage_user_write(&self, commit: &mut Commit, old: &Versioned<UserRecord>, new: &mut UserRecord) -> SsoResult<()> {
        new.rev = old.value.rev.wrapping_add(1);
        let key = keys::user(&new.user_id);
        commit.check(key.clone(), Some(&old.raw));
        commit.put(key, encode(new)?, None);
        self.stage_relink(commit, &old.value, new);
        Ok(())
    }

    /// The lookups of a changed user: email link and index entries that differ.
    pub(crate) fn stage_relink(&self, commit: &mut Commit, old: &UserRecord, new: &UserRecord) {
        let (before, after) = (self.email_link(old), self.email_link(new));
        if before != after {
            if let Some(k) = before {
                commit.delete(k);
            }
            if let Some(k) = after {
                commit.put(k, "", None);
            }
        }
        let (before, after) = (index_keys(old), index_keys(new));
        for k in before.iter().filter(|k| !after.contains(k)) {
            commit.delete(k.clone());
        }
        for k in after.iter().filter(|k| !before.contains(k)) {
            commit.put(k.clone(), "", None);
        }
    }

    /// Applies `change` to the stored user under a version check, re-reading and retrying when
    /// a concurrent change won. `first` is the record when the caller has just read it (saves
    /// a round trip). `extra` adds writes that must land with the user's (they are rebuilt on
    /// every attempt). Returns the record before and after, or None when there is no such user
    /// or nothing changed.
    pub(crate) async fn modify_user<F, X>(
        &self,
        user_id: &str,
        writer: Writer,
        mut first: Option<Versioned<UserRecord>>,
        mut change: F,
        mut extra: X,
    ) -> SsoResult<Option<(UserRecord, UserRecord)>>
    where
        F: FnMut(&UserRecord) -> SsoResult<Change>,
        X: FnMut(&mut Commit, &UserRecord, &UserRecord) -> SsoResult<()>,
    {
        let mut announced = false;
        let result = async {
            for attempt in 0..MAX_ATTEMPTS {
                let old = match first.take() {
                    Some(v) if attempt == 0 => Some(v),
                    _ => {
                        let read = self.get_many_raw(&[keys::user(user_id), keys::user_intent(user_id)]).await?;
                        let mut read = read.into_iter();
                        let (record, intent) = (read.next().flatten(), read.next().flatten());
                        if writer == Writer::Owner && intent_pending(intent.as_deref(), self.now_ms()?) {
                            return Err(yielded());
                        }
                        user_from_raw(user_id, record)?
                    }
                };
                let Some(old) = old else { return Ok(None) };
                let mut new = match change(&old.value)? {
                    Change::Write(u) => u,
                    Change::Unchanged => return Ok(None),
                };
                let mut commit = Commit::default();
                self.stage_user_write(&mut commit, &old, &mut new)?;
                extra(&mut commit, &old.value, &new)?;
                if self.commit(&commit).await? {
                    return Ok(Some((old.value, new)));
                }
                if writer == Writer::Admin && !announced {
                    self.announce_intent(user_id).await?;
                    announced = true;
                }
            }
            Err(gave_up("the user record"))
        }
        .await;
        if announced {
            let _ = self.delete_key(&keys::user_intent(user_id)).await;
        }
        result
    }

    /// An administrator's change lost a race: the user's own changes step aside for a while.
    pub(crate) async fn announce_intent(&self, user_id: &str) -> SsoResult<()> {
        let until = self.now_ms()?.saturating_add(INTENT_MS);
        self.put_raw(&keys::user_intent(user_id), &until.to_string(), Some(60)).await
    }

    /// Stages the deletion of sessions found by a listing of `sso/user-session/<id>/` (but
    /// `keep`). Their stamp already makes them dead; this only frees the space, so it stops
    /// at the commit's size and leaves the rest to `cleanup`.
    pub(crate) fn stage_session_deletes(&self, commit: &mut Commit, user_id: &str, index_keys: &[String], keep: Option<&str>) {
        for k in index_keys {
            if commit.writes() + 2 > MAX_COMMIT_WRITES {
                break;
            }
            let Some(session_id) = k.rsplit('/').next() else { continue };
            if Some(session_id) == keep || session_id.is_empty() {
                continue;
            }
            // The owner's key only: a session made before sessions were keyed under their owner
            // is dead by its stamp already, and `cleanup` removes it (deleting it here would
            // make the commit span another shard of a partitioned store).
            commit.delete(keys::session(user_id, session_id));
            commit.delete(keys::user_session(user_id, session_id));
        }
    }
}

/// A user record read in a batch; None when absent or when it is not `user_id`'s.
pub(crate) fn user_from_raw(user_id: &str, raw: Option<String>) -> SsoResult<Option<Versioned<UserRecord>>> {
    Ok(crate::sso::parse_record::<UserRecord>(raw)?.filter(|v| v.value.user_id == user_id))
}
