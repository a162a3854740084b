//! Housekeeping (spec §2.6, §3.19): deletes expired sessions, attributes and reset tokens, and
//! whatever an interrupted multi-record operation left pointing at nothing. Reads never rely
//! on it (they check expiry and ownership themselves); it only reclaims space.

use serde::Serialize;

use crate::attr::AttrRecordHeader;
use crate::audit::Audit;
use crate::error::SsoResult;
use crate::hooks::Hooks;
use crate::search::index::{field_prefix, parse_field_key, user_id_of_sort_key, Field, SORT_PREFIX};
use crate::session::record::SessionRecord;
use crate::sso::Sso;
use crate::store::Store;
use crate::time::Timestamp;

/// What `cleanup` deleted, by kind of record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CleanupReport {
    /// Sessions expired, ended by their owner's new stamp, or whose owner is gone.
    pub sessions: u64,
    /// Attributes expired, or whose user or session is gone.
    pub attributes: u64,
    /// Password-reset tokens expired, or whose user is gone.
    pub reset_tokens: u64,
    /// Index entries and claims that pointed at nothing.
    pub orphans: u64,
    /// Failed-login counters past their time (stores without TTLs keep them otherwise).
    pub throttle_counters: u64,
}

#[derive(serde::Deserialize)]
struct Expiring {
    user_id: String,
    #[serde(with = "crate::time::serde_ts")]
    expiration_time: Timestamp,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// `now` in milliseconds since the epoch; the host clock when None.
    pub async fn cleanup(&self, now_ms: Option<i64>) -> SsoResult<CleanupReport> {
        let mut req = self.internal_request(None, "")?;
        if let Some(now) = now_ms.and_then(crate::time::from_millis) {
            req.now = now;
        }
        let now = req.now;
        let mut r = CleanupReport::default();
        // Each user's security stamp, None when the user does not exist.
        let mut stamps = std::collections::BTreeMap::<String, Option<String>>::new();
        macro_rules! stamp {
            ($id:expr) => {{
                let id: String = $id;
                match stamps.get(&id) {
                    Some(s) => s.clone(),
                    None => {
                        let s = self.load_user(&id).await?.map(|u| u.stamp);
                        stamps.insert(id, s.clone());
                        s
                    }
                }
            }};
        }
        macro_rules! exists {
            ($id:expr) => {{
                stamp!($id).is_some()
            }};
        }
        for key in self.list_all("sso/session/").await? {
            match self.get_record::<SessionRecord>(&key).await {
                // A session is live while unexpired and carrying its owner's current stamp.
                Ok(Some(s)) if s.expiration_time > now && stamp!(s.user_id.clone()).as_ref() == Some(&s.stamp) => {}
                Ok(Some(s)) => {
                    self.delete_session(&s.user_id, &s.session_id).await?;
                    r.sessions += 1;
                }
                _ => {
                    self.delete_key(&key).await?;
                    r.orphans += 1;
                }
            }
        }
        for key in self.list_all("sso/user-session/").await? {
            let mut parts = key.trim_start_matches("sso/user-session/").split('/');
            let (uid, sid) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            if !self.session_exists(uid, sid).await? || !exists!(uid.to_string()) {
                self.delete_key(&key).await?;
                r.orphans += 1;
            }
        }
        for key in self.list_all("sso/attr/").await? {
            let live = match self.get_record::<AttrRecordHeader>(&key).await {
                Ok(Some(a)) => a.expiration_time > now,
                _ => false,
            };
            let parts: Vec<&str> = key.trim_start_matches("sso/attr/").split('/').collect();
            let owner_ok = exists!(parts.first().copied().unwrap_or_default().to_string());
            let session_ok = match parts.get(1) {
                Some(&"s") => self.session_exists(parts.first().copied().unwrap_or_default(), parts.get(2).copied().unwrap_or_default()).await?,
                _ => true,
            };
            if !(live && owner_ok && session_ok) {
                self.delete_key(&key).await?;
                r.attributes += 1;
            }
        }
        for key in self.list_all("sso/prt/").await? {
            match self.get_record::<Expiring>(&key).await {
                Ok(Some(p)) if p.expiration_time > now && exists!(p.user_id.clone()) => {}
                Ok(Some(p)) => {
                    self.delete_key(&key).await?;
                    let digest = key.trim_start_matches("sso/prt/");
                    self.delete_key(&crate::store::keys::user_prt(&p.user_id, digest)).await?;
                    r.reset_tokens += 1;
                }
                _ => {
                    self.delete_key(&key).await?;
                    r.orphans += 1;
                }
            }
        }
        for key in self.list_all(SORT_PREFIX).await? {
            if let Some(id) = user_id_of_sort_key(&key) {
                if !exists!(id.to_string()) {
                    self.delete_key(&key).await?;
                    r.orphans += 1;
                }
            }
        }
        for field in Field::ALL {
            for key in self.list_all(&field_prefix(field)).await? {
                if let Some((_, _, id)) = parse_field_key(&key, field) {
                    if !exists!(id) {
                        self.delete_key(&key).await?;
                        r.orphans += 1;
                    }
                }
            }
        }
        r.throttle_counters = self.expire_throttle_counters(now.and_utc().timestamp_millis()).await?;
        Ok(r)
    }
}

/// One user of the password-expiry sweep (spec §3.19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiringPassword {
    /// The username.
    pub username: String,
    /// The email in clear text (opened if sealed); `None` when none.
    pub email: Option<String>,
    /// The user's display name, if any.
    pub display_name: Option<String>,
    /// When the password expires, in Zato's format.
    pub password_expiry: String,
    /// The password has already expired.
    pub is_password_expired: bool,
    /// The password has not expired yet but will within the threshold.
    pub is_password_about_to_expire: bool,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Spec §3.19 `pub.zato.sso.password-expiry.handler`: unlocked users whose password expires
    /// within `password.about_to_expire_threshold` days (or has expired), sorted by username,
    /// for the host to notify. Trusted; reads every user record, so run it from a schedule.
    pub async fn password_expiry_sweep(&self, now_ms: Option<i64>) -> SsoResult<Vec<ExpiringPassword>> {
        let mut req = self.internal_request(Some("password-expiry"), "")?;
        if let Some(now) = now_ms.and_then(crate::time::from_millis) {
            req.now = now;
        }
        self.audit(&req, "user.password_expiry_sweep", None, vec![]).await?;
        let threshold = self.config.password.about_to_expire_threshold;
        let mut out = Vec::new();
        for key in self.list_all(crate::store::keys::USER_PREFIX).await? {
            let Some(u) = self.get_record::<crate::user::UserRecord>(&key).await? else { continue };
            if u.is_locked || crate::time::add_days(&u.password_expiry, -threshold) >= req.now {
                continue;
            }
            out.push(ExpiringPassword {
                username: u.username.clone(),
                email: u.open_email(&self.keys),
                display_name: u.display_name.clone(),
                password_expiry: crate::time::format_zato(&u.password_expiry),
                is_password_expired: req.now > u.password_expiry,
                is_password_about_to_expire: req.now <= u.password_expiry,
            });
        }
        out.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(out)
    }
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Whether a session record exists at either of its places.
    async fn session_exists(&self, user_id: &str, session_id: &str) -> SsoResult<bool> {
        Ok(self.get_many_raw(&crate::store::keys::session_keys(user_id, session_id)).await?.iter().any(Option::is_some))
    }

    /// A dead session and what belongs to it: its index entry and its attributes.
    async fn delete_session(&self, user_id: &str, session_id: &str) -> SsoResult<()> {
        for k in crate::store::keys::session_keys(user_id, session_id) {
            self.delete_key(&k).await?;
        }
        for k in self.list_all(&crate::store::keys::attr_scope_prefix(user_id, Some(session_id))).await? {
            self.delete_key(&k).await?;
        }
        self.delete_key(&crate::store::keys::user_session(user_id, session_id)).await
    }
}
