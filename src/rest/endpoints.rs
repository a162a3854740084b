//! The endpoints of spec §8.2.

use serde_json::{json, Map, Value};

use super::input::{coerce_bool, Input};
use super::{Deferred, Hiding, HttpRequest, Outcome, Reject};
use crate::attr::{AttrCall, AttrItem, AttrOp, AttrTarget};
use crate::audit::Audit;
use crate::caller::Caller;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::session::login::LoginOptions;
use crate::sso::Sso;
use crate::store::Store;
use crate::time;
use crate::user::create::CreateOptions;
use crate::user::update::{SELF_KEYS, SUPER_USER_KEYS};

const PASSWORD_RESET: &str = "password/reset";

/// What a regular user's GET returns (spec §8.2).
const REGULAR_GET: [&str; 8] = ["username", "email", "display_name", "first_name", "middle_name", "last_name", "is_totp_enabled", "totp_label"];

fn ok(fields: Map<String, Value>) -> Outcome {
    Ok((fields, "ok", vec![]))
}

fn none() -> Outcome {
    ok(Map::new())
}

fn specific(e: SsoError) -> (Reject, Hiding) {
    (Reject::Sso(e), Hiding::Specific)
}

fn honour(e: SsoError) -> (Reject, Hiding) {
    (Reject::Sso(e), Hiding::Honour)
}

fn input_err(r: Reject) -> (Reject, Hiding) {
    (r, Hiding::Specific)
}

fn fields(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn keep(mut m: Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    m.retain(|k, _| names.contains(&k.as_str()));
    m
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// `origin`: the request's cid, its checked `current_app` and the connection's address.
    pub(crate) async fn endpoint(
        &self,
        origin: Caller<'_>,
        endpoint: &str,
        method: &str,
        input: &Input,
        req: &HttpRequest<'_>,
        deferred: &mut Option<Deferred>,
    ) -> Outcome {
        let Caller { current_app: app, remote_addr: addr, .. } = origin;
        let s = |k: &str| input.opt_str(k).map_err(input_err);
        let r = |k: &str| input.req_str(k).map_err(input_err);
        match (endpoint, method) {
            ("user/login", _) => {
                let (username, password) = (r("username")?, r("password")?);
                let override_addr = s("remote_addr")?;
                let ua_input = s("user_agent")?;
                // Spec §10 O-4: the overrides are honoured only for apps allowed to send login
                // metadata. Elsewhere C7 refuses the login (E006001), and until it does the
                // connection's own address is what throttling, the allow list and the audit see,
                // so no client can charge its failures to another address.
                let metadata_allowed = self.config.apps.login_metadata_allowed.contains(app);
                let header_ua = req.user_agent.map(str::to_string);
                let opts = LoginOptions {
                    user_agent: if metadata_allowed { ua_input.clone().or(header_ua) } else { header_ua },
                    totp_code: s("totp_code")?,
                    new_password: s("new_password")?,
                    has_remote_addr: override_addr.is_some(),
                    has_user_agent: ua_input.is_some(),
                    device_token: s("device_token")?,
                };
                let addr = if metadata_allowed { override_addr.as_deref().unwrap_or(addr) } else { addr };
                let res = self.login(&Caller { remote_addr: addr, ..origin }, &username, &password, opts).await.map_err(honour)?;
                let out = fields(vec![("ust", Value::String(res.ust)), ("device_token", Value::String(res.device_token))]);
                if res.has_w_about_to_exp {
                    return Ok((out, "warning", vec![Code::PasswordWAboutToExp.as_str()]));
                }
                ok(out)
            }
            // Always ok, so that callers cannot probe which USTs are valid.
            ("user/logout", _) => {
                let ust = r("ust")?;
                let _ = self.logout(&origin.with_ust(&ust)).await;
                none()
            }
            ("user", "GET") => {
                let ust = r("ust")?;
                let mut user = match s("user_id")?.filter(|u| !u.is_empty()) {
                    Some(id) => self.get_user_by_id(&origin.with_ust(&ust), &id).await,
                    None => self.get_current_user(&origin.with_ust(&ust)).await,
                }
                .map_err(specific)?;
                user.remove("totp_key");
                if !user.contains_key("is_super_user") {
                    user = keep(user, &REGULAR_GET);
                }
                ok(user)
            }
            ("user", "POST") => {
                let ust = r("ust")?;
                r("username")?;
                // The user's fields as the route declares them; an empty TOTP key is none.
                let mut data = input.declared_map(&["ust", "auto_approve", "totp_key"]).map_err(input_err)?;
                if let Some(k) = s("totp_key")?.filter(|k| !k.is_empty()) {
                    data.insert("totp_key".into(), Value::String(k));
                }
                let opts = CreateOptions { auto_approve: input.opt_bool("auto_approve").map_err(input_err)?.unwrap_or(false) };
                self.create_user(&origin.with_ust(&ust), &mut data, opts).await.map_err(specific)?;
                // The route's answer fields are what leaves (src/rest/table.rs CREATE_ANSWER).
                ok(data)
            }
            ("user", "PATCH") => {
                let ust = r("ust")?;
                let mut data = Map::new();
                for k in SELF_KEYS.iter().chain(SUPER_USER_KEYS.iter()).filter(|k| input.in_body(k)) {
                    let Some(v) = input.raw(k).map_err(input_err)? else { continue };
                    let v = match *k {
                        "is_locked" | "password_must_change" | "is_totp_enabled" | "is_rate_limit_active" => {
                            if v.is_null() {
                                continue;
                            }
                            Value::Bool(coerce_bool(v).ok_or_else(|| input_err(Reject::BadRequest(format!("{k} must be a boolean"))))?)
                        }
                        "password_expiry" if v.is_null() => continue,
                        _ => v.clone(),
                    };
                    data.insert(k.to_string(), v);
                }
                match s("user_id")?.filter(|u| !u.is_empty()) {
                    // Spec §10 O-38: no re-read through the super-user path afterwards.
                    Some(id) => self.update_user_by_id(&origin.with_ust(&ust), &id, &data).await,
                    None => self.update_current_user(&origin.with_ust(&ust), &data).await,
                }
                .map_err(specific)?;
                none()
            }
            ("user", "DELETE") => {
                let (ust, id) = (r("ust")?, r("user_id")?);
                self.delete_user_by_id(&origin.with_ust(&ust), &id).await.map_err(specific)?;
                none()
            }
            ("user/password", "PATCH") => {
                let (ust, new_password) = (r("ust")?, r("new_password")?);
                let mut data = Map::new();
                data.insert("new_password".into(), Value::String(new_password));
                // A missing old password is a random one: it matches nothing.
                let old = match s("old_password")? {
                    Some(o) => o,
                    None => crate::crypto::ids::secret(192).unwrap_or_else(|_| "-".repeat(32)),
                };
                data.insert("old_password".into(), Value::String(old));
                if let Some(id) = s("user_id")?.filter(|u| !u.is_empty()) {
                    data.insert("user_id".into(), Value::String(id));
                }
                if let Some(days) = input.opt_int("password_expiry").map_err(input_err)? {
                    data.insert("password_expiry".into(), json!(days));
                }
                // Spec §10 O-12, as the Python API: `must_change`, or its alias
                // `password_must_change` (both at once is bad input, decided by the core).
                for key in ["must_change", "password_must_change"] {
                    if let Some(b) = input.opt_bool(key).map_err(input_err)? {
                        data.insert(key.into(), Value::Bool(b));
                    }
                }
                self.change_password(&origin.with_ust(&ust), &data).await.map_err(specific)?;
                none()
            }
            ("user/totp", "PATCH") => {
                let (ust, key, label) = (r("ust")?, r("totp_key")?, r("totp_label")?);
                let id = s("user_id")?;
                let key = self.reset_totp_key(&origin.with_ust(&ust), id.as_deref(), Some(&key), Some(&label)).await.map_err(specific)?;
                ok(fields(vec![("totp_key", Value::String(key))]))
            }
            ("user/lock", "POST" | "DELETE") => {
                let (ust, id) = (r("ust")?, r("user_id")?);
                if method == "POST" {
                    self.lock_user(&origin.with_ust(&ust), &id).await
                } else {
                    self.unlock_user(&origin.with_ust(&ust), &id).await
                }
                .map_err(specific)?;
                none()
            }
            ("user/approve" | "user/reject", "POST") => {
                let (ust, id) = (r("ust")?, r("user_id")?);
                if endpoint == "user/approve" {
                    self.approve_user(&origin.with_ust(&ust), &id).await
                } else {
                    self.reject_user(&origin.with_ust(&ust), &id).await
                }
                .map_err(specific)?;
                none()
            }
            ("user/search", _) => {
                let ust = r("ust")?;
                // The criteria as the route declares them (src/rest/table.rs SEARCH_INPUTS).
                let criteria = input.declared_map(&["ust"]).map_err(input_err)?;
                ok(self.search(&origin.with_ust(&ust), &criteria).await.map_err(honour)?)
            }
            ("user/signup", "POST") => {
                // Zato's Python API takes a `sign_up_status` (`final` skips the confirmation);
                // over REST a client must not choose it.
                if input.has("sign_up_status") {
                    return Err(input_err(Reject::Invalid("sign_up_status cannot be given at sign-up".into())));
                }
                let mut ctx = Map::new();
                for k in ["username", "password", "email"] {
                    if let Some(v) = s(k)? {
                        ctx.insert(k.into(), Value::String(v));
                    }
                }
                if let Some(list) = input.raw("app_list").map_err(input_err)?.filter(|v| !v.is_null()) {
                    ctx.insert("app_list".into(), list.clone());
                }
                // Verb-dispatched: specific codes (§8.1), which is why the built-in validator
                // withholds the codes its reveal flags keep back (see `signup`).
                let token = self.signup(&origin, &ctx).await.map_err(specific)?;
                // With `signup.always_return_confirm_token` off the token reaches only the host's
                // `signupCallback` hook (to be mailed): whoever signs up cannot confirm an email
                // address they do not own.
                if !self.config.signup.always_return_confirm_token {
                    drop(zeroize::Zeroizing::new(token));
                    return none();
                }
                ok(fields(vec![("confirm_token", Value::String(token))]))
            }
            // Spec §10 O-17: a failed confirmation is an error.
            ("user/signup", "PATCH") => {
                let token = r("confirm_token")?;
                self.confirm_signup(&origin, &token).await.map_err(specific)?;
                none()
            }
            // Not in Zato: the public policy (password rules, search by email), for forms and
            // consoles to state up front.
            ("policy", "GET") => match self.public_policy() {
                Value::Object(m) => ok(m),
                _ => none(),
            },
            // Spec §3.18 and §8.2: list (GET), link (POST), unlink (DELETE).
            ("user/linked", "GET") => {
                let ust = r("ust")?;
                let list = self.get_linked_auth_list(&origin.with_ust(&ust), s("user_id")?.as_deref()).await.map_err(specific)?;
                ok(fields(vec![("result", Value::Array(list))]))
            }
            ("user/linked", "POST") => {
                let (ust, user_id, auth_type, auth_username) = (r("ust")?, r("user_id")?, r("auth_type")?, r("auth_username")?);
                let is_active = input.opt_bool("is_active").map_err(input_err)?.unwrap_or(true);
                let (user_id, auth_id) =
                    self.create_linked_auth(&origin.with_ust(&ust), &user_id, &auth_type, &auth_username, is_active).await.map_err(specific)?;
                ok(fields(vec![("user_id", Value::String(user_id)), ("auth_id", Value::String(auth_id))]))
            }
            ("user/linked", "DELETE") => {
                let (ust, user_id, auth_type, auth_username) = (r("ust")?, r("user_id")?, r("auth_type")?, r("auth_username")?);
                self.delete_linked_auth(&origin.with_ust(&ust), &user_id, &auth_type, &auth_username).await.map_err(specific)?;
                none()
            }
            ("user/session", "GET" | "POST") => {
                let current = r("current_ust")?;
                let target = s("target_ust")?
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| specific(SsoError::hidden(Code::SessionNoSuchSession, "target_ust is required")))?;
                if method == "POST" {
                    let valid = self.verify_session(&origin.with_ust(&current), &target).await.map_err(specific)?;
                    return ok(fields(vec![("is_valid", Value::Bool(valid))]));
                }
                let session = self.get_session(&origin.with_ust(&current), &target).await.map_err(specific)?;
                ok(keep(session, &["creation_time", "expiration_time", "remote_addr", "user_agent"]))
            }
            ("user/session", "PATCH") => {
                let ust = r("ust")?;
                let t = self.renew_session(&origin.with_ust(&ust), req.user_agent).await.map_err(specific)?;
                ok(fields(vec![("expiration_time", Value::String(time::format_zato(&t)))]))
            }
            // Not in Zato: a super-user ends one session of another user, by its session_id.
            ("user/session", "DELETE") => {
                let (ust, user_id, session_id) = (r("ust")?, r("user_id")?, r("session_id")?);
                self.end_user_session(&origin.with_ust(&ust), &user_id, &session_id).await.map_err(specific)?;
                none()
            }
            // Not in Zato: with a user_id, a super-user lists that user's sessions.
            ("user/session/list", "GET") if s("user_id")?.is_some_and(|u| !u.is_empty()) => {
                let (ust, user_id) = (r("ust")?, r("user_id")?);
                let list = self.get_user_sessions(&origin.with_ust(&ust), &user_id).await.map_err(specific)?;
                ok(fields(vec![("result", Value::Array(list))]))
            }
            ("user/session/list", "GET") => {
                let list = self
                    .get_session_list(&origin, s("ust")?.as_deref(), s("target_ust")?.as_deref(), s("current_ust")?.as_deref())
                    .await
                    .map_err(specific)?;
                ok(fields(vec![("result", Value::Array(list))]))
            }
            ("user/attr" | "user/attr/exists" | "user/attr/names" | "session/attr" | "session/attr/exists" | "session/attr/names", _) => {
                self.attr_endpoint(origin, endpoint, method, input).await
            }
            (PASSWORD_RESET, "POST") => {
                let credential = r("credential")?;
                // Always ok, at once (spec §8.2: run asynchronously): neither the answer nor its
                // timing may tell whether the user exists.
                *deferred = Some(Deferred::password_reset(origin.cid.unwrap_or_default(), &credential, app, addr, req.user_agent));
                none()
            }
            (PASSWORD_RESET, "PATCH") => {
                let token = r("token")?;
                let key = self.access_reset_token(&origin, &token, req.user_agent).await.map_err(specific)?;
                ok(fields(vec![("reset_key", Value::String(key))]))
            }
            (PASSWORD_RESET, "DELETE") => {
                let (token, key, password) = (r("token")?, r("reset_key")?, r("password")?);
                let code = s("totp_code")?;
                self.reset_password(&origin, &password, &token, &key, req.user_agent, code.as_deref()).await.map_err(specific)?;
                none()
            }
            _ => Err(input_err(Reject::MethodNotAllowed)),
        }
    }

    /// `/zato/sso/user/attr*` and `/zato/sso/session/attr*` (spec §8.2): user attributes need a
    /// super-user (they are reached through get_user_by_id), session attributes a super-user
    /// `current_ust` (through session get).
    async fn attr_endpoint(&self, origin: Caller<'_>, endpoint: &str, method: &str, input: &Input) -> Outcome {
        let session = endpoint.starts_with("session/");
        let kind = endpoint.rsplit('/').next().unwrap_or_default();
        let op = match (kind, method) {
            ("attr", "POST") => AttrOp::Create,
            ("attr", "PATCH") => AttrOp::Update,
            ("attr", "PUT") => AttrOp::Set,
            ("attr", "DELETE") => AttrOp::Delete,
            ("attr", "GET") => AttrOp::Get,
            ("exists", "GET") => AttrOp::Exists,
            ("names", "GET") => AttrOp::Names,
            _ => return Err(input_err(Reject::MethodNotAllowed)),
        };
        let (ust, target) = if session {
            let current = input.req_str("current_ust").map_err(input_err)?;
            let target = input.opt_str("target_ust").map_err(input_err)?.filter(|t| !t.is_empty());
            let target = target.ok_or_else(|| specific(SsoError::hidden(Code::SessionNoSuchSession, "target_ust is required")))?;
            self.get_session(&origin.with_ust(&current), &target).await.map_err(specific)?;
            (current, AttrTarget::Session(target))
        } else {
            let ust = input.req_str("ust").map_err(input_err)?;
            let user_id = input.opt_str("user_id").map_err(input_err)?.unwrap_or_default();
            self.get_user_by_id(&origin.with_ust(&ust), &user_id).await.map_err(specific)?;
            (ust, AttrTarget::User(Some(user_id)))
        };
        let name = input.opt_str("name").map_err(input_err)?.filter(|n| !n.is_empty());
        let data = input.raw("data").map_err(input_err)?.filter(|d| !d.is_null()).cloned();
        let value = input.raw("value").map_err(input_err)?.cloned();
        let (items, single) = match (op, name, data) {
            (AttrOp::Names, _, _) => (Vec::new(), false),
            (_, Some(n), _) => (vec![AttrItem { name: n, value, ..Default::default() }], true),
            (AttrOp::Create | AttrOp::Update | AttrOp::Set, None, Some(Value::Array(list))) => (
                list.iter()
                    .map(|i| {
                        let m = i.as_object().ok_or_else(|| SsoError::invalid_input("data items must be objects"))?;
                        Ok(AttrItem {
                            name: m.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                            value: m.get("value").cloned(),
                            expiration: m.get("expiration").and_then(Value::as_i64),
                            encrypt: m.get("encrypt").and_then(coerce_bool),
                            user_id: m.get("user_id").and_then(Value::as_str).map(str::to_string),
                        })
                    })
                    .collect::<SsoResult<Vec<_>>>()
                    .map_err(specific)?,
                false,
            ),
            (_, None, Some(Value::Array(list))) => {
                (list.iter().map(|n| AttrItem { name: n.as_str().unwrap_or_default().to_string(), ..Default::default() }).collect(), false)
            }
            _ => return Err(specific(SsoError::invalid_input("give name, or data"))),
        };
        let call = AttrCall {
            op,
            target,
            items,
            single,
            expiration: input.opt_int("expiration").map_err(input_err)?,
            encrypt: input.opt_bool("encrypt").map_err(input_err)?.unwrap_or(false),
            decrypt: input.opt_bool("decrypt").map_err(input_err)?.unwrap_or(true),
        };
        let result = self.attr(&origin.with_ust(&ust), call).await.map_err(specific)?;
        match (op, single) {
            (AttrOp::Get, true) => match result {
                Value::Object(mut entity) => {
                    entity.insert("found".into(), Value::Bool(true));
                    ok(entity)
                }
                _ => ok(fields(vec![("found", Value::Bool(false))])),
            },
            (AttrOp::Get | AttrOp::Exists | AttrOp::Names, _) => ok(fields(vec![("result", result)])),
            _ => none(),
        }
    }
}
