//! Trusted operations: what the operator runs from a shell (the `edge-sso` command line, spec
//! §8.4) or a migration. They take no UST and make no super-user check, so a host exposes them
//! only to code it trusts, never to a request. Each is audited like its untrusted twin, with
//! `trusted: true` in the record's extra.

pub mod import;

use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::caller::Caller;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::session::login::{Authenticated, LoginKind, LoginOptions, LoginResult, SecondFactor};
use crate::sso::{Request, Sso, Versioned, MAX_SHORT_INPUT};
use crate::store::{keys, Store};
use crate::user::record::{UserRecord, Visibility};
use crate::user::update::AdminAction;
use crate::user::write::Writer;

/// The app of trusted calls when the caller names none (Zato's CLI uses it).
pub const CLI_APP: &str = "zato-cli";

fn no_such_user() -> SsoError {
    SsoError::shown(Code::InvalidOperation, "no such user")
}

fn trusted() -> (&'static str, Value) {
    ("trusted", Value::Bool(true))
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// A trusted call's context: the CLI's app when the caller names none.
    fn trusted_request(&self, caller: &Caller<'_>) -> SsoResult<Request> {
        let current_app = if caller.current_app.is_empty() { CLI_APP } else { caller.current_app };
        self.request(&Caller { current_app, ..*caller })
    }

    /// The approved user named `username`, or None (spec §8.4's lookup: the CLI's commands
    /// act on approved users only).
    pub(crate) async fn approved_user(&self, username: &str) -> SsoResult<Option<Versioned<UserRecord>>> {
        if username.is_empty() || username.len() > MAX_SHORT_INPUT {
            return Ok(None);
        }
        let Some(claim) = self.username_claim(username).await? else { return Ok(None) };
        Ok(self.load_user_versioned(&claim.user_id).await?.filter(|u| crate::username::same(&u.value.username, username) && u.value.is_approved()))
    }

    async fn existing_user(&self, user_id: &str) -> SsoResult<Versioned<UserRecord>> {
        if user_id.is_empty() {
            return Err(SsoError::invalid_input("a user_id is required"));
        }
        self.load_user_versioned(user_id).await?.ok_or_else(no_such_user)
    }

    /// Trusted: the approved user named `username`, with every administrative field, or None.
    pub async fn admin_find_user(&self, cid: Option<&str>, username: &str) -> SsoResult<Option<Map<String, Value>>> {
        let req = self.internal_request(cid, CLI_APP)?;
        self.audit(&req, "user.find_user", None, vec![trusted()]).await?;
        let vis = Visibility { super_user_fields: true, is_self: false };
        Ok(self.approved_user(username).await?.map(|u| u.value.view(&self.keys, vis)))
    }

    /// Trusted `create-user` / `create-super-user` (spec §8.4): auto-approved, sign-up final,
    /// creator `auto`, confirm token `cli.<secret>`. Returns the new user_id; `data` is
    /// enriched as `create_user` does.
    pub async fn admin_create_user(&self, cid: Option<&str>, data: &mut Map<String, Value>, super_user: bool) -> SsoResult<String> {
        let req = self.internal_request(cid, CLI_APP)?;
        let op = if super_user { "user.create_super_user" } else { "user.create_user" };
        self.audit(&req, op, None, vec![trusted()]).await?;
        self.create_trusted(&req, data, super_user).await
    }

    /// Trusted lock or unlock. `locked_by` names the operator (Zato's CLI: `<os-user>@<host>`).
    /// A lock ends every session of the user.
    pub async fn admin_set_locked(&self, cid: Option<&str>, user_id: &str, locked: bool, locked_by: Option<&str>) -> SsoResult<()> {
        let req = self.internal_request(cid, CLI_APP)?;
        let op = if locked { "user.lock_user" } else { "user.unlock_user" };
        self.audit(&req, op, Some(user_id), vec![trusted()]).await?;
        let actor = locked_by.filter(|s| !s.is_empty()).unwrap_or(CLI_APP);
        if actor.chars().count() > crate::user::create::MAX_TEXT {
            return Err(SsoError::invalid_input("locked_by is too long"));
        }
        let action = AdminAction::Lock(locked);
        let (user, sessions) = crate::store::join2(self.existing_user(user_id), async {
            if action.ends_sessions() {
                self.list_all(&keys::user_sessions_prefix(user_id)).await
            } else {
                Ok(Vec::new())
            }
        })
        .await;
        let user = user?;
        self.apply_admin_action(&req, user_id, actor, Some(user), &sessions?, action).await
    }

    /// Trusted deletion of a user and everything that points at it.
    pub async fn admin_delete_user(&self, cid: Option<&str>, user_id: &str) -> SsoResult<()> {
        let req = self.internal_request(cid, CLI_APP)?;
        self.audit(&req, "user.delete_user_by_id", Some(user_id), vec![trusted()]).await?;
        let (user, listed) = crate::store::join2(self.existing_user(user_id), self.list_user_keys(user_id)).await;
        self.delete_user(None, user?, listed?).await
    }

    /// Trusted `login` (spec §8.4): no password and, deciding spec §10 O-44 as recommended, no
    /// TOTP code; every other check of a login still runs (a locked user, an expired password
    /// or one that must change is refused). An empty `current_app` is the CLI's.
    pub async fn admin_login(&self, caller: &Caller<'_>, username: &str, user_agent: Option<&str>) -> SsoResult<LoginResult> {
        let req = self.trusted_request(caller)?;
        if user_agent.is_some_and(|ua| ua.len() > MAX_SHORT_INPUT) {
            return Err(SsoError::invalid_input("user_agent is longer than 1024 bytes"));
        }
        self.audit(&req, "user.login", Some(username), vec![trusted()]).await?;
        let user = self.approved_user(username).await?.ok_or_else(no_such_user)?;
        let opts = LoginOptions { user_agent: user_agent.map(str::to_string), ..Default::default() };
        self.finish_login(&req, Authenticated { user, rehashed: None }, SecondFactor::Waived, None, &opts, LoginKind::Trusted).await
    }

    /// Trusted `change-user-password` / `reset-user-password` (spec §3.11): the policy
    /// applies; `expiry_days` from now, or the configured default. Every session of the user
    /// ends (a new password replaces the security stamp).
    pub async fn admin_set_password(
        &self,
        cid: Option<&str>,
        user_id: &str,
        password: &str,
        must_change: Option<bool>,
        expiry_days: Option<i64>,
    ) -> SsoResult<()> {
        self.existing_user(user_id).await?;
        self.set_password(&Caller { cid, current_app: CLI_APP, remote_addr: "" }, user_id, password, must_change, expiry_days).await
    }

    /// Trusted `reset-totp-key`: `key` (checked to be usable base-32) or a generated one, and
    /// its label. Returns the key in clear.
    pub async fn admin_reset_totp_key(&self, cid: Option<&str>, user_id: &str, key: Option<&str>, key_label: Option<&str>) -> SsoResult<String> {
        let req = self.internal_request(cid, CLI_APP)?;
        self.audit(&req, "user.reset_totp_key", Some(user_id), vec![("skip_sec", Value::Bool(true)), trusted()]).await?;
        let user = self.existing_user(user_id).await?;
        self.replace_totp_key(user, Writer::Admin, key, key_label).await
    }
}
