#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Property-based fuzzing of the two entry points JavaScript reaches: the operation table
//! (`Sso::call`, what every package method goes through) and the REST handler. Random JSON
//! and random bytes; no panic, every answer an error with codes or a valid envelope.
//! Cases: FUZZ_CASES (default 50,000 each: 100,000 in `make test`); `make fuzz` runs more.
//! The files in tests/fuzz-corpus/ are replayed first, every run.

mod common;
use common::*;
use edge_sso::api::OPERATIONS;
use edge_sso::rest::HttpRequest;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::{json, Value};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(50_000)
}

fn strings() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_.@ -]{0,12}",
        any::<String>(),
        Just(String::new()),
        Just("CRM".to_string()),
        Just("es1.AAAAAAAA.AAAA".to_string()),
        Just("x".repeat(5000)),
        Just("\u{0}\u{fffd}\u{10ffff}".to_string()),
        Just("2024-01-01T00:00:00".to_string()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        strings().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    strings(),
                    Just("username".to_string()),
                    Just("password".to_string()),
                    Just("name".to_string()),
                    Just("user_id".to_string())
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An argument list: random values, with real USTs, ids and app names mixed in so that calls
/// get past session resolution into the operations themselves.
fn args(ust: String, user_id: String) -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(
        prop_oneof![
            4 => json_value(),
            2 => Just(Value::String(ust)),
            1 => Just(Value::String(user_id)),
            2 => Just(Value::String("CRM".into())),
            1 => Just(Value::String("10.0.0.1".into())),
        ],
        0..9,
    )
}

fn check_error(e: &edge_sso::SsoError) {
    assert!(!e.sub_status.is_empty(), "an error without a code: {e:?}");
    assert!(e.message().len() < 2000, "an unbounded message");
}

fn fixture() -> (Fixture, String, String) {
    let f = Fixture::new(json!({ "signup": { "is_approval_needed": false }, "throttle": { "enabled": false } }));
    let ust = f.admin_ust();
    let (id, _) = f.regular(&ust, "fuzzed", "fuzzed passphrase 1");
    (f, ust, id)
}

#[test]
fn the_operation_table_survives_random_arguments() {
    let (f, ust, id) = fixture();
    for entry in corpus("call") {
        let op = entry["op"].as_str().unwrap_or_default().to_string();
        let a = entry["args"].as_array().cloned().unwrap_or_default();
        if let Err(e) = block_on(f.sso.call(&op, &a)) {
            check_error(&e);
        }
    }
    let mut runner = TestRunner::new(RunnerConfig { cases: cases(), failure_persistence: None, ..RunnerConfig::default() });
    let ops: Vec<&'static str> = OPERATIONS.iter().copied().chain(["nope", "user.attr.bogus"]).collect();
    runner
        .run(&(prop::sample::select(ops), args(ust.clone(), id.clone())), |(op, a)| {
            if let Err(e) = block_on(f.sso.call(op, &a)) {
                check_error(&e);
            }
            Ok(())
        })
        .unwrap();
    // Still whole afterwards (the fuzzer may have renamed, locked or deleted things).
    let (g, ust2, _) = fixture();
    g.get_current(&ust2).unwrap();
}

const PATHS: [&str; 24] = [
    "/zato/sso/user/login",
    "/zato/sso/user/logout",
    "/zato/sso/user",
    "/zato/sso/user/password",
    "/zato/sso/user/totp",
    "/zato/sso/user/lock",
    "/zato/sso/user/approve",
    "/zato/sso/user/reject",
    "/zato/sso/user/search",
    "/zato/sso/user/signup",
    "/zato/sso/user/linked",
    "/zato/sso/user/session",
    "/zato/sso/user/session/list",
    "/zato/sso/user/attr",
    "/zato/sso/user/attr/exists",
    "/zato/sso/user/attr/names",
    "/zato/sso/session/attr",
    "/zato/sso/session/attr/exists",
    "/zato/sso/session/attr/names",
    "/zato/sso/password/reset",
    "/zato/sso/",
    "/zato/sso/user/",
    "/other",
    "/zato/sso/user/create",
];

fn body(ust: String, id: String) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => (json_value(), prop::collection::btree_map(
                prop::sample::select(vec!["username", "password", "ust", "user_id", "name", "value", "data", "current_ust", "target_ust",
                    "token", "credential", "page_size", "is_name_exact", "totp_code", "new_password", "confirm_token"]),
                prop_oneof![json_value(), Just(Value::String(ust)), Just(Value::String(id))], 0..8))
            .prop_map(|(_, m)| {
                let mut o: serde_json::Map<String, Value> = m.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                o.insert("current_app".into(), json!("CRM"));
                Value::Object(o).to_string().into_bytes()
            }),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ]
}

fn check_response(status: u16, body: &Value) {
    assert!([200, 400, 403, 404, 405, 413, 415, 500, 501].contains(&status), "status {status}");
    let obj = body.as_object().expect("a JSON object");
    assert!(obj.contains_key("cid"), "no cid: {body}");
    match status {
        200 => assert!(matches!(obj.get("status").and_then(Value::as_str), Some("ok" | "warning"))),
        403 | 500 if obj.contains_key("status") => {
            assert_eq!(obj["status"], json!("error"));
            assert!(!obj["sub_status"].as_array().unwrap().is_empty());
        }
        _ => assert_eq!(obj["result"], json!("Error"), "{status}: {body}"),
    }
    let text = body.to_string();
    assert!(!text.contains("$argon2") && !text.contains("fuzzed passphrase"), "a secret in a response");
}

#[test]
fn the_rest_handler_survives_random_requests() {
    let (f, ust, id) = fixture();
    let serve = |method: &str, path: &str, query: &str, body: &[u8], ct: Option<&str>| {
        let req =
            HttpRequest { method, path, query, body, content_type: ct, remote_addr: "127.0.0.1", user_agent: Some("fuzz"), authorization: None };
        block_on(f.sso.handle_http(&req))
    };
    for entry in corpus("rest") {
        let r = serve(
            entry["method"].as_str().unwrap_or("POST"),
            entry["path"].as_str().unwrap_or("/"),
            entry["query"].as_str().unwrap_or(""),
            entry["body"].as_str().unwrap_or("").as_bytes(),
            entry["content_type"].as_str(),
        );
        check_response(r.status, &r.body);
    }
    let mut runner = TestRunner::new(RunnerConfig { cases: cases(), failure_persistence: None, ..RunnerConfig::default() });
    let strategy = (
        prop::sample::select(vec!["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "get", "BREW"]),
        prop::sample::select(PATHS.to_vec()),
        prop_oneof![Just(String::new()), "[a-z_=&%0-9]{0,40}", Just("current_app=CRM&ust=x".to_string())],
        body(ust, id),
        prop::sample::select(vec![
            None,
            Some("application/json"),
            Some("text/plain"),
            Some("application/xml"),
            Some("application/json; charset=utf-8"),
        ]),
    );
    runner
        .run(&strategy, |(method, path, query, body, ct)| {
            let r = serve(method, path, &query, &body, ct);
            check_response(r.status, &r.body);
            Ok(())
        })
        .unwrap();
}

/// The seed corpus: `tests/fuzz-corpus/<kind>-*.json`, one input per file.
fn corpus(kind: &str) -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(kind) && name.ends_with(".json") {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            out.push(serde_json::from_str(&text).expect("corpus files are JSON"));
        }
    }
    assert!(!out.is_empty(), "no {kind} corpus");
    out
}
