//! The host's callbacks as core traits. Each callback may return a value or a Promise, or
//! throw; a throw or a rejection becomes an error value, never a trap.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::audit::{Audit, AuditError, AuditEvent};
use crate::error::{SsoError, SsoResult};
use crate::hooks::{HookError, Hooks, SignupVerdict};
use crate::sso::Clock;
use crate::store::{Commit, ListPage, Store, StoreError};

fn method(obj: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(obj, &JsValue::from_str(name)).ok().and_then(|f| f.dyn_into::<Function>().ok())
}

/// A thrown or rejected value as a short message. Error objects give their message.
fn describe(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    if let Ok(m) = Reflect::get(e, &JsValue::from_str("message")) {
        if let Some(s) = m.as_string() {
            return s;
        }
    }
    "a non-Error value was thrown".to_string()
}

/// Calls `f` on `this` and awaits the result if it is a Promise (or any thenable).
async fn call(this: &JsValue, f: &Function, args: &Array) -> Result<JsValue, String> {
    let result = f.apply(this, args).map_err(|e| describe(&e))?;
    JsFuture::from(Promise::resolve(&result)).await.map_err(|e| describe(&e))
}

pub struct JsStore {
    obj: JsValue,
    get: Function,
    put: Function,
    delete: Function,
    list: Function,
    put_if_absent: Option<Function>,
    get_many: Option<Function>,
    commit: Option<Function>,
}

impl JsStore {
    pub fn new(obj: JsValue) -> SsoResult<JsStore> {
        if !obj.is_object() {
            return Err(SsoError::invalid_input("store must be an object with get, put, delete and list methods"));
        }
        let need = |name: &str| method(&obj, name).ok_or_else(|| SsoError::invalid_input(format!("store has no {name} method")));
        Ok(JsStore {
            get: need("get")?,
            put: need("put")?,
            delete: need("delete")?,
            list: need("list")?,
            put_if_absent: method(&obj, "putIfAbsent"),
            get_many: method(&obj, "getMany"),
            commit: method(&obj, "commit"),
            obj,
        })
    }
}

fn ttl_options(ttl: Option<u64>) -> JsValue {
    let o = Object::new();
    if let Some(ttl) = ttl {
        let _ = Reflect::set(&o, &JsValue::from_str("expirationTtl"), &JsValue::from_f64(ttl as f64));
    }
    o.into()
}

impl Store for JsStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let v = call(&self.obj, &self.get, &Array::of1(&JsValue::from_str(key))).await.map_err(StoreError)?;
        if v.is_null() || v.is_undefined() {
            return Ok(None);
        }
        v.as_string().map(Some).ok_or_else(|| StoreError("get returned something other than a string or null".into()))
    }

    async fn put(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<(), StoreError> {
        let args = Array::of3(&JsValue::from_str(key), &JsValue::from_str(value), &ttl_options(ttl));
        call(&self.obj, &self.put, &args).await.map(|_| ()).map_err(StoreError)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        call(&self.obj, &self.delete, &Array::of1(&JsValue::from_str(key))).await.map(|_| ()).map_err(StoreError)
    }

    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: Option<u32>) -> Result<ListPage, StoreError> {
        let o = Object::new();
        let _ = Reflect::set(&o, &JsValue::from_str("prefix"), &JsValue::from_str(prefix));
        if let Some(c) = cursor {
            let _ = Reflect::set(&o, &JsValue::from_str("cursor"), &JsValue::from_str(c));
        }
        if let Some(l) = limit {
            let _ = Reflect::set(&o, &JsValue::from_str("limit"), &JsValue::from_f64(l as f64));
        }
        let v = call(&self.obj, &self.list, &Array::of1(&o.into())).await.map_err(StoreError)?;
        let bad = || StoreError("list returned something other than { keys: [{ name }], list_complete, cursor }".into());
        let keys_v = Reflect::get(&v, &JsValue::from_str("keys")).map_err(|_| bad())?;
        if !Array::is_array(&keys_v) {
            return Err(bad());
        }
        let mut keys = Vec::new();
        for item in Array::from(&keys_v).iter() {
            let name = Reflect::get(&item, &JsValue::from_str("name")).ok().and_then(|n| n.as_string()).ok_or_else(bad)?;
            keys.push(name);
        }
        let list_complete = Reflect::get(&v, &JsValue::from_str("list_complete")).ok().and_then(|b| b.as_bool()).unwrap_or(true);
        let cursor = Reflect::get(&v, &JsValue::from_str("cursor")).ok().and_then(|c| c.as_string()).filter(|c| !c.is_empty());
        Ok(ListPage { keys, list_complete, cursor })
    }

    async fn put_if_absent(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<Option<bool>, StoreError> {
        let Some(f) = &self.put_if_absent else { return Ok(None) };
        let args = Array::of3(&JsValue::from_str(key), &JsValue::from_str(value), &ttl_options(ttl));
        let v = call(&self.obj, f, &args).await.map_err(StoreError)?;
        v.as_bool().map(Some).ok_or_else(|| StoreError("putIfAbsent returned something other than a boolean".into()))
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let Some(f) = &self.get_many else {
            // Without a batch read, every get at once: still one round trip.
            return crate::store::join_all(keys.iter().map(|k| self.get(k)).collect()).await.into_iter().collect();
        };
        let list = Array::new();
        for k in keys {
            list.push(&JsValue::from_str(k));
        }
        let v = call(&self.obj, f, &Array::of1(&list.into())).await.map_err(StoreError)?;
        let bad = || StoreError("getMany returned something other than a list of strings and nulls, one per key".into());
        if !Array::is_array(&v) {
            return Err(bad());
        }
        let values = Array::from(&v);
        if values.length() as usize != keys.len() {
            return Err(bad());
        }
        values.iter().map(|x| if x.is_null() || x.is_undefined() { Ok(None) } else { x.as_string().map(Some).ok_or_else(bad) }).collect()
    }

    async fn commit(&self, commit: &Commit) -> Result<Option<bool>, StoreError> {
        let Some(f) = &self.commit else { return Ok(None) };
        let set = |o: &Object, k: &str, v: &JsValue| {
            let _ = Reflect::set(o, &JsValue::from_str(k), v);
        };
        let checks = Array::new();
        for c in &commit.checks {
            let o = Object::new();
            set(&o, "key", &JsValue::from_str(&c.key));
            set(&o, "value", &c.value.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL));
            checks.push(&o.into());
        }
        let puts = Array::new();
        for p in &commit.puts {
            let o = Object::new();
            set(&o, "key", &JsValue::from_str(&p.key));
            set(&o, "value", &JsValue::from_str(&p.value));
            if let Some(ttl) = p.ttl_secs {
                set(&o, "expirationTtl", &JsValue::from_f64(ttl as f64));
            }
            puts.push(&o.into());
        }
        let deletes = Array::new();
        for d in &commit.deletes {
            deletes.push(&JsValue::from_str(d));
        }
        let op = Object::new();
        set(&op, "checks", &checks.into());
        set(&op, "puts", &puts.into());
        set(&op, "deletes", &deletes.into());
        let v = call(&self.obj, f, &Array::of1(&op.into())).await.map_err(StoreError)?;
        v.as_bool().map(Some).ok_or_else(|| StoreError("commit returned something other than a boolean".into()))
    }

    fn is_atomic(&self) -> bool {
        self.commit.is_some()
    }
}

pub struct JsAudit {
    callback: Option<Function>,
}

impl JsAudit {
    pub fn new(v: JsValue) -> SsoResult<JsAudit> {
        if v.is_undefined() || v.is_null() {
            return Ok(JsAudit { callback: None });
        }
        let f = v.dyn_into::<Function>().map_err(|_| SsoError::invalid_input("audit must be a function"))?;
        Ok(JsAudit { callback: Some(f) })
    }
}

impl Audit for JsAudit {
    async fn record(&self, event: &AuditEvent) -> Result<(), AuditError> {
        let Some(f) = &self.callback else { return Ok(()) };
        let js = super::json_to_js(&event.to_json()).ok_or_else(|| AuditError("the audit record could not be converted".into()))?;
        call(&JsValue::UNDEFINED, f, &Array::of1(&js)).await.map(|_| ()).map_err(AuditError)
    }
}

/// The host clock: `now()` in milliseconds, or `Date.now()` when none is given.
pub fn clock(v: JsValue) -> SsoResult<Clock> {
    if v.is_undefined() || v.is_null() {
        return Ok(Box::new(|| Some(js_sys::Date::now() as i64)));
    }
    let f = v.dyn_into::<Function>().map_err(|_| SsoError::invalid_input("now must be a function"))?;
    Ok(Box::new(move || {
        let t = f.call0(&JsValue::UNDEFINED).ok()?;
        let ms = t.as_f64().or_else(|| t.dyn_ref::<js_sys::Date>().map(|d| d.get_time()))?;
        if ms.is_finite() && ms.abs() < 8.64e15 {
            Some(ms as i64)
        } else {
            None
        }
    }))
}

/// Optional host callbacks: `{ sessionExpiry, validateSignup, signupCallback, sendPasswordReset }`.
pub struct JsHooks {
    session_expiry: Option<Function>,
    validate_signup: Option<Function>,
    signup_callback: Option<Function>,
    send_password_reset: Option<Function>,
    password_check: Option<Function>,
}

const HOOK_NAMES: [&str; 5] = ["sessionExpiry", "validateSignup", "signupCallback", "sendPasswordReset", "passwordCheck"];

impl JsHooks {
    pub fn new(v: JsValue) -> SsoResult<JsHooks> {
        if v.is_undefined() || v.is_null() {
            return Ok(JsHooks {
                session_expiry: None,
                validate_signup: None,
                signup_callback: None,
                send_password_reset: None,
                password_check: None,
            });
        }
        if !v.is_object() {
            return Err(SsoError::invalid_input("hooks must be an object of functions"));
        }
        let obj: &Object = v.unchecked_ref();
        for k in Object::keys(obj).iter() {
            let k = k.as_string().unwrap_or_default();
            if !HOOK_NAMES.contains(&k.as_str()) {
                return Err(SsoError::invalid_input(format!("unknown hook: {}", crate::input::shown_key(&k))));
            }
            let f = Reflect::get(&v, &JsValue::from_str(&k)).unwrap_or(JsValue::UNDEFINED);
            if !f.is_undefined() && !f.is_function() {
                return Err(SsoError::invalid_input(format!("hook {k} must be a function")));
            }
        }
        Ok(JsHooks {
            session_expiry: method(&v, "sessionExpiry"),
            validate_signup: method(&v, "validateSignup"),
            signup_callback: method(&v, "signupCallback"),
            send_password_reset: method(&v, "sendPasswordReset"),
            password_check: method(&v, "passwordCheck"),
        })
    }
}

fn json_to_js(v: &serde_json::Value) -> Result<JsValue, HookError> {
    super::json_to_js(v).ok_or_else(|| HookError("conversion failed".into()))
}

async fn call_hook(f: &Function, ctx: &serde_json::Value) -> Result<JsValue, HookError> {
    call(&JsValue::UNDEFINED, f, &Array::of1(&json_to_js(ctx)?)).await.map_err(HookError)
}

impl Hooks for JsHooks {
    async fn session_expiry(&self, ctx: &serde_json::Value) -> Option<i64> {
        let f = self.session_expiry.as_ref()?;
        let v = call_hook(f, ctx).await.ok()?;
        v.as_f64().filter(|m| m.is_finite() && m.fract() == 0.0).map(|m| m as i64)
    }

    async fn validate_signup(&self, ctx: &serde_json::Value) -> Result<Option<SignupVerdict>, HookError> {
        let Some(f) = &self.validate_signup else { return Ok(None) };
        let v = call_hook(f, ctx).await?;
        let is_valid = Reflect::get(&v, &JsValue::from_str("is_valid")).ok().and_then(|b| b.as_bool());
        let Some(is_valid) = is_valid else { return Err(HookError("validateSignup must return { is_valid, sub_status? }".into())) };
        let sub_status = Reflect::get(&v, &JsValue::from_str("sub_status"))
            .ok()
            .filter(Array::is_array)
            .map(|s| Array::from(&s).iter().filter_map(|c| c.as_string()).collect())
            .unwrap_or_default();
        Ok(Some(SignupVerdict { is_valid, sub_status }))
    }

    async fn signup_callback(&self, ctx: &serde_json::Value) -> Result<(), HookError> {
        let Some(f) = &self.signup_callback else { return Ok(()) };
        call_hook(f, ctx).await.map(|_| ())
    }

    async fn password_check(&self, password: &str) -> Result<bool, HookError> {
        let Some(f) = &self.password_check else { return Ok(true) };
        let v = call(&JsValue::UNDEFINED, f, &Array::of1(&JsValue::from_str(password))).await.map_err(HookError)?;
        v.as_bool().ok_or_else(|| HookError("passwordCheck must return true (allowed) or false (refused)".into()))
    }

    async fn send_password_reset(&self, msg: &serde_json::Value) -> Result<bool, HookError> {
        let Some(f) = &self.send_password_reset else { return Ok(false) };
        call_hook(f, msg).await.map(|_| true)
    }
}
