//! Reading users (spec §3.4) and the record-level store access the other operations share.

use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::caller::SessionCaller;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::Sso;
use crate::store::{keys, Store};
use crate::time;
use crate::user::record::{UserRecord, Visibility};

/// What the username index holds: the owner's id, and when the name was claimed (so a claim
/// left behind by a create that failed half-way can be told from one in progress).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct UsernameClaim {
    pub user_id: String,
    pub claimed_at_ms: i64,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    pub(crate) async fn load_user(&self, user_id: &str) -> SsoResult<Option<UserRecord>> {
        Ok(self.load_user_versioned(user_id).await?.map(|v| v.value))
    }

    pub(crate) async fn username_claim(&self, username: &str) -> SsoResult<Option<UsernameClaim>> {
        // The exact spelling's claim from before names were prepared wins (see login).
        let mut raw = None;
        if let Some(legacy) = keys::username_legacy(username) {
            raw = self.get_raw(&legacy).await?;
        }
        if raw.is_none() {
            raw = self.get_raw(&keys::username(username)).await?;
        }
        match raw {
            None => Ok(None),
            // An index entry that does not parse is treated as a stale claim.
            Some(text) => Ok(serde_json::from_str(&text).ok()),
        }
    }

    /// The user who owns `username`, in any approval state. The index entry is trusted only
    /// when the record it points to carries the same username.
    pub(crate) async fn find_user_by_username(&self, username: &str) -> SsoResult<Option<UserRecord>> {
        let Some(claim) = self.username_claim(username).await? else { return Ok(None) };
        Ok(self.load_user(&claim.user_id).await?.filter(|u| crate::username::same(&u.username, username)))
    }

    pub(crate) async fn put_user(&self, user: &UserRecord) -> SsoResult<()> {
        self.put_record(&keys::user(&user.user_id), user, None).await
    }

    /// Spec §3.4 `get_current_user`: the caller's own record, with the super-user fields when
    /// the caller is a super-user.
    pub async fn get_current_user(&self, caller: &SessionCaller<'_>) -> SsoResult<Map<String, Value>> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.get_current_user", None, vec![]).await?;
        let current = self.resolve_session(&req, caller.ust, false).await?;
        let vis = Visibility { super_user_fields: current.user.is_super_user, is_self: true };
        Ok(current.user.view(&self.keys, vis))
    }

    /// Spec §3.4 `get_user_by_id`: super-users only; any approval state; unknown → E005001.
    pub async fn get_user_by_id(&self, caller: &SessionCaller<'_>, user_id: &str) -> SsoResult<Map<String, Value>> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.get_user_by_id", Some(user_id), vec![]).await?;
        // The target is read with the caller's session, in one round trip.
        let extra: Vec<String> =
            if user_id.is_empty() || user_id.len() > 191 { Vec::new() } else { vec![keys::user(user_id), keys::user_login(user_id)] };
        let (current, extras) = self.resolve_session_with(&req, caller.ust, true, &extra).await?;
        let mut extras = extras.into_iter();
        let user = crate::user::write::user_from_raw(user_id, extras.next().flatten())?
            .map(|v| v.value)
            .ok_or_else(|| SsoError::shown(Code::AuthNotAllowed, "no such user"))?;
        let vis = Visibility { super_user_fields: true, is_self: user.user_id == current.user.user_id };
        let mut view = user.view(&self.keys, vis);
        view.insert("last_login_time".into(), last_login(extras.next().flatten()));
        Ok(view)
    }
}

/// Not in Zato: the `last_login_time` administrators see (getUserById, search), from the
/// record each login writes (`keys::user_login`); null for a user who never logged in.
pub(crate) fn last_login(raw: Option<String>) -> Value {
    match raw.and_then(|r| time::parse_zato(&r)) {
        Some(t) => Value::String(time::format_zato(&t)),
        None => Value::Null,
    }
}
