//! Zato's REST API (spec §8) as a pure function from a request to a response: the transport
//! conventions of §8.1 and every endpoint of §8.2 under `/zato/sso/`.

mod endpoints;
mod input;
pub mod openapi;
pub mod table;

use serde_json::{json, Map, Value};

use crate::audit::Audit;
use crate::caller::Caller;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::Sso;
use crate::store::Store;

pub use input::Input;

/// Bodies larger than this are refused before parsing.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// One HTTP request, as the host's server hands it over.
#[derive(Clone)]
pub struct HttpRequest<'a> {
    /// The HTTP method (`GET`, `POST`, …).
    pub method: &'a str,
    /// The path, without the query string.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: &'a str,
    /// The raw body bytes.
    pub body: &'a [u8],
    /// The `Content-Type` header.
    pub content_type: Option<&'a str>,
    /// The connection's address (spec §1.4).
    pub remote_addr: &'a str,
    /// The `User-Agent` header.
    pub user_agent: Option<&'a str>,
    /// The `Authorization` header: `Bearer <ust>` stands for a missing `ust` input.
    pub authorization: Option<&'a str>,
}

/// The body and the query carry passwords, USTs and codes: Debug shows only their sizes.
impl std::fmt::Debug for HttpRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_bytes", &self.query.len())
            .field("body_bytes", &self.body.len())
            .field("content_type", &self.content_type)
            .field("remote_addr", &self.remote_addr)
            .field("user_agent", &self.user_agent)
            .field("has_authorization", &self.authorization.is_some())
            .finish()
    }
}

/// What to answer an HTTP request with.
#[derive(Clone, PartialEq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
    /// Work to run once the response is on its way ([`Sso::run_deferred`]).
    pub deferred: Option<Deferred>,
}

/// Bodies carry USTs, reset keys and confirm tokens: Debug shows the status and field names.
impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<&str> = self.body.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
        f.debug_struct("HttpResponse").field("status", &self.status).field("body_fields", &fields).field("deferred", &self.deferred).finish()
    }
}

/// Work a response leaves behind. Spec §8.2 runs `POST /password/reset` asynchronously: its
/// answer (always ok) must not wait for the user lookup, the token writes and the delivery
/// hook, whose time would tell a registered user from an unknown one.
#[derive(Clone, PartialEq)]
pub struct Deferred {
    cid: String,
    credential: String,
    current_app: String,
    remote_addr: String,
    user_agent: Option<String>,
}

impl Deferred {
    pub(crate) fn password_reset(cid: &str, credential: &str, current_app: &str, remote_addr: &str, user_agent: Option<&str>) -> Self {
        Deferred {
            cid: cid.into(),
            credential: credential.into(),
            current_app: current_app.into(),
            remote_addr: remote_addr.into(),
            user_agent: user_agent.map(str::to_string),
        }
    }
}

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Deferred(password reset)")
    }
}

/// Why a request never reached an operation.
#[derive(Debug)]
pub(crate) enum Reject {
    /// 400, `{"result": "Error", "cid", "details"}` (spec §8.1 "required input missing").
    BadRequest(String),
    NotFound,
    MethodNotAllowed,
    TooLarge,
    UnsupportedMediaType,
    /// 400 with the code `E008002`: input the REST layer refuses before any operation runs
    /// (and so before any audit record), e.g. an oversize username. The details name the
    /// input, never its value.
    Invalid(String),
    /// A core error, as Zato's envelope.
    Sso(SsoError),
}

impl From<SsoError> for Reject {
    fn from(e: SsoError) -> Self {
        Reject::Sso(e)
    }
}

/// Whether an endpoint hides codes whose reveal flag is off (spec §8.1: the verb-agnostic
/// endpoints do; the verb-dispatched ones return the specific code, §10 O-41).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hiding {
    Honour,
    Specific,
}

pub(crate) type Outcome = Result<(Map<String, Value>, &'static str, Vec<&'static str>), (Reject, Hiding)>;

fn error_body(cid: &str, details: &str) -> Value {
    json!({ "result": "Error", "cid": cid, "details": details })
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Serves one request. Never fails: every problem is a JSON response.
    /// A [`Deferred`] in the response is for the caller to run (the wasm binding hands it to
    /// the host's `waitUntil`).
    pub async fn handle_http(&self, req: &HttpRequest<'_>) -> HttpResponse {
        if req.path.strip_prefix("/zato/sso/") == Some(table::OPENAPI_PATH) && req.method.eq_ignore_ascii_case("GET") && self.config.http.openapi {
            return HttpResponse { status: 200, body: self.openapi(), deferred: None };
        }
        let cid = crate::sso::new_cid().unwrap_or_default();
        let mut deferred = None;
        let outcome = self.route(&cid, req, &mut deferred).await;
        let mut res = Self::respond(cid, outcome);
        if res.status == 200 {
            res.deferred = deferred;
        }
        res
    }

    /// The OpenAPI 3.1 document of this instance's REST API (its session cookie's name).
    pub fn openapi(&self) -> Value {
        openapi::document(&self.config)
    }

    /// Runs what a response left behind.
    pub async fn run_deferred(&self, d: &Deferred) -> SsoResult<()> {
        let caller = Caller { cid: Some(&d.cid), current_app: &d.current_app, remote_addr: &d.remote_addr };
        self.create_reset_token(&caller, &d.credential, d.user_agent.as_deref()).await
    }

    fn respond(cid: String, outcome: Outcome) -> HttpResponse {
        let (status, body) = match outcome {
            Ok((mut fields, status, sub_status)) => {
                let mut body = Map::new();
                body.insert("cid".into(), Value::String(cid));
                body.insert("status".into(), Value::String(status.into()));
                body.insert("sub_status".into(), json!(sub_status));
                body.append(&mut fields);
                (200, Value::Object(body))
            }
            Err((Reject::BadRequest(details), _)) => (400, error_body(&cid, &details)),
            Err((Reject::NotFound, _)) => (404, error_body(&cid, "Not found")),
            Err((Reject::MethodNotAllowed, _)) => (405, error_body(&cid, "Method not allowed")),
            Err((Reject::UnsupportedMediaType, _)) => (415, error_body(&cid, "Content-Type must be application/json")),
            Err((Reject::TooLarge, _)) => (413, error_body(&cid, "Request body too large")),
            Err((Reject::Invalid(details), _)) => {
                let body = json!({
                    "result": "Error", "cid": cid, "details": details, "status": "error", "sub_status": [Code::InvalidInput.as_str()],
                });
                (400, body)
            }
            Err((Reject::Sso(e), hiding)) => {
                let codes = match hiding {
                    Hiding::Honour => e.public_codes(),
                    Hiding::Specific if e.sub_status.is_empty() => vec![Code::AuthNotAllowed.as_str()],
                    Hiding::Specific => e.codes(),
                };
                // The host failed: a server error, still in the envelope and with no detail.
                let status = if e.is_host_failure() { 500 } else { 403 };
                // Not in Zato: refused input (E008002, when shown) says which input and which
                // limit, so that a form can say what to fix. The core's words for it name the
                // input and its bound, never the value.
                if codes == [Code::InvalidInput.as_str()] && e.sub_status == [Code::InvalidInput] {
                    (status, json!({ "cid": cid, "status": "error", "sub_status": codes, "details": e.detail }))
                } else {
                    (status, json!({ "cid": cid, "status": "error", "sub_status": codes }))
                }
            }
        };
        HttpResponse { status, body, deferred: None }
    }

    async fn route(&self, cid: &str, req: &HttpRequest<'_>, deferred: &mut Option<Deferred>) -> Outcome {
        let Some(rest) = req.path.strip_prefix("/zato/sso/") else { return Err((Reject::NotFound, Hiding::Specific)) };
        let endpoint = rest.trim_end_matches('/');
        let method = req.method.to_ascii_uppercase();
        let route = match table::lookup(endpoint, &method) {
            table::Lookup::Found(route) if route.needs_app => route,
            table::Lookup::MethodNotAllowed if endpoint != table::OPENAPI_PATH => return Err((Reject::MethodNotAllowed, Hiding::Specific)),
            // An unknown path; or the document, which `handle_http` answers when http.openapi is
            // on: otherwise its path does not exist, whatever the method.
            _ => return Err((Reject::NotFound, Hiding::Specific)),
        };
        let input = Input::parse(req, route).map_err(|r| (r, Hiding::Specific))?;
        // Inputs that go into audit records are bounded before any operation runs, so that no
        // record carries an oversize value (the core bounds them too).
        input.check_audited(endpoint, req).map_err(|r| (r, Hiding::Specific))?;
        // Prelude (spec §8.1, with §10 O-42: 403, not 200).
        let app = input.opt_str("current_app").map_err(|r| (r, Hiding::Specific))?.unwrap_or_default();
        if app.is_empty() || !self.config.apps.all.contains(&app) {
            let code = if self.config.apps.inform_if_app_invalid { Code::AppListInvalid } else { Code::AuthNotAllowed };
            return Err((Reject::Sso(SsoError::shown(code, "current_app is missing or unknown")), Hiding::Specific));
        }
        let origin = Caller { cid: Some(cid), current_app: &app, remote_addr: req.remote_addr };
        let (mut fields, status, sub_status) = self.endpoint(origin, endpoint, &method, &input, req, deferred).await?;
        // The table says what an answer holds: nothing else leaves.
        fields.retain(|name, _| route.answers(name));
        Ok((fields, status, sub_status))
    }
}
