//! The OpenAPI 3.1 document of the REST API, generated from the route table (`table.rs`), the
//! error codes (`crate::error`) and the configuration: never written by hand.

use serde_json::{json, Map, Value};

use super::table::{Dispatch, Field, Kind, Route, ANY_METHODS, LINKED_AUTH, ROUTES, SESSION, USER};
use super::MAX_BODY_BYTES;
use crate::config::Config;
use crate::error::ALL_CODES;

/// Zato's timestamps: UTC, no zone, microseconds when not zero.
const TIME_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$";

fn kind_schema(kind: Kind) -> Value {
    match kind {
        Kind::Str => json!({ "type": "string" }),
        Kind::StrOrNull => json!({ "type": ["string", "null"] }),
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::Int => json!({ "type": "integer" }),
        Kind::IntOrNull => json!({ "type": ["integer", "null"] }),
        Kind::Time => json!({ "type": "string", "pattern": TIME_PATTERN }),
        Kind::TimeOrNull => json!({ "type": ["string", "null"], "pattern": TIME_PATTERN }),
        Kind::Any => json!({}),
        Kind::Object => json!({ "type": "object" }),
        Kind::Users => json!({ "type": "array", "items": { "$ref": "#/components/schemas/User" } }),
        Kind::Sessions => json!({ "type": "array", "items": { "$ref": "#/components/schemas/Session" } }),
        Kind::LinkedAuths => json!({ "type": "array", "items": { "$ref": "#/components/schemas/LinkedAuth" } }),
    }
}

/// An object schema of `fields` (and `extra`); with `closed`, no other property.
fn object(fields: &[Field], extra: &[(&str, Value, bool)], closed: bool) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, schema, is_required) in extra {
        properties.insert((*name).into(), schema.clone());
        if *is_required {
            required.push(Value::String((*name).into()));
        }
    }
    for f in fields {
        properties.insert(f.name.into(), kind_schema(f.kind));
        if f.required {
            required.push(Value::String(f.name.into()));
        }
    }
    if closed {
        return json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false });
    }
    json!({ "type": "object", "properties": properties, "required": required })
}

fn codes() -> Vec<&'static str> {
    ALL_CODES.iter().map(|c| c.as_str()).collect()
}

fn components(config: &Config) -> Value {
    let envelope = [
        ("cid", json!({ "type": "string" }), true),
        ("status", json!({ "enum": ["ok", "warning"] }), true),
        ("sub_status", json!({ "type": "array", "items": { "$ref": "#/components/schemas/Code" } }), true),
    ];
    json!({
        "schemas": {
            "Code": { "enum": codes(), "description": "An edge-sso error code (README \"Error codes\")." },
            "User": object(USER, &[], true),
            "Session": object(SESSION, &[], true),
            "LinkedAuth": object(LINKED_AUTH, &[], true),
            "Envelope": object(&[], &envelope, false),
            "Error": {
                "type": "object",
                "description": "Every refusal: `result` and `details` for requests refused before any operation ran (400, 404, 405, 413, 415), `status` and `sub_status` for an operation's refusal (403; 500 when the host's store or audit failed).",
                "properties": {
                    "result": { "const": "Error" },
                    "cid": { "type": "string" },
                    "details": { "type": "string" },
                    "status": { "const": "error" },
                    "sub_status": { "type": "array", "items": { "$ref": "#/components/schemas/Code" } },
                },
                "required": ["cid"],
                "additionalProperties": false,
            },
        },
        "responses": {
            "Refused": { "description": "Refused", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        },
        "securitySchemes": {
            "bearerUst": { "type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <ust>` stands for a missing `ust` (or, with `target_ust`, `current_ust`) input." },
            "cookieUst": { "type": "apiKey", "in": "cookie", "name": config.http.cookie_name, "description": "With http.cookie_sessions: the session cookie set by login, for requests with no `ust` input and no Authorization header." },
        },
    })
}

/// Every status an operation answers: 200 with `answer`, and the refusals.
fn responses(answer: Value) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("200".into(), json!({ "description": "Done", "content": { "application/json": { "schema": answer } } }));
    for status in ["400", "403", "404", "405", "413", "415", "500"] {
        out.insert(status.into(), json!({ "$ref": "#/components/responses/Refused" }));
    }
    out
}

/// A UST may come as a bearer header or the session cookie instead of an input.
fn required_on_the_wire(f: &Field) -> bool {
    f.required && f.name != "ust" && f.name != "current_ust"
}

fn operation(route: &Route, method: &str) -> Value {
    let id = format!("{}_{}", route.path.replace(['/', '.'], "_"), method.to_ascii_lowercase());
    let inputs: Vec<Field> = route
        .needs_app
        .then_some(Field { name: "current_app", kind: Kind::Str, required: true })
        .into_iter()
        .chain(route.inputs.iter().copied())
        .collect();
    let on_the_wire: Vec<Field> = inputs.iter().map(|f| Field { required: required_on_the_wire(f), ..*f }).collect();
    let mut op = Map::new();
    op.insert("operationId".into(), Value::String(id));
    op.insert("summary".into(), Value::String(route.summary.into()));
    if !route.operations.is_empty() {
        // The package's methods that run the same core operations (`sso.user.login`, ...).
        let methods: Vec<Value> = route.operations.iter().map(|o| Value::String(format!("sso.{o}"))).collect();
        op.insert("x-edge-sso-methods".into(), Value::Array(methods));
    }
    if method == "GET" {
        let params: Vec<Value> = inputs
            .iter()
            .map(|f| json!({ "name": f.name, "in": "query", "required": required_on_the_wire(f), "schema": kind_schema(f.kind) }))
            .collect();
        op.insert("parameters".into(), Value::Array(params));
    } else {
        let body = json!({ "required": true, "content": { "application/json": { "schema": object(&on_the_wire, &[], false) } } });
        op.insert("requestBody".into(), body);
    }
    if route.inputs.iter().any(|f| f.name == "ust" || f.name == "current_ust") {
        op.insert("security".into(), json!([{}, { "bearerUst": [] }, { "cookieUst": [] }]));
    }
    let answer = if route.needs_app {
        json!({ "allOf": [{ "$ref": "#/components/schemas/Envelope" }, object(route.answer, &[], false)], "unevaluatedProperties": false })
    } else {
        json!({ "type": "object" })
    };
    op.insert("responses".into(), Value::Object(responses(answer)));
    Value::Object(op)
}

/// The document, with the names `config` chooses (the session cookie's).
pub fn document(config: &Config) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for route in ROUTES {
        let methods: Vec<&str> = match route.dispatch {
            Dispatch::AnyMethod => ANY_METHODS.to_vec(),
            Dispatch::ByMethod => vec![route.method],
        };
        let item = paths.entry(format!("/zato/sso/{}", route.path)).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            for method in methods {
                item.insert(method.to_ascii_lowercase(), operation(route, method));
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "edge-sso REST API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "Zato SSO's REST API as edge-sso serves it (`sso.fetch`). Inputs come in the JSON body or the query string (Zato merges both; GET sends them in the query). Bodies must be `application/json` and at most {MAX_BODY_BYTES} bytes. Every answer carries a `cid`; `sub_status` lists error codes. Generated from the endpoint table (src/rest/table.rs)."
            ),
            "license": { "name": "MIT", "identifier": "MIT" },
        },
        "paths": paths,
        "components": components(config),
    })
}
