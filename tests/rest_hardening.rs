#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! REST hardening: the confirm token over REST (`signup.always_return_confirm_token`), JSON-only
//! bodies (415), audited inputs bounded before the operation (E008002, 400), and no client-chosen
//! `sign_up_status` at sign-up (E008002).

mod common;

use std::cell::RefCell;

use common::*;
use edge_sso::hooks::{HookError, Hooks};
use edge_sso::rest::{HttpRequest, HttpResponse};
use edge_sso::{MemoryAudit, MemoryStore, Sso};
use serde_json::{json, Value};

const PW: &str = "a long enough passphrase";

/// Keeps what the sign-up callback receives (it carries the confirm token).
#[derive(Default)]
struct Signups {
    calls: RefCell<Vec<Value>>,
}

impl Hooks for Signups {
    async fn signup_callback(&self, ctx: &Value) -> Result<(), HookError> {
        self.calls.borrow_mut().push(ctx.clone());
        Ok(())
    }
}

type HookedSso = Sso<MemoryStore, MemoryAudit, Signups>;

fn sso(overrides: Value) -> HookedSso {
    Sso::with_hooks(MemoryStore::new(), MemoryAudit::default(), Signups::default(), keys(), config(overrides), Box::new(|| Some(T0)))
}

struct Req<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    body: &'a [u8],
    content_type: Option<&'a str>,
    user_agent: Option<&'a str>,
}

impl Default for Req<'_> {
    fn default() -> Self {
        Req { method: "POST", path: "/zato/sso/user/login", query: "", body: b"", content_type: Some("application/json"), user_agent: Some("test") }
    }
}

fn send(sso: &HookedSso, r: Req<'_>) -> HttpResponse {
    let req = HttpRequest {
        method: r.method,
        path: r.path,
        query: r.query,
        body: r.body,
        content_type: r.content_type,
        remote_addr: ADDR,
        user_agent: r.user_agent,
        authorization: None,
    };
    block_on(sso.handle_http(&req))
}

fn post_json(sso: &HookedSso, path: &str, body: Value) -> HttpResponse {
    let text = body.to_string();
    send(sso, Req { path, body: text.as_bytes(), ..Default::default() })
}

fn audit_count(sso: &HookedSso) -> usize {
    sso.audit_sink().events.borrow().len()
}

fn audit_text(sso: &HookedSso) -> String {
    serde_json::to_string(&sso.audit_sink().events.borrow().iter().map(|e| e.to_json()).collect::<Vec<_>>()).unwrap()
}

#[track_caller]
fn assert_e008002(r: &HttpResponse) {
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["sub_status"], json!(["E008002"]), "{}", r.body);
    assert_eq!(r.body["status"], json!("error"));
    assert_eq!(r.body["result"], json!("Error"));
    assert!(r.body["cid"].as_str().is_some_and(|c| !c.is_empty()));
}

// Item 3 ------------------------------------------------------------------------------------

#[test]
fn rest_sign_up_keeps_the_confirm_token_out_of_the_answer_unless_always_return_confirm_token() {
    // Zato's default is on: the answer carries the token, as Zato's clients expect.
    assert!(edge_sso::Config::default().signup.always_return_confirm_token);
    let on = sso(json!({}));
    let r = post_json(&on, "/zato/sso/user/signup", json!({ "current_app": APP, "username": "jo", "password": PW }));
    assert_eq!((r.status, &r.body["status"]), (200, &json!("ok")), "{}", r.body);
    let token = r.body["confirm_token"].as_str().expect("the token, with the flag on").to_string();
    assert_eq!(on.hooks_for_tests().calls.borrow()[0]["confirm_token"], json!(token));

    // Off: Zato's envelope without the token; only the host's hook has it.
    let off = sso(json!({ "signup": { "always_return_confirm_token": false } }));
    let r = post_json(&off, "/zato/sso/user/signup", json!({ "current_app": APP, "username": "jo", "password": PW }));
    assert_eq!((r.status, &r.body["status"], &r.body["sub_status"]), (200, &json!("ok"), &json!([])), "{}", r.body);
    assert_eq!(r.body.as_object().unwrap().keys().collect::<Vec<_>>(), ["cid", "status", "sub_status"], "{}", r.body);
    let calls = off.hooks_for_tests().calls.borrow().clone();
    assert_eq!(calls.len(), 1);
    let token = calls[0]["confirm_token"].as_str().expect("the hook gets the token").to_string();
    assert!(!r.body.to_string().contains(&token));
    // The mailed token confirms; nothing else does (E005006).
    let r = send(
        &off,
        Req {
            method: "PATCH",
            path: "/zato/sso/user/signup",
            body: json!({ "current_app": APP, "confirm_token": "guessed" }).to_string().as_bytes(),
            ..Default::default()
        },
    );
    assert_eq!((r.status, &r.body["sub_status"]), (403, &json!(["E005006"])), "{}", r.body);
    let r = send(
        &off,
        Req {
            method: "PATCH",
            path: "/zato/sso/user/signup",
            body: json!({ "current_app": APP, "confirm_token": token }).to_string().as_bytes(),
            ..Default::default()
        },
    );
    assert_eq!((r.status, &r.body["status"]), (200, &json!("ok")), "{}", r.body);
    // The Python-style API still resolves the token (trusted host code).
    let ctx = obj(json!({ "username": "api", "password": PW }));
    let t = block_on(off.signup(&caller(), &ctx)).unwrap();
    assert!(!t.is_empty());
}

// Item 15 -----------------------------------------------------------------------------------

#[test]
fn rest_refuses_a_body_that_is_not_application_json_with_415() {
    let s = sso(json!({}));
    let body = json!({ "current_app": APP, "username": "jo", "password": PW }).to_string();
    // Each of these a browser may send cross-site without a CORS preflight, or is no JSON type.
    for ct in [
        None,
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/xml"),
        Some("application/merge-patch+json"),
        Some("application/jsonx"),
        Some(""),
    ] {
        let before = audit_count(&s);
        let r = send(&s, Req { path: "/zato/sso/user/signup", body: body.as_bytes(), content_type: ct, ..Default::default() });
        assert_eq!(r.status, 415, "{ct:?}: {}", r.body);
        assert_eq!(r.body["result"], json!("Error"));
        assert_eq!(r.body["details"], json!("Content-Type must be application/json"));
        assert_eq!(audit_count(&s), before, "{ct:?}: nothing ran");
        // A whitespace-only body is a body too.
        let r = send(&s, Req { path: "/zato/sso/user/logout", query: "current_app=CRM&ust=x", body: b" ", content_type: ct, ..Default::default() });
        assert_eq!(r.status, 415, "{ct:?}");
    }
    assert!(s.hooks_for_tests().calls.borrow().is_empty(), "no sign-up happened");
    // application/json with parameters, in any case, is accepted.
    for (i, ct) in ["application/json", "Application/JSON; charset=utf-8", " application/json ;charset=UTF-8"].into_iter().enumerate() {
        let body = json!({ "current_app": APP, "username": format!("jo{i}"), "password": PW }).to_string();
        let r = send(&s, Req { path: "/zato/sso/user/signup", body: body.as_bytes(), content_type: Some(ct), ..Default::default() });
        assert_eq!((r.status, &r.body["status"]), (200, &json!("ok")), "{ct}: {}", r.body);
    }
    // No body, no content type: inputs in the query string, as before.
    for method in ["GET", "DELETE", "POST"] {
        let r = send(&s, Req { method, path: "/zato/sso/user/logout", query: "current_app=CRM&ust=x", content_type: None, ..Default::default() });
        assert_eq!((r.status, &r.body["status"]), (200, &json!("ok")), "{method}: {}", r.body);
    }
}

// Item 16 -----------------------------------------------------------------------------------

#[test]
fn rest_refuses_oversize_audited_inputs_with_e008002_before_any_audit_record() {
    let s = sso(json!({}));
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    block_on(s.create_super_user(None, &mut boot)).unwrap();
    let admin = block_on(s.login(&caller(), ADMIN, ADMIN_PASSWORD, Default::default())).unwrap().ust;
    let before = audit_count(&s);
    let big = "u".repeat(1000 * 1024); // within the 1 MiB body limit
    let over = "v".repeat(1025);
    let login = |extra: Value| {
        let mut body = json!({ "current_app": APP, "username": "jo", "password": PW });
        common::merge(&mut body, extra);
        post_json(&s, "/zato/sso/user/login", body)
    };
    for r in [
        login(json!({ "username": big })),
        login(json!({ "username": over })),
        login(json!({ "user_agent": over })),
        login(json!({ "remote_addr": format!("10.0.0.1,{}", "1".repeat(4096)) })),
        post_json(&s, "/zato/sso/user/signup", json!({ "current_app": APP, "username": over, "password": PW })),
        post_json(&s, "/zato/sso/user", json!({ "current_app": APP, "ust": admin, "username": over })),
        post_json(&s, "/zato/sso/user/lock", json!({ "current_app": APP, "ust": admin, "user_id": over })),
        post_json(&s, "/zato/sso/user/login", json!({ "current_app": over, "username": "jo", "password": PW })),
        send(
            &s,
            Req {
                method: "GET",
                path: "/zato/sso/user",
                query: &format!("current_app=CRM&ust={admin}&user_id={over}"),
                content_type: None,
                ..Default::default()
            },
        ),
        send(
            &s,
            Req {
                method: "GET",
                path: "/zato/sso/user/attr/names",
                query: &format!("current_app=CRM&ust={admin}&user_id={over}"),
                content_type: None,
                ..Default::default()
            },
        ),
        // The User-Agent header, where the endpoint records it.
        send(
            &s,
            Req {
                body: json!({ "current_app": APP, "username": "jo", "password": PW }).to_string().as_bytes(),
                user_agent: Some(&over),
                ..Default::default()
            },
        ),
        send(
            &s,
            Req {
                path: "/zato/sso/password/reset",
                body: json!({ "current_app": APP, "credential": "jo" }).to_string().as_bytes(),
                user_agent: Some(&over),
                ..Default::default()
            },
        ),
    ] {
        assert_e008002(&r);
        assert!(!r.body.to_string().contains("vvvv") && !r.body.to_string().contains("uuuu"), "the value is not echoed");
        assert!(r.deferred.is_none());
    }
    assert_eq!(audit_count(&s), before, "no record was written");
    assert!(!audit_text(&s).contains("vvvv"));
    // At the limit the operation runs (and is recorded) as before.
    let at = "w".repeat(1024);
    let r = login(json!({ "username": at }));
    assert_eq!((r.status, &r.body["sub_status"]), (403, &json!(["E005001"])), "{}", r.body);
    assert_eq!(audit_count(&s), before + 1);
    // A long User-Agent on an endpoint that does not record it changes nothing.
    let r = send(
        &s,
        Req {
            method: "GET",
            path: "/zato/sso/user",
            query: &format!("current_app=CRM&ust={admin}"),
            content_type: None,
            user_agent: Some(&over),
            ..Default::default()
        },
    );
    assert_eq!((r.status, &r.body["status"]), (200, &json!("ok")), "{}", r.body);
}

// Item 19 -----------------------------------------------------------------------------------

#[test]
fn rest_sign_up_refuses_a_sign_up_status_input_with_e008002() {
    let s = sso(json!({}));
    for (body, query) in [
        (json!({ "current_app": APP, "username": "jo", "password": PW, "sign_up_status": "final" }), ""),
        (json!({ "current_app": APP, "username": "jo", "password": PW, "sign_up_status": "before_confirmation" }), ""),
        (json!({ "current_app": APP, "username": "jo", "password": PW, "sign_up_status": null }), ""),
        (json!({ "current_app": APP, "username": "jo", "password": PW }), "sign_up_status=final"),
    ] {
        let text = body.to_string();
        let r = send(&s, Req { path: "/zato/sso/user/signup", query, body: text.as_bytes(), ..Default::default() });
        assert_e008002(&r);
    }
    assert_eq!(audit_count(&s), 0, "refused before the operation");
    assert!(s.hooks_for_tests().calls.borrow().is_empty(), "nobody signed up");
    // Without it the sign-up waits for its confirmation, as Zato's does.
    let r = post_json(&s, "/zato/sso/user/signup", json!({ "current_app": APP, "username": "jo", "password": PW }));
    assert_eq!(r.body["status"], json!("ok"), "{}", r.body);
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    block_on(s.create_super_user(None, &mut boot)).unwrap();
    let admin = block_on(s.login(&caller(), ADMIN, ADMIN_PASSWORD, Default::default())).unwrap().ust;
    let found = block_on(s.call("user.search", &[Value::Null, json!({ "username": "jo" }), json!(admin), json!(APP), json!(ADDR)])).unwrap();
    assert_eq!(found["result"][0]["sign_up_status"], json!("before_confirmation"), "{found}");
}

/// The REST password change takes `password_must_change` as the Python API does (README O-12):
/// it used to be ignored over REST.
#[test]
fn rest_password_change_takes_password_must_change() {
    let s = sso(json!({}));
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    block_on(s.create_super_user(None, &mut boot)).unwrap();
    let admin = block_on(s.login(&caller(), ADMIN, ADMIN_PASSWORD, Default::default())).unwrap().ust;
    let mut d = obj(json!({ "username": "jo", "password": PW }));
    block_on(s.create_user(&caller().with_ust(&admin), &mut d, edge_sso::CreateOptions { auto_approve: true })).unwrap();
    let id = d["user_id"].as_str().unwrap().to_string();
    for (key, value) in [("password_must_change", true), ("must_change", false), ("password_must_change", true)] {
        let body = json!({ "current_app": APP, "ust": admin, "user_id": id, "new_password": "another long passphrase", key: value }).to_string();
        let r = send(&s, Req { method: "PATCH", path: "/zato/sso/user/password", body: body.as_bytes(), ..Default::default() });
        assert_eq!((r.status, &r.body["status"]), (200, &json!("ok")), "{}", r.body);
        let user = block_on(s.get_user_by_id(&caller().with_ust(&admin), &id)).unwrap();
        assert_eq!(user["password_must_change"], json!(value), "{key}");
    }
    let both = json!({ "current_app": APP, "ust": admin, "user_id": id, "new_password": "another long passphrase", "must_change": true, "password_must_change": true }).to_string();
    let r = send(&s, Req { method: "PATCH", path: "/zato/sso/user/password", body: both.as_bytes(), ..Default::default() });
    assert_eq!(r.body["sub_status"], json!(["E008002"]), "{}", r.body);
}

// Issue 14: a form over REST can say which input was refused and why --------------------------

#[test]
fn rest_names_the_refused_input_and_its_limit_with_e008002_never_its_value() {
    let s = sso(json!({}));
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD }));
    block_on(s.create_super_user(None, &mut boot)).unwrap();
    let admin = block_on(s.login(&caller(), ADMIN, ADMIN_PASSWORD, Default::default())).unwrap().ust;
    let long = "display-name-value-".repeat(60);
    let body = json!({ "current_app": APP, "ust": admin, "display_name": long });
    let req_body = body.to_string();
    let r = send(&s, Req { method: "PATCH", path: "/zato/sso/user", body: req_body.as_bytes(), ..Default::default() });
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert_eq!(r.body["sub_status"], json!(["E008002"]));
    let details = r.body["details"].as_str().expect("details");
    assert!(details.contains("display_name") && details.contains("1024"), "{details}");
    assert!(!details.contains("display-name-value"), "the value leaked: {details}");
    // Other refusals keep Zato's envelope, with no details.
    let wrong = send(&s, Req { method: "GET", path: "/zato/sso/user", query: "current_app=CRM&ust=nope", content_type: None, ..Default::default() });
    assert_eq!(wrong.status, 403);
    assert!(wrong.body.get("details").is_none(), "{:?}", wrong.body);
}
