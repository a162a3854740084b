//! The operation table: every public operation by its JavaScript name, with positional JSON
//! arguments in the Python API's order (`cid` first, the inputs, then `currentUst`,
//! `currentApp`, `remoteAddr`, then an options object for keyword arguments).
//!
//! The wasm binding is one call into this table, so argument checking is plain Rust, tested
//! natively; a wrong type, a missing object or an unknown option is E008002.

use serde_json::{json, Map, Value};

use crate::attr::{AttrCall, AttrItem, AttrOp, AttrTarget};
use crate::audit::Audit;
use crate::error::{SsoError, SsoResult};
use crate::input::{opt_bool, opt_int, opt_string};
use crate::hooks::Hooks;
use crate::session::login::LoginOptions;
use crate::sso::Sso;
use crate::store::Store;
use crate::time;
use crate::user::create::CreateOptions;

/// Every operation name `call` accepts.
pub const OPERATIONS: [&str; 79] = [
    "user.createSuperUser", "user.createUser", "user.getCurrentUser", "user.getUserById", "user.login", "user.logout",
    "user.updateCurrentUser", "user.updateUserById", "user.approveUser", "user.rejectUser", "user.lockUser", "user.unlockUser",
    "user.deleteUserById", "user.deleteUserByUsername", "user.changePassword", "user.setPassword", "user.resetTotpKey",
    "user.search", "user.signup", "user.confirmSignup", "totp.validateCode", "totp.provisioningUri",
    "user.session.verify", "user.session.renew", "user.session.get", "user.session.getList",
    "user.attr.create", "user.attr.createMany", "user.attr.update", "user.attr.updateMany", "user.attr.set", "user.attr.setMany",
    "user.attr.get", "user.attr.getMany", "user.attr.exists", "user.attr.existsMany", "user.attr.names", "user.attr.delete",
    "user.attr.deleteMany", "user.attr.setExpiry", "user.attr.setExpiryMany", "user.attr.toDict",
    "user.session.attr.create", "user.session.attr.createMany", "user.session.attr.update", "user.session.attr.set",
    "user.session.attr.get", "user.session.attr.exists", "user.session.attr.names", "user.session.attr.delete",
    "user.session.attr.setExpiry", "user.session.attr.toDict",
    "passwordReset.createToken", "passwordReset.accessToken", "passwordReset.changePassword", "cleanup",
    "user.session.attr.updateMany", "user.session.attr.setMany", "reseal", "passwordExpirySweep",
    "user.session.attr.getMany", "user.session.attr.existsMany", "user.session.attr.deleteMany", "user.session.attr.setExpiryMany",
    "admin.findUser", "admin.createUser", "admin.lockUser", "admin.unlockUser", "admin.deleteUser", "admin.login", "admin.logout",
    "admin.setPassword", "admin.resetTotpKey", "admin.importUser",
    "user.createLinkedAuth", "user.deleteLinkedAuth", "user.getLinkedAuthList", "linked.externalSession", "user.getUserByLinkedAuth",
];

fn bad(detail: impl Into<String>) -> SsoError {
    SsoError::invalid_input(detail)
}

/// Positional arguments of one call.
struct Args<'a> {
    op: &'a str,
    v: &'a [Value],
    names: &'a [&'a str],
}

impl<'a> Args<'a> {
    fn new(op: &'a str, v: &'a [Value], names: &'a [&'a str]) -> SsoResult<Self> {
        if v.len() > names.len() {
            return Err(bad(format!("{op} takes at most {} arguments ({}), got {}", names.len(), names.join(", "), v.len())));
        }
        Ok(Args { op, v, names })
    }
    fn get(&self, i: usize) -> &Value {
        self.v.get(i).unwrap_or(&Value::Null)
    }
    fn name(&self, i: usize) -> &str {
        self.names.get(i).copied().unwrap_or("argument")
    }
    /// A string, or null/undefined: None.
    fn opt_str(&self, i: usize) -> SsoResult<Option<String>> {
        match self.get(i) {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(bad(format!("{}: {} must be a string", self.op, self.name(i)))),
        }
    }
    /// A string; null/undefined is "" and the operation decides what that means.
    fn str(&self, i: usize) -> SsoResult<String> {
        Ok(self.opt_str(i)?.unwrap_or_default())
    }
    fn object(&self, i: usize) -> SsoResult<Map<String, Value>> {
        match self.get(i) {
            Value::Object(m) => Ok(m.clone()),
            _ => Err(bad(format!("{}: {} must be an object", self.op, self.name(i)))),
        }
    }
    /// The trailing options object: only `allowed` keys.
    fn options(&self, i: usize, allowed: &[&str]) -> SsoResult<Map<String, Value>> {
        let m = match self.get(i) {
            Value::Null => Map::new(),
            Value::Object(m) => m.clone(),
            _ => return Err(bad(format!("{}: options must be an object", self.op))),
        };
        if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(bad(format!("{}: unknown option {}", self.op, crate::input::shown_key(k))));
        }
        Ok(m)
    }
}

/// A name or a list of names (`get`, `exists`, `delete`).
fn names_arg(v: &Value) -> SsoResult<(Vec<AttrItem>, bool)> {
    match v {
        Value::String(s) => Ok((vec![AttrItem { name: s.clone(), ..Default::default() }], true)),
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|n| n.as_str().map(|s| AttrItem { name: s.to_string(), ..Default::default() }).ok_or_else(|| bad("attribute names must be strings")))
                .collect::<SsoResult<Vec<_>>>()?;
            if items.is_empty() {
                return Err(bad("the list of attribute names is empty"));
            }
            Ok((items, false))
        }
        _ => Err(bad("give an attribute name or a list of names")),
    }
}

/// The items of a `*Many` write: `[{ name, value, expiration?, encrypt?, user_id? }]`.
fn items_arg(v: &Value) -> SsoResult<Vec<AttrItem>> {
    let Value::Array(a) = v else { return Err(bad("data must be a list of { name, value } objects")) };
    if a.is_empty() {
        return Err(SsoError::hidden(crate::error::Code::MissingInput, "data is empty"));
    }
    a.iter()
        .map(|item| {
            let Value::Object(m) = item else { return Err(bad("data must be a list of { name, value } objects")) };
            if let Some(k) = m.keys().find(|k| !["name", "value", "expiration", "encrypt", "user_id"].contains(&k.as_str())) {
                return Err(bad(format!("unknown key in an attribute item: {}", crate::input::shown_key(k))));
            }
            Ok(AttrItem {
                name: opt_string(m, "name", usize::MAX)?.unwrap_or_default(),
                value: m.get("value").cloned(),
                expiration: opt_int(m, "expiration")?,
                encrypt: opt_bool(m, "encrypt")?,
                user_id: opt_string(m, "user_id", usize::MAX)?,
            })
        })
        .collect()
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Runs operation `op` with positional `args`; the result is JSON (timestamps as Zato
    /// strings).
    pub async fn call(&self, op: &str, args: &[Value]) -> SsoResult<Value> {
        let cid_of = |a: &Args| a.opt_str(0);
        match op {
            "user.createSuperUser" => {
                let a = Args::new(op, args, &["cid", "data"])?;
                let mut data = a.object(1)?;
                let id = self.create_super_user(cid_of(&a)?.as_deref(), &mut data).await?;
                Ok(json!({ "user_id": id, "data": data }))
            }
            "user.createUser" => {
                let a = Args::new(op, args, &["cid", "data", "currentUst", "currentApp", "remoteAddr", "options"])?;
                let mut data = a.object(1)?;
                let o = a.options(5, &["autoApprove"])?;
                let opts = CreateOptions { auto_approve: opt_bool(&o, "autoApprove")?.unwrap_or(false) };
                self.create_user(cid_of(&a)?.as_deref(), &mut data, &a.str(2)?, &a.str(3)?, &a.str(4)?, opts).await?;
                Ok(Value::Object(data))
            }
            "user.getCurrentUser" => {
                let a = Args::new(op, args, &["cid", "currentUst", "currentApp", "remoteAddr"])?;
                Ok(Value::Object(self.get_current_user(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?).await?))
            }
            "user.getUserById" => {
                let a = Args::new(op, args, &["cid", "userId", "currentUst", "currentApp", "remoteAddr"])?;
                Ok(Value::Object(self.get_user_by_id(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, &a.str(4)?).await?))
            }
            "user.login" => {
                let a = Args::new(op, args, &["cid", "username", "password", "currentApp", "remoteAddr", "options"])?;
                let o = a.options(5, &["userAgent", "totpCode", "newPassword", "hasRemoteAddr", "hasUserAgent", "deviceToken"])?;
                let opts = LoginOptions {
                    user_agent: opt_string(&o, "userAgent", usize::MAX)?,
                    totp_code: opt_string(&o, "totpCode", usize::MAX)?,
                    new_password: opt_string(&o, "newPassword", usize::MAX)?,
                    has_remote_addr: opt_bool(&o, "hasRemoteAddr")?.unwrap_or(false),
                    has_user_agent: opt_bool(&o, "hasUserAgent")?.unwrap_or(false),
                    device_token: opt_string(&o, "deviceToken", usize::MAX)?,
                };
                // The password leaves memory when the call is done (Zeroizing wipes it on drop).
                let password = zeroize::Zeroizing::new(a.str(2)?);
                let r = self.login(cid_of(&a)?.as_deref(), &a.str(1)?, &password, &a.str(3)?, &a.str(4)?, opts).await?;
                Ok(json!({
                    "ust": r.ust, "user_id": r.user_id, "username": r.username,
                    "creation_time": time::format_zato(&r.creation_time), "expiration_time": time::format_zato(&r.expiration_time),
                    "has_w_about_to_exp": r.has_w_about_to_exp, "device_token": r.device_token,
                }))
            }
            "user.logout" => {
                let a = Args::new(op, args, &["cid", "ust", "currentApp", "remoteAddr"])?;
                self.logout(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?).await.map(|_| Value::Null)
            }
            "user.updateCurrentUser" => {
                let a = Args::new(op, args, &["cid", "data", "currentUst", "currentApp", "remoteAddr"])?;
                self.update_current_user(cid_of(&a)?.as_deref(), &a.object(1)?, &a.str(2)?, &a.str(3)?, &a.str(4)?).await.map(|_| Value::Null)
            }
            "user.updateUserById" => {
                let a = Args::new(op, args, &["cid", "userId", "data", "currentUst", "currentApp", "remoteAddr"])?;
                self.update_user_by_id(cid_of(&a)?.as_deref(), &a.str(1)?, &a.object(2)?, &a.str(3)?, &a.str(4)?, &a.str(5)?).await.map(|_| Value::Null)
            }
            "user.approveUser" | "user.rejectUser" | "user.lockUser" | "user.unlockUser" | "user.deleteUserById" | "user.deleteUserByUsername" => {
                let a = Args::new(op, args, &["cid", "userId", "currentUst", "currentApp", "remoteAddr"])?;
                let (cid, id, ust, app, addr) = (cid_of(&a)?, a.str(1)?, a.str(2)?, a.str(3)?, a.str(4)?);
                let cid = cid.as_deref();
                match op {
                    "user.approveUser" => self.approve_user(cid, &id, &ust, &app, &addr).await,
                    "user.rejectUser" => self.reject_user(cid, &id, &ust, &app, &addr).await,
                    "user.lockUser" => self.lock_user(cid, &id, &ust, &app, &addr).await,
                    "user.unlockUser" => self.unlock_user(cid, &id, &ust, &app, &addr).await,
                    "user.deleteUserById" => self.delete_user_by_id(cid, &id, &ust, &app, &addr).await,
                    _ => self.delete_user_by_username(cid, &id, &ust, &app, &addr).await,
                }
                .map(|_| Value::Null)
            }
            "user.changePassword" => {
                let a = Args::new(op, args, &["cid", "data", "currentUst", "currentApp", "remoteAddr"])?;
                self.change_password(cid_of(&a)?.as_deref(), &a.object(1)?, &a.str(2)?, &a.str(3)?, &a.str(4)?).await.map(|_| Value::Null)
            }
            "user.setPassword" => {
                let a = Args::new(op, args, &["cid", "userId", "password", "currentApp", "remoteAddr", "options"])?;
                let o = a.options(5, &["mustChange", "passwordExpiry"])?;
                let password = zeroize::Zeroizing::new(a.str(2)?);
                self.set_password(cid_of(&a)?.as_deref(), &a.str(1)?, &password, opt_bool(&o, "mustChange")?, opt_int(&o, "passwordExpiry")?, &a.str(3)?, &a.str(4)?)
                    .await
                    .map(|_| Value::Null)
            }
            "user.resetTotpKey" => {
                let a = Args::new(op, args, &["cid", "currentUst", "currentApp", "remoteAddr", "options"])?;
                let o = a.options(4, &["userId", "key", "keyLabel"])?;
                let key = self
                    .reset_totp_key(
                        cid_of(&a)?.as_deref(),
                        &a.str(1)?,
                        opt_string(&o, "userId", usize::MAX)?.as_deref(),
                        opt_string(&o, "key", usize::MAX)?.as_deref(),
                        opt_string(&o, "keyLabel", usize::MAX)?.as_deref(),
                        &a.str(2)?,
                        &a.str(3)?,
                    )
                    .await?;
                Ok(Value::String(key))
            }
            "user.search" => {
                let a = Args::new(op, args, &["cid", "criteria", "currentUst", "currentApp", "remoteAddr"])?;
                let criteria = if a.get(1).is_null() { Map::new() } else { a.object(1)? };
                Ok(Value::Object(self.search(cid_of(&a)?.as_deref(), &criteria, &a.str(2)?, &a.str(3)?, &a.str(4)?).await?))
            }
            "user.signup" => {
                let a = Args::new(op, args, &["cid", "data", "currentApp", "remoteAddr"])?;
                Ok(Value::String(self.signup(cid_of(&a)?.as_deref(), &a.object(1)?, &a.str(2)?, &a.str(3)?).await?))
            }
            "user.confirmSignup" => {
                let a = Args::new(op, args, &["cid", "confirmToken", "currentApp", "remoteAddr"])?;
                self.confirm_signup(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?).await.map(|_| Value::Null)
            }
            "totp.validateCode" => {
                let a = Args::new(op, args, &["cid", "code", "currentApp", "remoteAddr", "options"])?;
                let o = a.options(4, &["ust", "username"])?;
                let ok = self
                    .validate_code(cid_of(&a)?.as_deref(), &a.str(1)?, opt_string(&o, "ust", usize::MAX)?.as_deref(), opt_string(&o, "username", usize::MAX)?.as_deref(), &a.str(2)?, &a.str(3)?)
                    .await?;
                Ok(Value::Bool(ok))
            }
            "totp.provisioningUri" => {
                let a = Args::new(op, args, &["key", "account", "options"])?;
                let o = a.options(2, &["issuer"])?;
                Ok(Value::String(self.totp_provisioning_uri(&a.str(0)?, &a.str(1)?, opt_string(&o, "issuer", usize::MAX)?.as_deref())?))
            }
            "user.session.verify" => {
                let a = Args::new(op, args, &["cid", "targetUst", "currentUst", "currentApp", "remoteAddr"])?;
                Ok(Value::Bool(self.verify_session(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, &a.str(4)?).await?))
            }
            "user.session.renew" => {
                let a = Args::new(op, args, &["cid", "ust", "currentApp", "remoteAddr", "options"])?;
                let o = a.options(4, &["userAgent"])?;
                let t = self.renew_session(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, opt_string(&o, "userAgent", usize::MAX)?.as_deref()).await?;
                Ok(Value::String(time::format_zato(&t)))
            }
            "user.session.get" => {
                let a = Args::new(op, args, &["cid", "targetUst", "currentUst", "currentApp", "remoteAddr"])?;
                Ok(Value::Object(self.get_session(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, &a.str(4)?).await?))
            }
            "user.session.getList" => {
                let a = Args::new(op, args, &["cid", "ust", "targetUst", "currentUst", "currentApp", "remoteAddr"])?;
                let list = self
                    .get_session_list(cid_of(&a)?.as_deref(), a.opt_str(1)?.as_deref(), a.opt_str(2)?.as_deref(), a.opt_str(3)?.as_deref(), &a.str(4)?, &a.str(5)?)
                    .await?;
                Ok(Value::Array(list))
            }
            "passwordReset.createToken" => {
                let a = Args::new(op, args, &["cid", "credential", "currentApp", "remoteAddr", "options"])?;
                let o = a.options(4, &["userAgent"])?;
                self.create_reset_token(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, opt_string(&o, "userAgent", usize::MAX)?.as_deref()).await.map(|_| Value::Null)
            }
            "passwordReset.accessToken" => {
                let a = Args::new(op, args, &["cid", "token", "currentApp", "remoteAddr", "options"])?;
                let o = a.options(4, &["userAgent"])?;
                Ok(Value::String(self.access_reset_token(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, opt_string(&o, "userAgent", usize::MAX)?.as_deref()).await?))
            }
            "passwordReset.changePassword" => {
                let a = Args::new(op, args, &["cid", "newPassword", "token", "resetKey", "currentApp", "remoteAddr", "options"])?;
                let o = a.options(6, &["userAgent", "totpCode"])?;
                let (ua, code) = (opt_string(&o, "userAgent", usize::MAX)?, opt_string(&o, "totpCode", usize::MAX)?);
                let password = zeroize::Zeroizing::new(a.str(1)?);
                self.reset_password(cid_of(&a)?.as_deref(), &password, &a.str(2)?, &a.str(3)?, &a.str(4)?, &a.str(5)?, ua.as_deref(), code.as_deref())
                    .await
                    .map(|_| Value::Null)
            }
            "passwordExpirySweep" => {
                let a = Args::new(op, args, &["now"])?;
                let now = match a.get(0) {
                    Value::Null => None,
                    v => Some(v.as_i64().ok_or_else(|| bad("passwordExpirySweep: now must be milliseconds since the epoch"))?),
                };
                serde_json::to_value(self.password_expiry_sweep(now).await?).map_err(|_| SsoError::internal("the report could not be encoded"))
            }
            "reseal" => {
                Args::new(op, args, &[])?;
                let r = self.reseal().await?;
                serde_json::to_value(r).map_err(|_| SsoError::internal("the report could not be encoded"))
            }
            "cleanup" => {
                let a = Args::new(op, args, &["now"])?;
                let now = match a.get(0) {
                    Value::Null => None,
                    v => Some(v.as_i64().ok_or_else(|| bad("cleanup: now must be milliseconds since the epoch"))?),
                };
                let r = self.cleanup(now).await?;
                serde_json::to_value(r).map_err(|_| SsoError::internal("the report could not be encoded"))
            }
            _ if op.starts_with("user.attr.") || op.starts_with("user.session.attr.") => self.call_attr(op, args).await,
            _ if op.starts_with("admin.") => self.call_admin(op, args).await,
            "user.createLinkedAuth" | "user.deleteLinkedAuth" | "user.getLinkedAuthList" | "user.getUserByLinkedAuth" | "linked.externalSession" => {
                self.call_linked(op, args).await
            }
            _ => Err(bad(format!("unknown operation: {}", op.chars().take(60).collect::<String>()))),
        }
    }

    /// The trusted `admin.*` operations (src/admin): no UST, for the operator's code only.
    async fn call_admin(&self, op: &str, args: &[Value]) -> SsoResult<Value> {
        let cid_of = |a: &Args| a.opt_str(0);
        let login_json = |r: crate::session::login::LoginResult| {
            json!({
                "ust": r.ust, "user_id": r.user_id, "username": r.username,
                "creation_time": time::format_zato(&r.creation_time), "expiration_time": time::format_zato(&r.expiration_time),
                "has_w_about_to_exp": r.has_w_about_to_exp, "device_token": r.device_token,
            })
        };
        match op {
            "admin.findUser" => {
                let a = Args::new(op, args, &["cid", "username"])?;
                Ok(self.admin_find_user(cid_of(&a)?.as_deref(), &a.str(1)?).await?.map(Value::Object).unwrap_or(Value::Null))
            }
            "admin.createUser" => {
                let a = Args::new(op, args, &["cid", "data", "options"])?;
                let mut data = a.object(1)?;
                let o = a.options(2, &["superUser"])?;
                let id = self.admin_create_user(cid_of(&a)?.as_deref(), &mut data, opt_bool(&o, "superUser")?.unwrap_or(false)).await?;
                Ok(json!({ "user_id": id, "data": data }))
            }
            "admin.lockUser" | "admin.unlockUser" => {
                let a = Args::new(op, args, &["cid", "userId", "options"])?;
                let locked = op == "admin.lockUser";
                let o = a.options(2, if locked { &["lockedBy"] } else { &[] })?;
                let by = opt_string(&o, "lockedBy", usize::MAX)?;
                self.admin_set_locked(cid_of(&a)?.as_deref(), &a.str(1)?, locked, by.as_deref()).await.map(|_| Value::Null)
            }
            "admin.deleteUser" => {
                let a = Args::new(op, args, &["cid", "userId"])?;
                self.admin_delete_user(cid_of(&a)?.as_deref(), &a.str(1)?).await.map(|_| Value::Null)
            }
            "admin.login" => {
                let a = Args::new(op, args, &["cid", "username", "options"])?;
                let o = a.options(2, &["currentApp", "remoteAddr", "userAgent"])?;
                let addr = opt_string(&o, "remoteAddr", usize::MAX)?.unwrap_or_else(|| "127.0.0.1".into());
                let (app, ua) = (opt_string(&o, "currentApp", usize::MAX)?, opt_string(&o, "userAgent", usize::MAX)?);
                self.admin_login(cid_of(&a)?.as_deref(), &a.str(1)?, app.as_deref(), &addr, ua.as_deref()).await.map(login_json)
            }
            "admin.logout" => {
                let a = Args::new(op, args, &["cid", "ust"])?;
                self.logout(cid_of(&a)?.as_deref(), &a.str(1)?, crate::admin::CLI_APP, "").await.map(|_| Value::Null)
            }
            "admin.setPassword" => {
                let a = Args::new(op, args, &["cid", "userId", "password", "options"])?;
                let o = a.options(3, &["mustChange", "expiryDays"])?;
                let password = zeroize::Zeroizing::new(a.str(2)?);
                let days = opt_int(&o, "expiryDays")?;
                if days.is_some_and(|d| !(1..=36_500).contains(&d)) {
                    return Err(bad("admin.setPassword: expiryDays must be 1 to 36500"));
                }
                self.admin_set_password(cid_of(&a)?.as_deref(), &a.str(1)?, &password, opt_bool(&o, "mustChange")?, days).await.map(|_| Value::Null)
            }
            "admin.resetTotpKey" => {
                let a = Args::new(op, args, &["cid", "userId", "options"])?;
                let o = a.options(2, &["key", "keyLabel"])?;
                let (key, label) = (opt_string(&o, "key", usize::MAX)?, opt_string(&o, "keyLabel", usize::MAX)?);
                let key = zeroize::Zeroizing::new(key);
                Ok(Value::String(self.admin_reset_totp_key(cid_of(&a)?.as_deref(), &a.str(1)?, key.as_deref(), label.as_deref()).await?))
            }
            "admin.importUser" => {
                let a = Args::new(op, args, &["cid", "record", "options"])?;
                let o = a.options(2, &["update"])?;
                let (id, what) = self.admin_import_user(cid_of(&a)?.as_deref(), &a.object(1)?, opt_bool(&o, "update")?.unwrap_or(false)).await?;
                Ok(json!({ "user_id": id, "result": what.as_str() }))
            }
            _ => Err(bad(format!("unknown operation: {}", op.chars().take(60).collect::<String>()))),
        }
    }

    /// Linked authentication (src/linked, spec §3.18).
    async fn call_linked(&self, op: &str, args: &[Value]) -> SsoResult<Value> {
        let cid_of = |a: &Args| a.opt_str(0);
        match op {
            "user.createLinkedAuth" => {
                let a = Args::new(op, args, &["cid", "ust", "userId", "authType", "authUsername", "isActive", "currentApp", "remoteAddr"])?;
                let is_active = match a.get(5) {
                    Value::Null => true,
                    Value::Bool(b) => *b,
                    _ => return Err(bad("user.createLinkedAuth: isActive must be a boolean")),
                };
                let (user_id, auth_id) = self
                    .create_linked_auth(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, &a.str(4)?, is_active, &a.str(6)?, &a.str(7)?)
                    .await?;
                Ok(json!({ "user_id": user_id, "auth_id": auth_id }))
            }
            "user.deleteLinkedAuth" => {
                let a = Args::new(op, args, &["cid", "ust", "userId", "authType", "authUsername", "currentApp", "remoteAddr"])?;
                self.delete_linked_auth(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, &a.str(4)?, &a.str(5)?, &a.str(6)?)
                    .await
                    .map(|_| Value::Null)
            }
            "user.getUserByLinkedAuth" => {
                let a = Args::new(op, args, &["cid", "ust", "authType", "authUsername", "currentApp", "remoteAddr"])?;
                Ok(Value::Object(self.get_user_by_linked_auth(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, &a.str(4)?, &a.str(5)?).await?))
            }
            "user.getLinkedAuthList" => {
                let a = Args::new(op, args, &["cid", "ust", "currentApp", "remoteAddr", "userId"])?;
                let user_id = a.opt_str(4)?;
                Ok(Value::Array(self.get_linked_auth_list(cid_of(&a)?.as_deref(), &a.str(1)?, &a.str(2)?, &a.str(3)?, user_id.as_deref()).await?))
            }
            _ => {
                // linked.externalSession(cid, proof, currentApp, remoteAddr, options): called by
                // the package's `authenticate` once it has checked a JWT's signature.
                let a = Args::new(op, args, &["cid", "proof", "currentApp", "remoteAddr", "options"])?;
                let p = a.object(1)?;
                let o = a.options(4, &["userAgent", "totpCode"])?;
                let kind = opt_string(&p, "type", 32)?.unwrap_or_default();
                let username = opt_string(&p, "username", usize::MAX)?.unwrap_or_default();
                let secret = zeroize::Zeroizing::new(opt_string(&p, if kind == "jwt" { "tokenSha256" } else { "password" }, usize::MAX)?.unwrap_or_default());
                if let Some(k) = p.keys().find(|k| !["type", "username", "password", "tokenSha256"].contains(&k.as_str())) {
                    return Err(bad(format!("linked.externalSession: unknown key in proof: {}", crate::input::shown_key(k))));
                }
                let proof = match kind.as_str() {
                    "basic_auth" => crate::linked::external::Proof::Basic { username: &username, password: &secret },
                    "jwt" => crate::linked::external::Proof::Jwt { username: &username, token_sha256: &secret },
                    _ => return Err(bad("linked.externalSession: proof.type must be basic_auth or jwt")),
                };
                let code = zeroize::Zeroizing::new(opt_string(&o, "totpCode", usize::MAX)?);
                let ua = opt_string(&o, "userAgent", usize::MAX)?;
                let r = self.external_session(cid_of(&a)?.as_deref(), proof, &a.str(2)?, &a.str(3)?, ua.as_deref(), code.as_deref()).await?;
                Ok(json!({ "ust": r.ust, "user_id": r.user_id, "expiration_time": time::format_zato(&r.expiration_time), "renewed": r.renewed }))
            }
        }
    }

    /// `user.attr.*(cid, <inputs>, currentUst, currentApp, remoteAddr, options)`; the session
    /// variants take `targetUst` before `currentUst`.
    async fn call_attr(&self, op: &str, args: &[Value]) -> SsoResult<Value> {
        let session = op.starts_with("user.session.attr.");
        let method = op.rsplit('.').next().unwrap_or_default();
        let (inputs, attr_op): (&[&str], AttrOp) = match method {
            "create" | "update" | "set" => (&["name", "value"], match method { "create" => AttrOp::Create, "update" => AttrOp::Update, _ => AttrOp::Set }),
            "createMany" | "updateMany" | "setMany" => (&["data"], match method { "createMany" => AttrOp::Create, "updateMany" => AttrOp::Update, _ => AttrOp::Set }),
            "get" | "getMany" => (&["name"], AttrOp::Get),
            "exists" | "existsMany" => (&["name"], AttrOp::Exists),
            "delete" | "deleteMany" => (&["name"], AttrOp::Delete),
            "names" => (&[], AttrOp::Names),
            "toDict" => (&[], AttrOp::ToDict),
            "setExpiry" => (&["name", "expiration"], AttrOp::SetExpiry),
            "setExpiryMany" => (&["data"], AttrOp::SetExpiry),
            _ => return Err(bad(format!("unknown operation: {}", op.chars().take(60).collect::<String>()))),
        };
        let mut names: Vec<&str> = vec!["cid"];
        names.extend_from_slice(inputs);
        if session {
            names.push("targetUst");
        }
        names.extend_from_slice(&["currentUst", "currentApp", "remoteAddr", "options"]);
        let a = Args::new(op, args, &names)?;
        let n = inputs.len();
        let tail = 1 + n + usize::from(session);
        let o = a.options(tail + 3, &["expiration", "encrypt", "decrypt", "userId"])?;
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
        let target = if session { AttrTarget::Session(a.str(1 + n)?) } else { AttrTarget::User(opt_string(&o, "userId", usize::MAX)?) };
        let call = AttrCall {
            op: attr_op,
            target,
            items,
            single,
            expiration: opt_int(&o, "expiration")?,
            encrypt: opt_bool(&o, "encrypt")?.unwrap_or(false),
            decrypt: opt_bool(&o, "decrypt")?.unwrap_or(true),
        };
        self.attr(a.opt_str(0)?.as_deref(), call, &a.str(tail)?, &a.str(tail + 1)?, &a.str(tail + 2)?).await
    }
}
