//! The only module that knows JavaScript: the `WasmSso` class wasm-bindgen exports, the
//! host's store, audit callback and clock as core traits, and value conversion.
//!
//! Every method returns a Promise and converts every failure into a rejected error object
//! (`{ __ssoError, status, sub_status, reveal, message }`) that the hand-written package turns
//! into an `SsoError`. Nothing here may panic: a panic is a wasm trap, and a trapped instance
//! is unusable.

mod host;

use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::config::Config;
use crate::crypto::seal::KeyRing;
use crate::error::{SsoError, SsoResult};
use crate::sso::Sso;
use host::{JsAudit, JsHooks, JsStore};

type Core = Sso<JsStore, JsAudit, JsHooks>;

/// The SSO core as a JavaScript class; the package (`pkg/lib/sso.js`) wraps it, callers use that.
#[wasm_bindgen]
pub struct WasmSso {
    core: Rc<Core>,
}

fn error_to_js(e: &SsoError) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    set("__ssoError", JsValue::TRUE);
    set("status", JsValue::from_str(e.status()));
    let codes = Array::new();
    for c in e.codes() {
        codes.push(&JsValue::from_str(c));
    }
    set("sub_status", codes.into());
    set("reveal", JsValue::from_bool(e.reveal));
    set("message", JsValue::from_str(&e.message()));
    o.into()
}

/// Every JSON value handed to JavaScript (results, audit records, hook contexts) goes through
/// here: its text, parsed by `JSON.parse`, which defines each key as an own data property. A
/// key such as `"__proto__"` in an attribute's value so stays an ordinary key of plain data;
/// an assignment (`obj[key] = v`, what serde-wasm-bindgen does) would swap the object's
/// prototype instead.
pub(crate) fn json_to_js<T: Serialize + ?Sized>(v: &T) -> Option<JsValue> {
    let text = serde_json::to_string(v).ok()?;
    js_sys::JSON::parse(&text).ok()
}

// Deepest nesting and most values accepted from JavaScript: the limits the package checks too.
use crate::api::limits::{MAX_DEPTH, MAX_NODES};

/// The conversion below recurses without a limit: a value nested thousands deep (or a cycle)
/// would exhaust the wasm stack, a trap that leaves the instance unusable. This walk, bounded
/// by depth and size, refuses such values first, so that direct callers of the generated
/// glue are as safe as the package's (which checks in JS too).
fn check_shape(v: &JsValue, depth: usize, nodes: &mut usize) -> bool {
    *nodes += 1;
    if *nodes > MAX_NODES {
        return false;
    }
    if !v.is_object() {
        return true;
    }
    if depth >= MAX_DEPTH {
        return false;
    }
    let items: Array = if Array::is_array(v) {
        v.clone().unchecked_into()
    } else {
        match Reflect::own_keys(v) {
            Ok(keys) => keys.iter().filter_map(|k| Reflect::get(v, &k).ok()).collect(),
            Err(_) => return false,
        }
    };
    items.iter().all(|item| check_shape(&item, depth + 1, nodes))
}

fn js_to_json(v: &JsValue, name: &str) -> SsoResult<Value> {
    if !check_shape(v, 0, &mut 0) {
        return Err(SsoError::invalid_input(format!("{name}: nested deeper than {MAX_DEPTH} levels, cyclic, or too large")));
    }
    serde_wasm_bindgen::from_value::<Value>(v.clone()).map_err(|_| SsoError::invalid_input(format!("{name}: not plain JSON")))
}

/// Runs an async operation as a Promise that resolves to its JS value or rejects with an
/// error object.
fn promise<F>(fut: F) -> Promise
where
    F: std::future::Future<Output = SsoResult<JsValue>> + 'static,
{
    future_to_promise(async move { fut.await.map_err(|e| error_to_js(&e)) })
}

fn get(options: &JsValue, key: &str) -> JsValue {
    Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

const OPTION_KEYS: [&str; 7] = ["store", "audit", "secretKey", "config", "now", "hooks", "securityDefinitions"];

/// The operation table, the error codes and the shared limits (`crate::api::manifest`), as
/// JSON text: what the package builds its methods from.
#[wasm_bindgen(js_name = manifest)]
pub fn manifest_json() -> String {
    crate::api::manifest().to_string()
}

/// The REST API's OpenAPI 3.1 document under the default configuration, as JSON text: what
/// the build writes to the package's `openapi.json`.
#[wasm_bindgen(js_name = openapiDocument)]
pub fn openapi_document() -> String {
    crate::rest::openapi::document(&crate::config::Config::default()).to_string()
}

#[wasm_bindgen]
impl WasmSso {
    /// `new WasmSso({ store, audit?, secretKey, config?, now? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<WasmSso, JsValue> {
        Self::build(&options).map_err(|e| error_to_js(&e))
    }

    fn build(options: &JsValue) -> SsoResult<WasmSso> {
        if !options.is_object() || Array::is_array(options) {
            return Err(SsoError::invalid_input("options must be an object"));
        }
        let obj: &Object = options.unchecked_ref();
        for k in Object::keys(obj).iter() {
            let k = k.as_string().unwrap_or_default();
            if !OPTION_KEYS.contains(&k.as_str()) {
                return Err(SsoError::invalid_input(format!("unknown option: {}", crate::input::shown_key(&k))));
            }
        }
        let store = JsStore::new(get(options, "store"))?;
        let audit = JsAudit::new(get(options, "audit"))?;
        let keys = Self::keys(&get(options, "secretKey"))?;
        let config_js = get(options, "config");
        let config_json = if config_js.is_undefined() || config_js.is_null() { Value::Null } else { js_to_json(&config_js, "config")? };
        let config = Config::from_json(&config_json).map_err(|e| SsoError::invalid_input(format!("bad config: {e}")))?;
        let clock = host::clock(get(options, "now"))?;
        let hooks = JsHooks::new(get(options, "hooks"))?;
        let defs_js = get(options, "securityDefinitions");
        let defs_json = if defs_js.is_undefined() || defs_js.is_null() { Value::Null } else { js_to_json(&defs_js, "securityDefinitions")? };
        let definitions = crate::linked::definitions::SecurityDefinitions::from_json(&defs_json)?;
        let core = Sso::with_hooks(store, audit, hooks, keys, config, clock).with_security_definitions(definitions);
        core.check_store()?;
        // Grow the wasm memory for Argon2 now rather than in the first login (README, "What
        // one login costs").
        crate::crypto::password::reserve_memory(&core.argon2);
        Ok(WasmSso { core: Rc::new(core) })
    }

    fn keys(v: &JsValue) -> SsoResult<KeyRing> {
        let list: Vec<String> = if let Some(s) = v.as_string() {
            vec![s]
        } else if Array::is_array(v) {
            let arr: &Array = v.unchecked_ref();
            let mut out = Vec::new();
            for item in arr.iter() {
                out.push(item.as_string().ok_or_else(|| SsoError::invalid_input("secretKey entries must be strings"))?);
            }
            out
        } else {
            return Err(SsoError::invalid_input("secretKey must be a base64 string of 32 bytes, or an array of them"));
        };
        KeyRing::from_base64_keys(&list).map_err(|e| SsoError::invalid_input(format!("bad secretKey: {e}")))
    }

    /// Argon2id PHC string, for `make bench` (not part of the package API).
    #[wasm_bindgen(js_name = benchArgon2idHash)]
    pub fn bench_argon2id_hash(password: &str, m_cost: u32, t_cost: u32, p_cost: u32) -> Result<String, JsValue> {
        let params = crate::crypto::password::Argon2Params { m_cost, t_cost, p_cost };
        crate::crypto::password::hash_password(password, &params).map_err(|e| JsValue::from_str(&e.to_string()))
    }

    /// Verifies against a PHC string, for `make bench`.
    #[wasm_bindgen(js_name = benchArgon2idVerify)]
    pub fn bench_argon2id_verify(password: &str, phc: &str) -> bool {
        let params = crate::crypto::password::Argon2Params::default();
        matches!(crate::crypto::password::verify_password(password, phc, &params), Ok(crate::crypto::password::Verification::Match { .. }))
    }

    /// This instance's OpenAPI document (its cookie's name), as JSON text.
    pub fn openapi(&self) -> String {
        self.core.openapi().to_string()
    }

    /// The `http` section and the session lifetime, as JSON text: what `sso.fetch` needs for
    /// cookies, CSRF and CORS.
    #[wasm_bindgen(js_name = httpConfig)]
    pub fn http_config(&self) -> String {
        let c = &self.core.config;
        serde_json::json!({
            "cookie_sessions": c.http.cookie_sessions, "cookie_name": c.http.cookie_name,
            "allowed_origins": c.http.allowed_origins, "session_minutes": c.session.expiry,
        })
        .to_string()
    }

    /// Raw Argon2id (version 0x13, no associated data) through the implementation the package
    /// uses, for tests/js/argon2id.test.mjs (cross-checked with @node-rs/argon2) and `make bench`
    /// (not part of the package API).
    #[wasm_bindgen(js_name = benchArgon2idRaw)]
    pub fn bench_argon2id_raw(
        password: &[u8],
        salt: &[u8],
        secret: &[u8],
        m_cost: u32,
        t_cost: u32,
        p_cost: u32,
        out_len: usize,
    ) -> Result<Vec<u8>, JsValue> {
        let params = argon2::Params::new(m_cost, t_cost, p_cost, Some(out_len)).map_err(|e| JsValue::from_str(&e.to_string()))?;
        let mut out = vec![0u8; out_len];
        crate::crypto::argon2id::hash_into(&params, secret, password, salt, &mut out).map_err(|e| JsValue::from_str(&e.to_string()))?;
        Ok(out)
    }

    /// Which Argon2 compression function this build uses: "simd128" or "portable".
    #[wasm_bindgen(js_name = argon2idImplementation)]
    pub fn argon2id_implementation() -> String {
        crate::crypto::argon2id::IMPLEMENTATION.to_string()
    }

    /// Serves one REST request (spec §8): resolves `{ status, body }` (body: a JSON string).
    // Allowed: a wasm-bindgen method's parameters are its JavaScript signature
    // (`serve` in pkg/lib/sso.js passes the request's parts positionally), and a Rust struct cannot
    // cross the boundary without a JS-side object and its conversion.
    #[allow(clippy::too_many_arguments)]
    pub fn rest(
        &self,
        method: String,
        path: String,
        query: String,
        body: Vec<u8>,
        content_type: Option<String>,
        remote_addr: String,
        user_agent: Option<String>,
        authorization: Option<String>,
    ) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            let req = crate::rest::HttpRequest {
                method: &method,
                path: &path,
                query: &query,
                body: &body,
                content_type: content_type.as_deref(),
                remote_addr: &remote_addr,
                user_agent: user_agent.as_deref(),
                authorization: authorization.as_deref(),
            };
            let res = core.handle_http(&req).await;
            let out = Object::new();
            let _ = Reflect::set(&out, &JsValue::from_str("status"), &JsValue::from_f64(res.status as f64));
            let _ = Reflect::set(&out, &JsValue::from_str("body"), &JsValue::from_str(&res.body.to_string()));
            // Started now, settled later: the package hands it to the host's waitUntil.
            if let Some(d) = res.deferred {
                let core = core.clone();
                let work = promise(async move { core.run_deferred(&d).await.map(|_| JsValue::UNDEFINED) });
                let _ = Reflect::set(&out, &JsValue::from_str("deferred"), &work);
            }
            Ok(out.into())
        })
    }

    /// Runs an operation of the table in `src/api.rs`: `call("user.login", [cid, ...])`.
    pub fn call(&self, op: JsValue, args: JsValue) -> Promise {
        let core = self.core.clone();
        promise(async move {
            let op = op.as_string().ok_or_else(|| SsoError::invalid_input("the operation name must be a string"))?;
            if !Array::is_array(&args) {
                return Err(SsoError::invalid_input("arguments must be an array"));
            }
            let args = match js_to_json(&args, "arguments")? {
                Value::Array(a) => a,
                _ => return Err(SsoError::invalid_input("arguments must be an array")),
            };
            let out = core.call(&op, &args).await?;
            json_to_js(&out).ok_or_else(|| SsoError::internal("a result could not be converted for JavaScript"))
        })
    }
}
