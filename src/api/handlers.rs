//! The handlers of the operation table (`mod.rs`): each turns the checked positional
//! arguments into a call of the core and its result into JSON.

use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use super::{items_arg, names_arg, Args};
use crate::attr::{AttrCall, AttrItem, AttrOp, AttrTarget};
use crate::audit::Audit;
use crate::caller::{Caller, SessionCaller};
use crate::error::bad;
use crate::error::{SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::input::{opt_bool, opt_int, opt_string};
use crate::session::login::{LoginOptions, LoginResult};
use crate::sso::Sso;
use crate::store::Store;
use crate::time;
use crate::user::create::CreateOptions;

type Options = Map<String, Value>;

fn void(r: SsoResult<()>) -> SsoResult<Value> {
    r.map(|_| Value::Null)
}

fn encoded<T: serde::Serialize>(v: T) -> SsoResult<Value> {
    serde_json::to_value(v).map_err(|_| SsoError::internal("the report could not be encoded"))
}

fn opt(o: &Options, key: &str) -> SsoResult<Option<String>> {
    opt_string(o, key, usize::MAX)
}

fn login_json(r: LoginResult) -> Value {
    json!({
        "ust": r.ust, "user_id": r.user_id, "username": r.username,
        "creation_time": time::format_zato(&r.creation_time), "expiration_time": time::format_zato(&r.expiration_time),
        "has_w_about_to_exp": r.has_w_about_to_exp, "device_token": r.device_token,
    })
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    pub(super) async fn op_create_super_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let mut data = a.object(1)?;
        let id = self.create_super_user(a.cid()?, &mut data).await?;
        Ok(json!({ "user_id": id, "data": data }))
    }

    pub(super) async fn op_create_user(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let mut data = a.object(1)?;
        let opts = CreateOptions { auto_approve: opt_bool(o, "autoApprove")?.unwrap_or(false) };
        self.create_user(&a.session_caller(a.cid()?, 2)?, &mut data, opts).await?;
        Ok(Value::Object(data))
    }

    pub(super) async fn op_get_current_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        Ok(Value::Object(self.get_current_user(&a.session_caller(a.cid()?, 1)?).await?))
    }

    pub(super) async fn op_session_get_current(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        self.get_current_session(&a.session_caller(a.cid()?, 1)?).await
    }

    pub(super) async fn op_get_user_by_id(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, user_id) = (a.cid()?, a.text(1)?);
        Ok(Value::Object(self.get_user_by_id(&a.session_caller(cid, 2)?, user_id).await?))
    }

    pub(super) async fn op_login(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let opts = LoginOptions {
            user_agent: opt(o, "userAgent")?,
            totp_code: opt(o, "totpCode")?,
            new_password: opt(o, "newPassword")?,
            has_remote_addr: opt_bool(o, "hasRemoteAddr")?.unwrap_or(false),
            has_user_agent: opt_bool(o, "hasUserAgent")?.unwrap_or(false),
            device_token: opt(o, "deviceToken")?,
        };
        // The password leaves memory when the call is done (Zeroizing wipes it on drop).
        let password = Zeroizing::new(a.str(2)?);
        let (cid, username) = (a.cid()?, a.text(1)?);
        let r = self.login(&a.caller(cid, 3)?, username, &password, opts).await?;
        Ok(login_json(r))
    }

    pub(super) async fn op_logout(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        void(self.logout(&a.session_caller(a.cid()?, 1)?).await)
    }

    pub(super) async fn op_update_current_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, data) = (a.cid()?, a.object(1)?);
        void(self.update_current_user(&a.session_caller(cid, 2)?, &data).await)
    }

    pub(super) async fn op_update_user_by_id(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, user_id, data) = (a.cid()?, a.text(1)?, a.object(2)?);
        void(self.update_user_by_id(&a.session_caller(cid, 3)?, user_id, &data).await)
    }

    pub(super) async fn op_approve_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, target) = (a.cid()?, a.text(1)?);
        void(self.approve_user(&a.session_caller(cid, 2)?, target).await)
    }

    pub(super) async fn op_reject_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, target) = (a.cid()?, a.text(1)?);
        void(self.reject_user(&a.session_caller(cid, 2)?, target).await)
    }

    pub(super) async fn op_lock_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, target) = (a.cid()?, a.text(1)?);
        void(self.lock_user(&a.session_caller(cid, 2)?, target).await)
    }

    pub(super) async fn op_unlock_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, target) = (a.cid()?, a.text(1)?);
        void(self.unlock_user(&a.session_caller(cid, 2)?, target).await)
    }

    pub(super) async fn op_delete_user_by_id(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, target) = (a.cid()?, a.text(1)?);
        void(self.delete_user_by_id(&a.session_caller(cid, 2)?, target).await)
    }

    pub(super) async fn op_delete_user_by_username(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, target) = (a.cid()?, a.text(1)?);
        void(self.delete_user_by_username(&a.session_caller(cid, 2)?, target).await)
    }

    pub(super) async fn op_change_password(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, data) = (a.cid()?, a.object(1)?);
        void(self.change_password(&a.session_caller(cid, 2)?, &data).await)
    }

    pub(super) async fn op_set_password(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let password = Zeroizing::new(a.str(2)?);
        let (must_change, expiry) = (opt_bool(o, "mustChange")?, opt_int(o, "passwordExpiry")?);
        let (cid, user_id) = (a.cid()?, a.text(1)?);
        void(self.set_password(&a.caller(cid, 3)?, user_id, &password, must_change, expiry).await)
    }

    pub(super) async fn op_reset_totp_key(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let (user_id, key, label) = (opt(o, "userId")?, Zeroizing::new(opt(o, "key")?), opt(o, "keyLabel")?);
        let key = self.reset_totp_key(&a.session_caller(a.cid()?, 1)?, user_id.as_deref(), key.as_deref(), label.as_deref()).await?;
        Ok(Value::String(key))
    }

    pub(super) async fn op_search(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let criteria = if a.get(1).is_null() { Map::new() } else { a.object(1)? };
        Ok(Value::Object(self.search(&a.session_caller(a.cid()?, 2)?, &criteria).await?))
    }

    pub(super) async fn op_signup(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, ctx) = (a.cid()?, a.object(1)?);
        Ok(Value::String(self.signup(&a.caller(cid, 2)?, &ctx).await?))
    }

    pub(super) async fn op_confirm_signup(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, token) = (a.cid()?, a.text(1)?);
        void(self.confirm_signup(&a.caller(cid, 2)?, token).await)
    }

    pub(super) async fn op_create_linked_auth(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let is_active = match a.get(5) {
            Value::Null => true,
            Value::Bool(b) => *b,
            _ => return Err(bad("user.createLinkedAuth: isActive must be a boolean")),
        };
        let (cid, ust, user_id, auth_type, auth_username) = (a.cid()?, a.text(1)?, a.text(2)?, a.text(3)?, a.text(4)?);
        let caller = a.caller(cid, 6)?.with_ust(ust);
        let (user_id, auth_id) = self.create_linked_auth(&caller, user_id, auth_type, auth_username, is_active).await?;
        Ok(json!({ "user_id": user_id, "auth_id": auth_id }))
    }

    pub(super) async fn op_delete_linked_auth(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, ust, user_id, auth_type, auth_username) = (a.cid()?, a.text(1)?, a.text(2)?, a.text(3)?, a.text(4)?);
        void(self.delete_linked_auth(&a.caller(cid, 5)?.with_ust(ust), user_id, auth_type, auth_username).await)
    }

    pub(super) async fn op_get_linked_auth_list(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let user_id = a.opt_str(4)?;
        Ok(Value::Array(self.get_linked_auth_list(&a.session_caller(a.cid()?, 1)?, user_id.as_deref()).await?))
    }

    pub(super) async fn op_get_user_by_linked_auth(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, ust, auth_type, auth_username) = (a.cid()?, a.text(1)?, a.text(2)?, a.text(3)?);
        Ok(Value::Object(self.get_user_by_linked_auth(&a.caller(cid, 4)?.with_ust(ust), auth_type, auth_username).await?))
    }

    /// Called by the package's `authenticate` once it has checked a JWT's signature.
    pub(super) async fn op_external_session(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        use crate::linked::external::Proof;
        let p = a.object(1)?;
        if let Some(k) = p.keys().find(|k| !["type", "username", "password", "tokenSha256"].contains(&k.as_str())) {
            return Err(bad(format!("linked.externalSession: unknown key in proof: {}", crate::input::shown_key(k))));
        }
        let kind = opt_string(&p, "type", 32)?.unwrap_or_default();
        let username = opt_string(&p, "username", usize::MAX)?.unwrap_or_default();
        let secret = Zeroizing::new(opt_string(&p, if kind == "jwt" { "tokenSha256" } else { "password" }, usize::MAX)?.unwrap_or_default());
        let proof = match kind.as_str() {
            "basic_auth" => Proof::Basic { username: &username, password: &secret },
            "jwt" => Proof::Jwt { username: &username, token_sha256: &secret },
            _ => return Err(bad("linked.externalSession: proof.type must be basic_auth or jwt")),
        };
        let code = Zeroizing::new(opt(o, "totpCode")?);
        let ua = opt(o, "userAgent")?;
        let r = self.external_session(&a.caller(a.cid()?, 2)?, proof, ua.as_deref(), code.as_deref()).await?;
        Ok(json!({ "ust": r.ust, "user_id": r.user_id, "expiration_time": time::format_zato(&r.expiration_time), "renewed": r.renewed }))
    }

    pub(super) async fn op_validate_code(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let (ust, username) = (opt(o, "ust")?, opt(o, "username")?);
        let code = Zeroizing::new(a.str(1)?);
        Ok(Value::Bool(self.validate_code(&a.caller(a.cid()?, 2)?, &code, ust.as_deref(), username.as_deref()).await?))
    }

    pub(super) async fn op_provisioning_uri(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        Ok(Value::String(self.totp_provisioning_uri(&a.str(0)?, &a.str(1)?, opt(o, "issuer")?.as_deref())?))
    }

    pub(super) async fn op_session_verify(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, target_ust) = (a.cid()?, a.text(1)?);
        Ok(Value::Bool(self.verify_session(&a.session_caller(cid, 2)?, target_ust).await?))
    }

    pub(super) async fn op_session_renew(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let caller = a.session_caller(a.cid()?, 1)?;
        let t = self.renew_session(&caller, opt(o, "userAgent")?.as_deref()).await?;
        Ok(Value::String(time::format_zato(&t)))
    }

    pub(super) async fn op_session_get(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, target_ust) = (a.cid()?, a.text(1)?);
        Ok(Value::Object(self.get_session(&a.session_caller(cid, 2)?, target_ust).await?))
    }

    pub(super) async fn op_session_get_list(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let cid = a.cid()?;
        let (ust, target, current) = (a.opt_str(1)?, a.opt_str(2)?, a.opt_str(3)?);
        let list = self.get_session_list(&a.caller(cid, 4)?, ust.as_deref(), target.as_deref(), current.as_deref()).await?;
        Ok(Value::Array(list))
    }

    pub(super) async fn op_session_get_list_by_user_id(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, user_id) = (a.cid()?, a.text(1)?);
        Ok(Value::Array(self.get_user_sessions(&a.session_caller(cid, 2)?, user_id).await?))
    }

    pub(super) async fn op_session_end_by_id(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let (cid, user_id, session_id) = (a.cid()?, a.text(1)?, a.text(2)?);
        void(self.end_user_session(&a.session_caller(cid, 3)?, user_id, session_id).await)
    }

    /// Every `user.attr.*` and `user.session.attr.*` method: its inputs follow `cid`, the
    /// session variants take `targetUst` before `currentUst`.
    pub(super) async fn op_attr(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let session = a.op.starts_with("user.session.attr.");
        let method = a.op.rsplit('.').next().unwrap_or_default();
        let (inputs, attr_op): (&[&str], AttrOp) = match method {
            "create" | "update" | "set" => (
                &["name", "value"],
                match method {
                    "create" => AttrOp::Create,
                    "update" => AttrOp::Update,
                    _ => AttrOp::Set,
                },
            ),
            "createMany" | "updateMany" | "setMany" => (
                &["data"],
                match method {
                    "createMany" => AttrOp::Create,
                    "updateMany" => AttrOp::Update,
                    _ => AttrOp::Set,
                },
            ),
            "get" | "getMany" => (&["name"], AttrOp::Get),
            "exists" | "existsMany" => (&["name"], AttrOp::Exists),
            "delete" | "deleteMany" => (&["name"], AttrOp::Delete),
            "names" => (&[], AttrOp::Names),
            "toDict" => (&[], AttrOp::ToDict),
            "setExpiry" => (&["name", "expiration"], AttrOp::SetExpiry),
            "setExpiryMany" => (&["data"], AttrOp::SetExpiry),
            _ => return Err(bad(format!("unknown operation: {}", a.op.chars().take(60).collect::<String>()))),
        };
        let n = inputs.len();
        let tail = 1 + n + usize::from(session);
        let (items, single) = match (method, inputs) {
            ("names" | "toDict", _) => (Vec::new(), false),
            (_, ["data"]) => (items_arg(a.get(1))?, false),
            ("setExpiry", _) => {
                let exp = a.get(2).as_i64().ok_or_else(|| bad("expiration must be an integer number of seconds"))?;
                (vec![AttrItem { name: a.str(1)?, expiration: Some(exp), ..Default::default() }], true)
            }
            (_, ["name", "value"]) => (vec![AttrItem { name: a.str(1)?, value: Some(a.get(2).clone()), ..Default::default() }], true),
            _ => names_arg(a.get(1))?,
        };
        let target = if session { AttrTarget::Session(a.str(1 + n)?) } else { AttrTarget::User(opt(o, "userId")?) };
        let call = AttrCall {
            op: attr_op,
            target,
            items,
            single,
            expiration: opt_int(o, "expiration")?,
            encrypt: opt_bool(o, "encrypt")?.unwrap_or(false),
            decrypt: opt_bool(o, "decrypt")?.unwrap_or(true),
        };
        let cid = a.cid()?;
        self.attr(&a.session_caller(cid, tail)?, call).await
    }

    pub(super) async fn op_reset_create_token(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let (cid, credential) = (a.cid()?, a.text(1)?);
        void(self.create_reset_token(&a.caller(cid, 2)?, credential, opt(o, "userAgent")?.as_deref()).await)
    }

    pub(super) async fn op_reset_access_token(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let (cid, token) = (a.cid()?, a.text(1)?);
        Ok(Value::String(self.access_reset_token(&a.caller(cid, 2)?, token, opt(o, "userAgent")?.as_deref()).await?))
    }

    pub(super) async fn op_reset_change_password(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let (ua, code) = (opt(o, "userAgent")?, Zeroizing::new(opt(o, "totpCode")?));
        let password = Zeroizing::new(a.str(1)?);
        let (cid, token, reset_key) = (a.cid()?, a.text(2)?, a.text(3)?);
        void(self.reset_password(&a.caller(cid, 4)?, &password, token, reset_key, ua.as_deref(), code.as_deref()).await)
    }

    pub(super) async fn op_cleanup(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        encoded(self.cleanup(a.millis(0)?).await?)
    }

    pub(super) async fn op_password_expiry_sweep(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        encoded(self.password_expiry_sweep(a.millis(0)?).await?)
    }

    pub(super) async fn op_policy(&self, _: &Args<'_>, _: &Options) -> SsoResult<Value> {
        Ok(self.public_policy())
    }

    pub(super) async fn op_reseal(&self, _: &Args<'_>, _: &Options) -> SsoResult<Value> {
        encoded(self.reseal().await?)
    }

    pub(super) async fn op_admin_find_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        Ok(self.admin_find_user(a.cid()?, &a.str(1)?).await?.map(Value::Object).unwrap_or(Value::Null))
    }

    pub(super) async fn op_admin_create_user(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let mut data = a.object(1)?;
        let id = self.admin_create_user(a.cid()?, &mut data, opt_bool(o, "superUser")?.unwrap_or(false)).await?;
        Ok(json!({ "user_id": id, "data": data }))
    }

    pub(super) async fn op_admin_lock_user(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        void(self.admin_set_locked(a.cid()?, &a.str(1)?, true, opt(o, "lockedBy")?.as_deref()).await)
    }

    pub(super) async fn op_admin_unlock_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        void(self.admin_set_locked(a.cid()?, &a.str(1)?, false, None).await)
    }

    pub(super) async fn op_admin_delete_user(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        void(self.admin_delete_user(a.cid()?, &a.str(1)?).await)
    }

    pub(super) async fn op_admin_login(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let addr = opt(o, "remoteAddr")?.unwrap_or_else(|| "127.0.0.1".into());
        let (app, ua) = (opt(o, "currentApp")?, opt(o, "userAgent")?);
        let caller = Caller { cid: a.cid()?, current_app: app.as_deref().unwrap_or_default(), remote_addr: &addr };
        self.admin_login(&caller, &a.str(1)?, ua.as_deref()).await.map(login_json)
    }

    pub(super) async fn op_admin_logout(&self, a: &Args<'_>, _: &Options) -> SsoResult<Value> {
        let caller = SessionCaller { cid: a.cid()?, ust: a.text(1)?, current_app: crate::admin::CLI_APP, remote_addr: "" };
        void(self.logout(&caller).await)
    }

    pub(super) async fn op_admin_set_password(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let password = Zeroizing::new(a.str(2)?);
        let days = opt_int(o, "expiryDays")?;
        if days.is_some_and(|d| !(1..=36_500).contains(&d)) {
            return Err(bad("admin.setPassword: expiryDays must be 1 to 36500"));
        }
        void(self.admin_set_password(a.cid()?, &a.str(1)?, &password, opt_bool(o, "mustChange")?, days).await)
    }

    pub(super) async fn op_admin_reset_totp_key(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let (key, label) = (Zeroizing::new(opt(o, "key")?), opt(o, "keyLabel")?);
        Ok(Value::String(self.admin_reset_totp_key(a.cid()?, &a.str(1)?, key.as_deref(), label.as_deref()).await?))
    }

    pub(super) async fn op_admin_import_user(&self, a: &Args<'_>, o: &Options) -> SsoResult<Value> {
        let (id, what) = self.admin_import_user(a.cid()?, &a.object(1)?, opt_bool(o, "update")?.unwrap_or(false)).await?;
        Ok(json!({ "user_id": id, "result": what.as_str() }))
    }
}
