//! The operation table: every public operation by its JavaScript name, declared once.
//!
//! Each entry gives the name, the handler (in `handlers.rs`), the positional arguments in the
//! Python API's order (`cid` first, the inputs, then `currentUst`, `currentApp`, `remoteAddr`,
//! then `options` for keyword arguments), the option names, and how the package shapes the
//! result. From it come `OPERATIONS`, the dispatch of `Sso::call` (argument count and option
//! names checked before any handler runs) and `manifest()`, which the package builds its
//! methods from (pkg/lib/sso.js) and which a test checks `pkg/index.d.ts` against.
//!
//! Adding an operation: one line here, one handler, its tests (CONTRIBUTING.md).

mod handlers;

use serde_json::{json, Map, Value};

use crate::attr::AttrItem;
use crate::audit::Audit;
use crate::caller::{Caller, SessionCaller};
use crate::error::bad;
use crate::error::{SsoError, SsoResult, ALL_CODES};
use crate::hooks::Hooks;
use crate::input::{opt_bool, opt_int, opt_string};
use crate::sso::Sso;
use crate::store::Store;

/// How the package turns a result into what its method resolves to (pkg/lib/sso.js `shapes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// As it comes.
    Value,
    /// `undefined`.
    Void,
    /// Zato timestamps (`*_time`, `password_*`) as `Date`s, at any depth.
    Dates,
    /// A `User`.
    User,
    /// A `User`, or `null`.
    UserOrNull,
    /// `undefined`; the `data` argument is enriched in place with the result.
    Enrich,
    /// The new `user_id`; the `data` argument is enriched in place with `data` of the result.
    EnrichId,
    /// Search results: rows as `User`s.
    Search,
    /// An attribute call: an entity, a map of them, or a list of names (spec §3.17).
    Attr,
    /// One Zato timestamp as a `Date`.
    Date,
    /// `{ session, user }`: the session's timestamps as `Date`s, the user a `User`.
    Current,
    /// Used by the package itself (`authenticate`), not a method of its own.
    Internal,
}

impl Shape {
    /// The name pkg/lib/sso.js knows the shape by.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Value => "value",
            Shape::Void => "void",
            Shape::Dates => "dates",
            Shape::User => "user",
            Shape::UserOrNull => "userOrNull",
            Shape::Enrich => "enrich",
            Shape::EnrichId => "enrichId",
            Shape::Search => "search",
            Shape::Attr => "attr",
            Shape::Date => "date",
            Shape::Current => "current",
            Shape::Internal => "internal",
        }
    }
}

/// One entry of the table.
#[derive(Debug, Clone, Copy)]
pub struct OperationSpec {
    /// The JavaScript name: `user.login` is `sso.user.login`.
    pub name: &'static str,
    /// Positional arguments; `options`, when there, is the last.
    pub args: &'static [&'static str],
    /// The keys the options object may hold.
    pub options: &'static [&'static str],
    /// What the package makes of the result.
    pub shape: Shape,
}

macro_rules! operations {
    ($( $name:literal => $handler:ident [$($arg:literal),*] [$($opt:literal),*] $shape:ident; )*) => {
        /// Every operation of the table.
        pub const OPERATION_TABLE: &[OperationSpec] =
            &[$( OperationSpec { name: $name, args: &[$($arg),*], options: &[$($opt),*], shape: Shape::$shape } ),*];

        /// Every operation name `call` accepts.
        pub const OPERATIONS: &[&str] = &[$($name),*];

        impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
            /// Runs operation `op` with positional `args`; the result is JSON (timestamps as
            /// Zato strings). A wrong number of arguments, a wrong type, a missing object or an
            /// unknown option is E008002.
            pub async fn call(&self, op: &str, args: &[Value]) -> SsoResult<Value> {
                match op {
                    $( $name => {
                        let a = Args::new(op, args, &[$($arg),*])?;
                        let o = a.trailing_options(&[$($opt),*])?;
                        self.$handler(&a, &o).await
                    } )*
                    _ => Err(bad(format!("unknown operation: {}", op.chars().take(60).collect::<String>()))),
                }
            }
        }
    };
}

operations! {
    // Users (spec §3.1–§3.12)
    "user.createSuperUser" => op_create_super_user ["cid", "data"] [] EnrichId;
    "user.createUser" => op_create_user ["cid", "data", "currentUst", "currentApp", "remoteAddr", "options"] ["autoApprove"] Enrich;
    "user.getCurrentUser" => op_get_current_user ["cid", "currentUst", "currentApp", "remoteAddr"] [] User;
    "user.getUserById" => op_get_user_by_id ["cid", "userId", "currentUst", "currentApp", "remoteAddr"] [] User;
    "user.login" => op_login ["cid", "username", "password", "currentApp", "remoteAddr", "options"]
        ["userAgent", "totpCode", "newPassword", "hasRemoteAddr", "hasUserAgent", "deviceToken"] Dates;
    "user.logout" => op_logout ["cid", "ust", "currentApp", "remoteAddr"] [] Void;
    "user.updateCurrentUser" => op_update_current_user ["cid", "data", "currentUst", "currentApp", "remoteAddr"] [] Void;
    "user.updateUserById" => op_update_user_by_id ["cid", "userId", "data", "currentUst", "currentApp", "remoteAddr"] [] Void;
    "user.approveUser" => op_approve_user ["cid", "userId", "currentUst", "currentApp", "remoteAddr"] [] Void;
    "user.rejectUser" => op_reject_user ["cid", "userId", "currentUst", "currentApp", "remoteAddr"] [] Void;
    "user.lockUser" => op_lock_user ["cid", "userId", "currentUst", "currentApp", "remoteAddr"] [] Void;
    "user.unlockUser" => op_unlock_user ["cid", "userId", "currentUst", "currentApp", "remoteAddr"] [] Void;
    "user.deleteUserById" => op_delete_user_by_id ["cid", "userId", "currentUst", "currentApp", "remoteAddr"] [] Void;
    "user.deleteUserByUsername" => op_delete_user_by_username ["cid", "username", "currentUst", "currentApp", "remoteAddr"] [] Void;
    "user.changePassword" => op_change_password ["cid", "data", "currentUst", "currentApp", "remoteAddr"] [] Void;
    "user.setPassword" => op_set_password ["cid", "userId", "password", "currentApp", "remoteAddr", "options"] ["mustChange", "passwordExpiry"] Void;
    "user.resetTotpKey" => op_reset_totp_key ["cid", "currentUst", "currentApp", "remoteAddr", "options"] ["userId", "key", "keyLabel"] Value;
    "user.search" => op_search ["cid", "criteria", "currentUst", "currentApp", "remoteAddr"] [] Search;
    "user.signup" => op_signup ["cid", "data", "currentApp", "remoteAddr"] [] Value;
    "user.confirmSignup" => op_confirm_signup ["cid", "confirmToken", "currentApp", "remoteAddr"] [] Void;
    // Linked authentication (spec §3.18)
    "user.createLinkedAuth" => op_create_linked_auth
        ["cid", "ust", "userId", "authType", "authUsername", "isActive", "currentApp", "remoteAddr"] [] Value;
    "user.deleteLinkedAuth" => op_delete_linked_auth ["cid", "ust", "userId", "authType", "authUsername", "currentApp", "remoteAddr"] [] Void;
    "user.getLinkedAuthList" => op_get_linked_auth_list ["cid", "ust", "currentApp", "remoteAddr", "userId"] [] Dates;
    "user.getUserByLinkedAuth" => op_get_user_by_linked_auth ["cid", "ust", "authType", "authUsername", "currentApp", "remoteAddr"] [] User;
    "linked.externalSession" => op_external_session ["cid", "proof", "currentApp", "remoteAddr", "options"] ["userAgent", "totpCode"] Internal;
    // TOTP (spec §3.15)
    "totp.validateCode" => op_validate_code ["cid", "code", "currentApp", "remoteAddr", "options"] ["ust", "username"] Value;
    "totp.provisioningUri" => op_provisioning_uri ["key", "account", "options"] ["issuer"] Value;
    // Sessions (spec §3.13, §3.14)
    "user.session.verify" => op_session_verify ["cid", "targetUst", "currentUst", "currentApp", "remoteAddr"] [] Value;
    "user.session.renew" => op_session_renew ["cid", "ust", "currentApp", "remoteAddr", "options"] ["userAgent"] Date;
    "user.session.getCurrent" => op_session_get_current ["cid", "currentUst", "currentApp", "remoteAddr"] [] Current;
    "user.session.get" => op_session_get ["cid", "targetUst", "currentUst", "currentApp", "remoteAddr"] [] Dates;
    "user.session.getList" => op_session_get_list ["cid", "ust", "targetUst", "currentUst", "currentApp", "remoteAddr"] [] Dates;
    "user.session.getListByUserId" => op_session_get_list_by_user_id ["cid", "userId", "currentUst", "currentApp", "remoteAddr"] [] Dates;
    "user.session.endById" => op_session_end_by_id ["cid", "userId", "sessionId", "currentUst", "currentApp", "remoteAddr"] [] Void;
    // Attributes (spec §3.17): every method of a user's, then of a session's.
    "user.attr.create" => op_attr ["cid", "name", "value", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.createMany" => op_attr ["cid", "data", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.update" => op_attr ["cid", "name", "value", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.updateMany" => op_attr ["cid", "data", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.set" => op_attr ["cid", "name", "value", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.setMany" => op_attr ["cid", "data", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.get" => op_attr ["cid", "name", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.getMany" => op_attr ["cid", "name", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.exists" => op_attr ["cid", "name", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.existsMany" => op_attr ["cid", "name", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.names" => op_attr ["cid", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.delete" => op_attr ["cid", "name", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.deleteMany" => op_attr ["cid", "name", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.setExpiry" => op_attr ["cid", "name", "expiration", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.setExpiryMany" => op_attr ["cid", "data", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.attr.toDict" => op_attr ["cid", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.create" => op_attr ["cid", "name", "value", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.createMany" => op_attr ["cid", "data", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.update" => op_attr ["cid", "name", "value", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.updateMany" => op_attr ["cid", "data", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.set" => op_attr ["cid", "name", "value", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.setMany" => op_attr ["cid", "data", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.get" => op_attr ["cid", "name", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.getMany" => op_attr ["cid", "name", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.exists" => op_attr ["cid", "name", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.existsMany" => op_attr ["cid", "name", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.names" => op_attr ["cid", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.delete" => op_attr ["cid", "name", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.deleteMany" => op_attr ["cid", "name", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.setExpiry" => op_attr ["cid", "name", "expiration", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.setExpiryMany" => op_attr ["cid", "data", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    "user.session.attr.toDict" => op_attr ["cid", "targetUst", "currentUst", "currentApp", "remoteAddr", "options"] ["expiration", "encrypt", "decrypt", "userId"] Attr;
    // Password reset (spec §6)
    "passwordReset.createToken" => op_reset_create_token ["cid", "credential", "currentApp", "remoteAddr", "options"] ["userAgent"] Void;
    "passwordReset.accessToken" => op_reset_access_token ["cid", "token", "currentApp", "remoteAddr", "options"] ["userAgent"] Value;
    "passwordReset.changePassword" => op_reset_change_password
        ["cid", "newPassword", "token", "resetKey", "currentApp", "remoteAddr", "options"] ["userAgent", "totpCode"] Void;
    // Housekeeping (spec §3.19) and key rotation
    "cleanup" => op_cleanup ["now"] [] Value;
    "passwordExpirySweep" => op_password_expiry_sweep ["now"] [] Value;
    "reseal" => op_reseal [] [] Value;
    "policy" => op_policy [] [] Value;
    // Trusted operations (src/admin, spec §8.4)
    "admin.findUser" => op_admin_find_user ["cid", "username"] [] UserOrNull;
    "admin.createUser" => op_admin_create_user ["cid", "data", "options"] ["superUser"] EnrichId;
    "admin.lockUser" => op_admin_lock_user ["cid", "userId", "options"] ["lockedBy"] Void;
    "admin.unlockUser" => op_admin_unlock_user ["cid", "userId"] [] Void;
    "admin.deleteUser" => op_admin_delete_user ["cid", "userId"] [] Void;
    "admin.login" => op_admin_login ["cid", "username", "options"] ["currentApp", "remoteAddr", "userAgent"] Dates;
    "admin.logout" => op_admin_logout ["cid", "ust"] [] Void;
    "admin.setPassword" => op_admin_set_password ["cid", "userId", "password", "options"] ["mustChange", "expiryDays"] Void;
    "admin.resetTotpKey" => op_admin_reset_totp_key ["cid", "userId", "options"] ["key", "keyLabel"] Value;
    "admin.importUser" => op_admin_import_user ["cid", "record", "options"] ["update"] Value;
}

/// Limits the package checks before the wasm sees an argument (pkg/lib/sso.js reads them
/// from the manifest, so Rust and JavaScript never disagree).
pub mod limits {
    /// Nesting of an argument: the wasm converts recursively, and deeper input could
    /// exhaust its stack (serde_json stops at 128 too).
    pub const MAX_DEPTH: usize = 128;
    /// Arrays, objects and their members in one argument.
    pub const MAX_NODES: usize = 1_000_000;
    /// A REST request body.
    pub const MAX_BODY_BYTES: usize = crate::rest::MAX_BODY_BYTES;
}

/// The table, the codes and the limits as data: what the package builds its methods from.
pub fn manifest() -> Value {
    let operations: Vec<Value> =
        OPERATION_TABLE.iter().map(|o| json!({ "name": o.name, "args": o.args, "options": o.options, "shape": o.shape.as_str() })).collect();
    let codes: Vec<Value> = ALL_CODES.iter().map(|c| json!({ "code": c.as_str(), "name": c.name() })).collect();
    json!({
        "operations": operations,
        "codes": codes,
        "limits": { "max_depth": limits::MAX_DEPTH, "max_nodes": limits::MAX_NODES, "max_body_bytes": limits::MAX_BODY_BYTES },
        "time_fields": crate::time::TIME_FIELDS,
    })
}

/// Positional arguments of one call, named by the table.
pub(crate) struct Args<'a> {
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
        Ok(self.text(i)?.to_string())
    }
    /// A string as given (borrowed); null/undefined is "".
    fn text(&self, i: usize) -> SsoResult<&'a str> {
        match self.v.get(i) {
            None | Some(Value::Null) => Ok(""),
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(bad(format!("{}: {} must be a string", self.op, self.name(i)))),
        }
    }
    /// The correlation id, the first argument of every operation that has one.
    fn cid(&self) -> SsoResult<Option<&'a str>> {
        match self.v.first() {
            None | Some(Value::Null) => Ok(None),
            _ => self.text(0).map(Some),
        }
    }
    /// An operation's caller without a session: `cid` (read first, as the first argument),
    /// `currentApp` at `i` and `remoteAddr` after it.
    fn caller(&self, cid: Option<&'a str>, i: usize) -> SsoResult<Caller<'a>> {
        Ok(Caller { cid, current_app: self.text(i)?, remote_addr: self.text(i + 1)? })
    }
    /// An operation's caller with its session: the UST at `i` (`currentUst`, or `ust` where
    /// the caller acts on itself), then `currentApp` and `remoteAddr`.
    fn session_caller(&self, cid: Option<&'a str>, i: usize) -> SsoResult<SessionCaller<'a>> {
        let ust = self.text(i)?;
        Ok(self.caller(cid, i + 1)?.with_ust(ust))
    }
    fn object(&self, i: usize) -> SsoResult<Map<String, Value>> {
        match self.get(i) {
            Value::Object(m) => Ok(m.clone()),
            _ => Err(bad(format!("{}: {} must be an object", self.op, self.name(i)))),
        }
    }
    /// Milliseconds since the epoch, or null for "now".
    fn millis(&self, i: usize) -> SsoResult<Option<i64>> {
        match self.get(i) {
            Value::Null => Ok(None),
            v => v.as_i64().map(Some).ok_or_else(|| bad(format!("{}: {} must be milliseconds since the epoch", self.op, self.name(i)))),
        }
    }
    /// The trailing `options` object (the last argument when the table names one): only
    /// `allowed` keys.
    fn trailing_options(&self, allowed: &[&str]) -> SsoResult<Map<String, Value>> {
        let Some(i) = self.names.iter().position(|n| *n == "options") else { return Ok(Map::new()) };
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
                .map(|n| {
                    n.as_str().map(|s| AttrItem { name: s.to_string(), ..Default::default() }).ok_or_else(|| bad("attribute names must be strings"))
                })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is the one place an operation is declared: no name twice, `options` only
    /// last and only with option names, `cid` first wherever there is one.
    #[test]
    fn the_table_is_consistent() {
        for (i, op) in OPERATION_TABLE.iter().enumerate() {
            assert!(!OPERATION_TABLE[..i].iter().any(|o| o.name == op.name), "{} twice", op.name);
            let at = op.args.iter().position(|a| *a == "options");
            assert_eq!(at.is_some(), !op.options.is_empty(), "{}: options argument and option names go together", op.name);
            if let Some(at) = at {
                assert_eq!(at, op.args.len() - 1, "{}: options is the last argument", op.name);
            }
            assert!(op.args.iter().skip(1).all(|a| *a != "cid"), "{}: cid is first", op.name);
        }
        assert_eq!(manifest()["operations"].as_array().map(Vec::len), Some(OPERATIONS.len()));
    }
}
