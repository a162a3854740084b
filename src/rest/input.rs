//! Request inputs (spec §8.1): the JSON body merged over the query string, with Zato's Int and
//! Bool coercions.

use serde_json::{Map, Value};

use super::table::{Kind, Route};
use super::{HttpRequest, Reject, MAX_BODY_BYTES};
use crate::error::SsoError;
use crate::net::MAX_REMOTE_ADDR_LEN;
use crate::sso::MAX_SHORT_INPUT;

/// The inputs of one REST request: the JSON body merged over the query string (spec §8.1).
pub struct Input {
    /// The route's table entry: only the inputs it declares can be read.
    route: &'static Route,
    fields: Map<String, Value>,
    /// Keys present in the body (PATCH /user considers only these).
    body_keys: Vec<String>,
}

fn bad(details: &str) -> Reject {
    Reject::BadRequest(details.to_string())
}

fn decode_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `application/json`, with any parameters (`; charset=utf-8`), in any case.
pub(crate) fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| c.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"))
}

/// Scalar inputs that end up in audit records (as `target_user`, `extra.user_agent`, ...), with
/// the most bytes each may have: the core's own bounds.
const AUDITED: [(&str, usize); 5] = [
    ("username", MAX_SHORT_INPUT),
    ("user_id", MAX_SHORT_INPUT),
    ("user_agent", MAX_SHORT_INPUT),
    ("current_app", MAX_SHORT_INPUT),
    ("remote_addr", MAX_REMOTE_ADDR_LEN),
];

/// The endpoints that hand the `User-Agent` header to the core (and so to the audit).
const USER_AGENT_ENDPOINTS: [&str; 3] = ["user/login", "user/session", "password/reset"];

impl Input {
    /// Refuses (400, `E008002`) an audited input over its bound, and an oversize `User-Agent`
    /// header where the endpoint records it. Runs before any operation, so before any audit.
    pub(crate) fn check_audited(&self, endpoint: &str, req: &HttpRequest<'_>) -> Result<(), Reject> {
        for (key, max) in AUDITED {
            let len = match self.fields.get(key) {
                Some(Value::String(s)) => s.len(),
                Some(Value::Number(n)) => n.to_string().len(),
                _ => 0,
            };
            if len > max {
                return Err(Reject::Invalid(format!("{key} is longer than {max} bytes")));
            }
        }
        if USER_AGENT_ENDPOINTS.contains(&endpoint) && req.user_agent.is_some_and(|u| u.len() > MAX_SHORT_INPUT) {
            return Err(Reject::Invalid(format!("the User-Agent header is longer than {MAX_SHORT_INPUT} bytes")));
        }
        Ok(())
    }

    pub(crate) fn parse(req: &HttpRequest<'_>, route: &'static Route) -> Result<Input, Reject> {
        if req.body.len() > MAX_BODY_BYTES {
            return Err(Reject::TooLarge);
        }
        let mut fields = Map::new();
        if req.query.len() > 16 * 1024 {
            return Err(bad("Query string too long"));
        }
        for pair in req.query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (Some(k), Some(v)) = (decode_component(k), decode_component(v)) else { return Err(bad("Malformed query string")) };
            // A GET has no body: structured inputs (`data` lists) come as JSON in the query.
            let value = match v.as_bytes().first() {
                Some(b'[') | Some(b'{') => serde_json::from_str(&v).unwrap_or(Value::String(v)),
                _ => Value::String(v),
            };
            fields.insert(k, value);
        }
        let mut body_keys = Vec::new();
        // A body comes only as `application/json`: the types a browser may send cross-site
        // without a CORS preflight (`text/plain`, forms, multipart), or none, are refused.
        if !req.body.is_empty() && !is_json(req.content_type) {
            return Err(Reject::UnsupportedMediaType);
        }
        let body = std::str::from_utf8(req.body).map_err(|_| bad("The body is not UTF-8"))?;
        if !body.trim().is_empty() {
            match serde_json::from_str::<Value>(body) {
                Ok(Value::Object(m)) => {
                    for (k, v) in m {
                        body_keys.push(k.clone());
                        fields.insert(k, v);
                    }
                }
                Ok(_) => return Err(bad("The body must be a JSON object")),
                Err(_) => return Err(bad("Malformed JSON")),
            }
        }
        // Not in Zato: the UST may come as `Authorization: Bearer <ust>`. A browser's GET has no
        // body, and a UST in a URL ends up in logs and histories (ASVS 3.1.1). It stands for the
        // caller's UST: `current_ust` where the request names a `target_ust`, `ust` elsewhere;
        // an input of that name wins.
        let bearer = req.authorization.and_then(|h| h.split_once(' ')).filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"));
        if let Some(ust) = bearer.map(|(_, u)| u.trim()).filter(|u| !u.is_empty()) {
            // An empty target_ust counts as none, as the operations take it.
            let has_target = matches!(fields.get("target_ust"), Some(Value::String(t)) if !t.is_empty());
            let key = if has_target { "current_ust" } else { "ust" };
            fields.entry(key.to_string()).or_insert_with(|| Value::String(ust.to_string()));
        }
        Ok(Input { route, fields, body_keys })
    }

    /// The value of a declared input. Reading one the route's table entry does not declare is a
    /// bug of ours (the OpenAPI document would not name it): an internal error, never a guess.
    fn declared(&self, key: &str) -> Result<Option<&Value>, Reject> {
        if !self.route.reads(key) {
            return Err(Reject::Sso(SsoError::internal("a REST handler read an input its route does not declare")));
        }
        Ok(self.fields.get(key))
    }

    /// Every input the route declares, but `current_app` and those in `except`, that is present
    /// and not null, coerced to its declared kind (Zato's Int and Bool coercions): the table
    /// says what an operation's data map holds, so no list of names is kept beside it.
    pub(crate) fn declared_map(&self, except: &[&str]) -> Result<Map<String, Value>, Reject> {
        let mut out = Map::new();
        for f in self.route.inputs.iter().filter(|f| !except.contains(&f.name)) {
            let value = match f.kind {
                Kind::Str | Kind::StrOrNull | Kind::Time | Kind::TimeOrNull => self.opt_str(f.name)?.map(Value::String),
                Kind::Bool => self.opt_bool(f.name)?.map(Value::Bool),
                Kind::Int | Kind::IntOrNull => self.opt_int(f.name)?.map(Value::from),
                Kind::Any | Kind::Object | Kind::Users | Kind::Sessions | Kind::LinkedAuths => self.raw(f.name)?.filter(|v| !v.is_null()).cloned(),
            };
            if let Some(v) = value {
                out.insert(f.name.to_string(), v);
            }
        }
        Ok(out)
    }

    /// Whether the input is present (body or query), even as null.
    pub fn has(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }

    /// Whether the body (not the query string) carries the key.
    pub fn in_body(&self, key: &str) -> bool {
        self.body_keys.iter().any(|k| k == key)
    }

    /// The input as given, without coercion.
    pub(crate) fn raw(&self, key: &str) -> Result<Option<&Value>, Reject> {
        self.declared(key)
    }

    /// A string input; a missing key or null is None; numbers are taken as their text.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<String>, Reject> {
        match self.declared(key)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(Reject::BadRequest(format!("{key} must be a string"))),
        }
    }

    /// A required input: a missing key is 400; null is "".
    pub(crate) fn req_str(&self, key: &str) -> Result<String, Reject> {
        let value = self.opt_str(key)?;
        if !self.has(key) {
            return Err(bad("Bad request"));
        }
        Ok(value.unwrap_or_default())
    }

    /// Zato's Bool: JSON booleans or the usual strings.
    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, Reject> {
        match self.declared(key)? {
            None | Some(Value::Null) => Ok(None),
            Some(v) => coerce_bool(v).map(Some).ok_or_else(|| Reject::BadRequest(format!("{key} must be a boolean"))),
        }
    }

    /// Zato's Int: numbers or numeric strings.
    pub(crate) fn opt_int(&self, key: &str) -> Result<Option<i64>, Reject> {
        match self.declared(key)? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| Reject::BadRequest(format!("{key} must be an integer"))),
            Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| Reject::BadRequest(format!("{key} must be an integer"))),
            Some(_) => Err(Reject::BadRequest(format!("{key} must be an integer"))),
        }
    }
}

pub(crate) fn coerce_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().filter(|n| *n == 0 || *n == 1).map(|n| n == 1),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
            "false" | "0" | "no" | "off" | "f" | "n" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}
