//! Changing passwords: `change_password` (spec §3.10) and the trusted `set_password` (§3.11).
//! A password changed by anyone ends the user's other sessions (OWASP ASVS 7.4.3; Zato keeps
//! them, spec §10 O-34).

use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::caller::{Caller, SessionCaller};
use crate::crypto::password::Verification;
use crate::error::bad;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::session::record::SessionRecord;
use crate::sso::encode;
use crate::sso::Sso;
use crate::store::{keys, Store};
use crate::user::write::{user_from_raw, Change, Writer};

/// The keys `change_password` accepts in its data; any other is refused.
pub const CHANGE_KEYS: [&str; 6] = ["old_password", "new_password", "user_id", "password_expiry", "must_change", "password_must_change"];

/// What `change_password` is asked to do, checked (its `data` object, parsed in one place).
/// Holds passwords: no `Debug`.
struct PasswordChange {
    old_password: Option<String>,
    new_password: String,
    /// The user whose password changes when not the caller's own (never empty).
    user_id: Option<String>,
    must_change: Option<bool>,
    /// Days from now; None: the configured default.
    expiry_days: Option<i64>,
}

impl PasswordChange {
    fn parse(data: &Map<String, Value>) -> SsoResult<PasswordChange> {
        if data.is_empty() {
            return Err(SsoError::hidden(Code::MissingInput, "data is empty"));
        }
        if data.len() > 5 {
            return Err(bad("data has too many keys"));
        }
        if let Some(k) = data.keys().find(|k| !CHANGE_KEYS.contains(&k.as_str())) {
            return Err(bad(format!("unknown key in data: {}", crate::input::shown_key(k))));
        }
        if data.contains_key("must_change") && data.contains_key("password_must_change") {
            return Err(bad("send must_change or password_must_change, not both"));
        }
        let text = |k: &str| -> SsoResult<Option<String>> {
            match data.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(format!("{k} must be a string"))),
            }
        };
        let (old_password, new_password, user_id) = (text("old_password")?, text("new_password")?, text("user_id")?.filter(|s| !s.is_empty()));
        let new_password = new_password.ok_or_else(|| bad("new_password is required"))?;
        let must_change = match data.get("must_change").or_else(|| data.get("password_must_change")) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(bad("must_change must be a boolean")),
        };
        // Days from now; 0 (Python's `or`, spec §3.11) or a negative number (spec §8.2) means the
        // configured default.
        let expiry_days = match data.get("password_expiry") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(d) if d <= 0 => None,
                Some(d) => Some(d),
                None => return Err(bad("password_expiry must be an integer number of days")),
            },
        };
        Ok(PasswordChange { old_password, new_password, user_id, must_change, expiry_days })
    }
}

/// A new password as `replace_password` writes it.
pub(crate) struct NewPassword {
    /// The stored hash and whether it is sealed (`seal_password_hash`).
    pub hash: (String, bool),
    /// `password_must_change`, when the change sets it.
    pub must_change: Option<bool>,
    /// Days until it expires; the configured default when None.
    pub expiry_days: Option<i64>,
}

/// The caller's own session through a change of its password: re-stamped in the same commit
/// so that it alone survives. The change is conditional on the hash the old password was
/// checked against: a password changed meanwhile makes it fail.
pub(crate) struct KeptSession {
    session: SessionRecord,
    /// The session's text as read: the condition of its rewrite.
    raw: String,
    /// Where it was read.
    key: String,
    verified_hash: String,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// `data`: `old_password`, `new_password`, `user_id`, `password_expiry` (days from now),
    /// `must_change` (spec §10 O-12; `password_must_change` is accepted as its alias).
    pub async fn change_password(&self, caller: &SessionCaller<'_>, data: &Map<String, Value>) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        let PasswordChange { old_password, new_password, user_id, must_change, expiry_days } = PasswordChange::parse(data)?;

        // The caller's session, and the target's record when it is someone else's, together.
        let extra: Vec<String> = user_id.iter().map(|id| keys::user(id)).collect();
        let (current, extras) = self.resolve_session_with(&req, caller.ust, false, &extra).await?;
        let target_audit = user_id.clone().unwrap_or_else(|| format!("no-user-id.{}", crate::sso::random_hex(8).unwrap_or_default()));
        self.audit(&req, "user.change_password", Some(&target_audit), vec![]).await?;
        let me = current.user.clone();
        let other = user_id.as_ref().is_some_and(|id| *id != me.user_id);
        if other && !me.is_super_user {
            return Err(bad("only super-users may change other users' passwords"));
        }
        if other {
            // A super-user sets another user's password: no old password, policy codes shown
            // per password.inform_if_invalid; the new stamp ends every session of that user.
            let id = user_id.unwrap_or_default();
            let Some(first) = user_from_raw(&id, extras.into_iter().next().flatten())? else { return Ok(()) };
            self.check_new_password(&new_password).await?;
            let new = NewPassword { hash: self.seal_password_hash(&new_password)?, must_change, expiry_days };
            return self.replace_password(&id, Some(first), new, &req.now, None).await;
        }
        if must_change.is_some() && !me.is_super_user {
            return Err(bad("only super-users may set must_change"));
        }
        // A guess at the old password is a login attempt: counted before the check by the
        // same throttle (so a stolen session cannot guess without limit), given back when right.
        let slots = self.throttle_slots(&req, &me.username, true, false, false);
        let Some(attempt) = self.count_attempt(&req, &slots).await? else {
            return Err(SsoError::shown(Code::AuthNotAllowed, "too many failed attempts: try again later"));
        };
        let old_ok = old_password.as_deref().is_some_and(|p| !p.is_empty())
            && matches!(self.verify_user_password(&me, old_password.as_deref().unwrap_or("")), Verification::Match { .. });
        if !old_ok {
            if attempt.lock_if_failed {
                self.auto_lock(&req, &me.username).await?;
            }
            return Err(SsoError::shown(Code::AuthNotAllowed, "the old password does not match"));
        }
        self.release_attempt(&attempt, |_| true).await?;
        let expiry_days = if me.is_super_user { expiry_days } else { None };
        // Spec §10 O-13, decided: the policy's own code, revealed per password.inform_if_invalid.
        self.check_new_password(&new_password).await?;
        let new = NewPassword { hash: self.seal_password_hash(&new_password)?, must_change, expiry_days };
        let keep = KeptSession {
            session: current.session.clone(),
            raw: current.session_raw.clone(),
            key: current.session_key.clone(),
            verified_hash: me.password.clone(),
        };
        let first = current.user_versioned();
        self.replace_password(&me.user_id, Some(first), new, &req.now, Some(keep)).await
    }

    /// Writes a new password hash (and a new stamp, which ends every older session at once),
    /// conditional on the record as read. `keep`: the caller's own session, which alone
    /// survives (see [`KeptSession`]).
    pub(crate) async fn replace_password(
        &self,
        user_id: &str,
        first: Option<crate::sso::Versioned<crate::user::UserRecord>>,
        new: NewPassword,
        now: &crate::time::Timestamp,
        keep: Option<KeptSession>,
    ) -> SsoResult<()> {
        let listed = self.list_all(&keys::user_sessions_prefix(user_id)).await?;
        let writer = if keep.is_some() { Writer::Owner } else { Writer::Admin };
        self.modify_user(
            user_id,
            writer,
            first,
            |old| {
                if let Some(kept) = &keep {
                    if old.password != kept.verified_hash {
                        return Err(SsoError::shown(Code::AuthNotAllowed, "the old password does not match"));
                    }
                }
                let mut user = old.clone();
                self.set_password_hash(&mut user, new.hash.clone(), new.must_change, new.expiry_days, now)?;
                Ok(Change::Write(user))
            },
            |commit, _, new| {
                let kept = keep.as_ref().map(|k| k.session.session_id.as_str());
                if let Some(KeptSession { session, raw, key: session_key, .. }) = &keep {
                    let mut session = session.clone();
                    session.stamp = new.stamp.clone();
                    session.rev = session.rev.wrapping_add(1);
                    let ttl = (session.expiration_time - *now).num_seconds().max(60) as u64;
                    let key = session_key.clone();
                    commit.check(key.clone(), Some(raw)).put(key, encode(&session)?, Some(ttl));
                }
                self.stage_session_deletes(commit, user_id, &listed, kept);
                Ok(())
            },
        )
        .await?;
        Ok(())
    }

    /// Spec §3.11, trusted (no UST): the CLI's and administrators' way to set a password.
    /// `password_expiry` is in days from now (0 or negative: the configured default). A user_id
    /// that does not exist is a no-op.
    pub async fn set_password(
        &self,
        caller: &Caller<'_>,
        user_id: &str,
        password: &str,
        must_change: Option<bool>,
        password_expiry: Option<i64>,
    ) -> SsoResult<()> {
        let req = self.request(caller)?;
        self.audit(&req, "user.set_password", Some(user_id), vec![]).await?;
        self.check_new_password(password).await?;
        let Some(first) = self.load_user_versioned(user_id).await? else { return Ok(()) };
        let new = NewPassword { hash: self.seal_password_hash(password)?, must_change, expiry_days: password_expiry.filter(|d| *d > 0) };
        self.replace_password(user_id, Some(first), new, &req.now, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> SsoResult<PasswordChange> {
        let Value::Object(m) = v else { panic!("not an object") };
        PasswordChange::parse(&m)
    }

    #[test]
    fn the_alias_an_empty_user_id_and_a_non_positive_expiry_are_normalised() {
        let c = parse(json!({ "new_password": "n", "user_id": "", "password_must_change": true, "password_expiry": 0 })).unwrap();
        assert_eq!((c.old_password, c.new_password.as_str(), c.user_id, c.must_change, c.expiry_days), (None, "n", None, Some(true), None));
        assert_eq!(parse(json!({ "new_password": "n", "password_expiry": 30 })).unwrap().expiry_days, Some(30));
    }

    #[test]
    fn refusals_keep_their_codes() {
        assert_eq!(parse(json!({})).err().map(|e| e.sub_status), Some(vec![Code::MissingInput]));
        for bad_data in [
            json!({ "old_password": "o" }),
            json!({ "new_password": "n", "extra": 1 }),
            json!({ "new_password": "n", "must_change": true, "password_must_change": true }),
            json!({ "new_password": 5 }),
            json!({ "new_password": "n", "must_change": "yes" }),
            json!({ "new_password": "n", "password_expiry": "30" }),
        ] {
            assert_eq!(parse(bad_data.clone()).err().map(|e| e.sub_status), Some(vec![Code::InvalidInput]), "{bad_data}");
        }
    }
}
