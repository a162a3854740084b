#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! The REST route table (src/rest/table.rs) against what the endpoints do, and the OpenAPI
//! document generated from it: every required input is required, every undeclared method is
//! 405, answers carry only declared fields, and the document is served only with `http.openapi`.

mod common;

use std::collections::HashSet;

use common::*;
use edge_sso::rest::table::{Dispatch, Kind, ANY_METHODS, ROUTES};
use edge_sso::rest::{HttpRequest, HttpResponse};
use edge_sso::MemoryStore;
use serde_json::{json, Map, Value};

fn send<S: edge_sso::store::Store>(f: &Fixture<S>, method: &str, path: &str, body: &Value) -> HttpResponse {
    let body = body.to_string();
    let req = HttpRequest {
        method,
        path,
        query: "",
        body: body.as_bytes(),
        content_type: Some("application/json"),
        remote_addr: ADDR,
        user_agent: Some("test"),
        authorization: None,
    };
    block_on(f.sso.handle_http(&req))
}

fn sample(kind: Kind) -> Value {
    match kind {
        Kind::Str | Kind::StrOrNull | Kind::Time | Kind::TimeOrNull => json!("x"),
        Kind::Bool => json!(true),
        Kind::Int | Kind::IntOrNull => json!(1),
        Kind::Any | Kind::Object | Kind::Users | Kind::Sessions | Kind::LinkedAuths => json!(null),
    }
}

fn method_of(route: &edge_sso::rest::table::Route) -> &'static str {
    match route.dispatch {
        Dispatch::AnyMethod => "POST",
        Dispatch::ByMethod => route.method,
    }
}

#[test]
fn each_path_and_method_is_declared_once() {
    let mut seen = HashSet::new();
    for r in ROUTES {
        assert!(seen.insert((r.path, r.method)), "{} {} twice", r.method, r.path);
        let names: HashSet<_> = r.inputs.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), r.inputs.len(), "{} {}: an input twice", r.method, r.path);
    }
}

#[test]
fn each_route_names_the_operations_of_the_table_it_runs() {
    for r in ROUTES.iter().filter(|r| r.needs_app) {
        assert!(!r.operations.is_empty(), "{} {} names no operation", r.method, r.path);
        for op in r.operations {
            assert!(edge_sso::api::OPERATIONS.contains(op), "{} {}: {op} is not in the operation table", r.method, r.path);
        }
    }
}

#[test]
fn a_request_without_a_required_input_is_refused_with_400() {
    let f = Fixture::new(json!({}));
    for r in ROUTES.iter().filter(|r| r.needs_app) {
        for missing in r.inputs.iter().filter(|i| i.required) {
            let mut body = Map::new();
            body.insert("current_app".into(), json!(APP));
            for i in r.inputs.iter().filter(|i| i.required && i.name != missing.name) {
                body.insert(i.name.into(), sample(i.kind));
            }
            let res = send(&f, method_of(r), &format!("/zato/sso/{}", r.path), &Value::Object(body));
            assert_eq!(res.status, 400, "{} {} without {}: {:?}", r.method, r.path, missing.name, res.body);
        }
    }
}

#[test]
fn a_method_a_path_does_not_declare_is_405_and_an_unknown_path_404() {
    let f = Fixture::new(json!({}));
    let paths: HashSet<&str> = ROUTES.iter().filter(|r| r.needs_app).map(|r| r.path).collect();
    for path in paths {
        let declared: Vec<&str> = ROUTES.iter().filter(|r| r.path == path).map(|r| r.method).collect();
        if declared.contains(&"*") {
            continue;
        }
        for method in ANY_METHODS.iter().filter(|m| !declared.contains(m)) {
            let res = send(&f, method, &format!("/zato/sso/{path}"), &json!({ "current_app": APP }));
            assert_eq!(res.status, 405, "{method} {path}");
        }
    }
    assert_eq!(send(&f, "GET", "/zato/sso/user/nothing", &json!({ "current_app": APP })).status, 404);
}

#[test]
fn answers_carry_their_declared_fields_and_nothing_else() {
    let f = Fixture::new(json!({}));
    f.bootstrap();
    let login = send(&f, "POST", "/zato/sso/user/login", &json!({ "current_app": APP, "username": ADMIN, "password": ADMIN_PASSWORD }));
    assert_eq!(login.status, 200, "{:?}", login.body);
    let keys: HashSet<&str> = login.body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["cid", "status", "sub_status", "ust", "device_token"]));
    let ust = login.body["ust"].as_str().unwrap();
    // The super-user's own record has its TOTP key; GET /user never answers it.
    let me = send(&f, "GET", "/zato/sso/user", &json!({ "current_app": APP, "ust": ust }));
    assert_eq!(me.status, 200);
    assert!(me.body.get("totp_key").is_none());
    let user_fields: HashSet<&str> = edge_sso::rest::table::USER.iter().map(|f| f.name).collect();
    for k in me.body.as_object().unwrap().keys().filter(|k| !["cid", "status", "sub_status"].contains(&k.as_str())) {
        assert!(user_fields.contains(k.as_str()), "GET /user answered {k}, which USER does not declare");
    }
}

#[test]
fn the_document_names_every_route_and_method_and_no_other() {
    let doc = edge_sso::rest::openapi::document(&config(json!({})));
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut ids = HashSet::new();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(ids.insert(op["operationId"].as_str().unwrap().to_string()), "operationId twice: {path} {method}");
            let endpoint = path.strip_prefix("/zato/sso/").unwrap();
            let declared = ROUTES.iter().any(|r| r.path == endpoint && (r.dispatch == Dispatch::AnyMethod || r.method.eq_ignore_ascii_case(method)));
            assert!(declared, "{method} {path} is not in the table");
        }
    }
    let expected: usize = ROUTES.iter().map(|r| if r.dispatch == Dispatch::AnyMethod { ANY_METHODS.len() } else { 1 }).sum();
    assert_eq!(operations, expected);
    // Every code the core has is a code the document allows.
    assert_eq!(doc["components"]["schemas"]["Code"]["enum"].as_array().unwrap().len(), edge_sso::error::ALL_CODES.len());
}

#[test]
fn the_document_is_served_only_with_http_openapi_and_names_the_configured_cookie() {
    let off = Fixture::new(json!({}));
    let res = send(&off, "GET", "/zato/sso/openapi.json", &json!({}));
    assert_eq!(res.status, 404);
    let on = Fixture::<MemoryStore>::new(json!({ "http": { "openapi": true, "cookie_sessions": true, "cookie_name": "__Host-app" } }));
    // No current_app needed: the document is public.
    let res = send(&on, "GET", "/zato/sso/openapi.json", &json!({}));
    assert_eq!(res.status, 200);
    assert_eq!(res.body["openapi"], "3.1.0");
    assert_eq!(res.body["components"]["securitySchemes"]["cookieUst"]["name"], "__Host-app");
    assert_eq!(res.body, on.sso.openapi());
    // Only GET.
    assert_eq!(send(&on, "POST", "/zato/sso/openapi.json", &json!({})).status, 404);
}

fn names(fields: &[edge_sso::rest::table::Field], except: &[&str]) -> std::collections::BTreeSet<&'static str> {
    fields.iter().map(|f| f.name).filter(|n| !except.contains(n)).collect()
}

fn route(path: &str, method: &str) -> &'static edge_sso::rest::table::Route {
    match edge_sso::rest::table::lookup(path, method) {
        edge_sso::rest::table::Lookup::Found(r) => r,
        _ => panic!("no route {method} {path}"),
    }
}

/// The table gives REST its types; the core keeps its own lists of keys. They must agree, or
/// a field would be dropped from answers (the answer filter) or an input never read.
#[test]
fn the_table_agrees_with_the_cores_own_lists_of_keys() {
    use edge_sso::user::record::{BASIC_FIELDS, SUPER_USER_FIELDS};
    let view: std::collections::BTreeSet<&str> = BASIC_FIELDS
        .iter()
        .chain(SUPER_USER_FIELDS.iter())
        .copied()
        .filter(|k| *k != "totp_key")
        .chain(["is_rate_limit_active", "rate_limit_def", "rate_limit_type", "rate_limit_check_parent_def", "last_login_time"])
        .collect();
    assert_eq!(names(edge_sso::rest::table::USER, &[]), view, "USER against what views and search rows hold");
    let update: std::collections::BTreeSet<&str> =
        edge_sso::user::update::SELF_KEYS.iter().chain(edge_sso::user::update::SUPER_USER_KEYS.iter()).copied().collect();
    assert_eq!(names(route("user", "PATCH").inputs, &["ust", "user_id"]), update);
    let criteria: std::collections::BTreeSet<&str> = edge_sso::search::CRITERIA.iter().copied().collect();
    assert!(names(route("user/search", "POST").inputs, &["ust"]).is_subset(&criteria));
    let create: std::collections::BTreeSet<&str> = edge_sso::user::create::CREATE_KEYS.iter().copied().collect();
    assert!(names(route("user", "POST").inputs, &["ust", "auto_approve"]).is_subset(&create));
}
