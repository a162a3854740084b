#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Security properties (issue "hardening"): throttling, TOTP replay, enumeration timing,
//! session limits, key rotation, migrated hashes, secrets out of Debug, the strict profile.

mod common;
use std::cell::Cell;

use common::*;
use edge_sso::crypto::seal::KeyRing;
use edge_sso::store::{ListPage, StoreError};
use edge_sso::{Code, LoginOptions, MemoryStore, Store};
use serde_json::json;

const PW: &str = "user passphrase 1";

/// Counts how often a login got past the throttle to the user's record (read on its own,
/// alongside the counting of the attempt, only by an attempt the counters do not refuse).
struct CountingStore {
    inner: MemoryStore,
    username_reads: Cell<u32>,
}

impl Store for CountingStore {
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        if keys.first().is_some_and(|k| k.starts_with("sso/user/")) {
            self.username_reads.set(self.username_reads.get() + 1);
        }
        self.inner.get_many(keys).await
    }
    async fn commit(&self, commit: &edge_sso::store::Commit) -> Result<Option<bool>, StoreError> {
        self.inner.commit(commit).await
    }
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        if key.starts_with("sso/user/") {
            self.username_reads.set(self.username_reads.get() + 1);
        }
        self.inner.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<(), StoreError> {
        self.inner.put(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str, cursor: Option<&str>, limit: Option<u32>) -> Result<ListPage, StoreError> {
        self.inner.list(prefix, cursor, limit).await
    }
    async fn put_if_absent(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<Option<bool>, StoreError> {
        self.inner.put_if_absent(key, value, ttl).await
    }
}

fn login_from(f: &Fixture<impl Store>, user: &str, pw: &str, addr: &str) -> Result<edge_sso::LoginResult, edge_sso::SsoError> {
    block_on(f.sso.login(&Caller { cid: None, current_app: APP, remote_addr: addr }, user, pw, LoginOptions::default()))
}

#[test]
fn a_thousand_wrong_passwords_from_one_address_are_cut_off_and_the_user_still_logs_in_elsewhere() {
    let f = Fixture::with_store(CountingStore { inner: MemoryStore::new(), username_reads: Cell::new(0) }, json!({}));
    let admin = f.admin_ust();
    let (_, _) = f.regular(&admin, "victim", PW);
    f.sso.store().username_reads.set(0);
    for i in 0..1000 {
        let e = login_from(&f, "victim", &format!("guess {i}"), "203.0.113.9").unwrap_err();
        assert_eq!(e.public_codes(), vec!["E005001"], "the same answer throughout");
    }
    // Cut off after the configured 10 (throttle.per_user_address): no further password work.
    assert_eq!(f.sso.store().username_reads.get(), 10);
    // Even the right password is refused from there, for now...
    assert_code(login_from(&f, "victim", PW, "203.0.113.9"), Code::AuthNotAllowed, false);
    // ...but works from anywhere else: one address cannot lock the user out.
    login_from(&f, "victim", PW, "198.51.100.7").unwrap();
    // The block ends after the back-off (60 s); while the attacker keeps failing, the next
    // block lasts twice as long (a successful login would start the pair afresh).
    f.advance_secs(61);
    for i in 0..10 {
        let _ = login_from(&f, "victim", &format!("again {i}"), "203.0.113.9");
    }
    f.advance_secs(61);
    assert_code(login_from(&f, "victim", PW, "203.0.113.9"), Code::AuthNotAllowed, false);
    f.advance_secs(60);
    login_from(&f, "victim", PW, "203.0.113.9").unwrap();
}

#[test]
fn an_address_spraying_many_usernames_is_cut_off_too() {
    let f = Fixture::new(json!({ "throttle": { "per_address": 20 } }));
    let admin = f.admin_ust();
    f.regular(&admin, "someone", PW);
    for i in 0..25 {
        let _ = login_from(&f, &format!("user{i}"), "guess", "203.0.113.50");
    }
    assert_code(login_from(&f, "someone", PW, "203.0.113.50"), Code::AuthNotAllowed, false);
    login_from(&f, "someone", PW, "203.0.113.51").unwrap();
}

#[test]
fn auto_lock_after_configured_failures() {
    let f = Fixture::new(json!({ "throttle": { "lock_user_after": 5, "per_user_address": 100 } }));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "v", PW);
    for i in 0..5 {
        let _ = login_from(&f, "v", &format!("wrong {i}"), &format!("203.0.113.{i}"));
    }
    let u = f.get_by_id(&id, &admin).unwrap();
    assert_eq!((u["is_locked"].clone(), u["locked_by"].clone()), (json!(true), json!("auto")));
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    assert_code(login_from(&f, "v", PW, "198.51.100.1"), Code::AuthLocked, true);
}

#[test]
fn throttling_can_be_turned_off() {
    let f = Fixture::new(json!({ "throttle": { "enabled": false } }));
    let admin = f.admin_ust();
    f.regular(&admin, "v", PW);
    for _ in 0..30 {
        let _ = login_from(&f, "v", "wrong", ADDR);
    }
    login_from(&f, "v", PW, ADDR).unwrap();
}

#[test]
fn a_totp_code_works_once() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "t", "password": PW, "is_totp_enabled": true, "totp_key": "JBSWY3DPEHPK3PXP" })).unwrap();
    f.call("user.approveUser", json!([null, f.search_id("t", &admin), admin, APP, ADDR])).unwrap();
    let code = totp_now(&f, "JBSWY3DPEHPK3PXP");
    let opts = || LoginOptions { totp_code: Some(code.clone()), ..Default::default() };
    f.login_with("t", PW, opts()).unwrap();
    assert_code(f.login_with("t", PW, opts()), Code::AuthNotAllowed, false);
    f.advance_secs(30);
    f.login_with("t", PW, LoginOptions { totp_code: Some(totp_now(&f, "JBSWY3DPEHPK3PXP")), ..Default::default() }).unwrap();
}

#[test]
fn absolute_and_idle_session_limits() {
    let f = Fixture::new(json!({ "session": { "expiry": 60, "max_lifetime": 90, "idle_timeout": 20 } }));
    let ust = f.admin_ust();
    f.advance_secs(15 * 60);
    f.get_current(&ust).unwrap();
    f.advance_secs(15 * 60);
    let renewed = f.call("user.session.renew", json!([null, ust, APP, ADDR])).unwrap();
    assert_eq!(renewed, json!("2024-01-01T01:30:00"), "capped at creation + 90 minutes");
    f.advance_secs(19 * 60);
    f.get_current(&ust).unwrap();
    f.advance_secs(21 * 60);
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
    let ust = f.login(ADMIN, ADMIN_PASSWORD).unwrap().ust;
    for _ in 0..5 {
        f.advance_secs(19 * 60);
        let _ = f.call("user.session.renew", json!([null, ust, APP, ADDR]));
    }
    assert_code(f.get_current(&ust), Code::SessionNoSuchSession, false);
}

#[test]
fn key_rotation_and_reseal() {
    let old = [1u8; 32];
    let new = [2u8; 32];
    let f = Fixture::with_store_and_keys(MemoryStore::new(), json!({}), KeyRing::from_raw(vec![old]));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "r", "password": PW, "email": "r@example.com"})).unwrap();
    let id = f.search_id("r", &admin);
    f.call("user.approveUser", json!([null, id, admin, APP, ADDR])).unwrap();
    // Rotate: the new key first, the old one still there.
    let g = Fixture::with_store_and_keys(MemoryStore::new(), json!({}), KeyRing::from_raw(vec![new, old]));
    f.sso.store().move_into(g.sso.store());
    g.get_current(&admin).unwrap();
    let fresh = g.login(ADMIN, ADMIN_PASSWORD).unwrap().ust;
    assert_eq!(KeyRing::kid_of(&fresh), Some(KeyRing::from_raw(vec![new]).newest_kid()));
    let report = g.call("reseal", json!([])).unwrap();
    assert!(report["values"].as_u64().unwrap() >= 6, "{report}");
    // The old key gone: stored values still open, the old key's USTs do not.
    // (A deployment that tells sign-ups a taken email, so that the lookup shows in the code.)
    let h = Fixture::with_store_and_keys(MemoryStore::new(), json!({ "signup": { "inform_if_email_exists": true } }), KeyRing::from_raw(vec![new]));
    g.sso.store().move_into(h.sso.store());
    assert_code(h.get_current(&admin), Code::SessionNoSuchSession, false);
    h.get_current(&fresh).unwrap();
    h.login("r", PW).unwrap();
    assert_eq!(h.get_by_id(&id, &fresh).unwrap()["email"], json!("r@example.com"));
    // The email lookup works under the new key (password reset by email, sign-up uniqueness).
    let dup = h.call("user.signup", json!([null, { "username": "other", "password": PW, "email": "r@example.com" }, APP, ADDR])).unwrap_err();
    assert_eq!(dup.sub_status, vec![Code::EmailExists]);
}

#[test]
fn zato_pbkdf2_hashes_log_in_and_are_upgraded() {
    let f = Fixture::new(json!({ "signup": { "is_approval_needed": false } }));
    let admin = f.admin_ust();
    let d = f.create(&admin, json!({ "username": "zato", "password": PW })).unwrap();
    let id = d["user_id"].as_str().unwrap();
    // What a migrated Zato record holds: passlib's pbkdf2-sha512 of "password", unsealed.
    let zato = "$pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA$715rqIr5dXOVPpBhqqsugl037zT5bWJTWYmZtIcK8hBnisKpwfY7kokvwjDrNHqHhF50Pb7MD6HvkJwiDQw4ww";
    let key = edge_sso::store::keys::user(id);
    let mut rec = f.record(id).unwrap();
    rec["password"] = json!(zato);
    rec["password_sealed"] = json!(false);
    f.sso.store().raw_put(&key, &rec.to_string());
    f.login("zato", "password").unwrap();
    let after = f.record(id).unwrap();
    assert_eq!(after["password_sealed"], json!(true), "re-hashed with Argon2id and sealed");
    assert!(!after["password"].as_str().unwrap().contains("pbkdf2"));
    f.login("zato", "password").unwrap();
    assert_code(f.login("zato", "wrong"), Code::AuthNotAllowed, false);
}

#[test]
fn debug_output_never_holds_secrets() {
    let opts = LoginOptions { totp_code: Some("123456".into()), new_password: Some("new secret pw".into()), ..Default::default() };
    let f = Fixture::new(json!({}));
    let ust = f.admin_ust();
    let r = f.login(ADMIN, ADMIN_PASSWORD).unwrap();
    let ring = KeyRing::from_raw(vec![[0xAB; 32]]);
    let id = f.get_current(&ust).unwrap()["user_id"].as_str().unwrap().to_string();
    let rec: edge_sso::user::UserRecord = serde_json::from_value(f.record(&id).unwrap()).unwrap();
    let body = json!({ "current_app": APP, "username": ADMIN, "password": "body secret pw" }).to_string();
    let http = edge_sso::rest::HttpRequest {
        method: "POST",
        path: "/zato/sso/user/login",
        query: "password=query+secret+pw",
        body: body.as_bytes(),
        content_type: Some("application/json"),
        remote_addr: ADDR,
        user_agent: None,
        authorization: None,
    };
    let item = edge_sso::attr::AttrItem { name: "n".into(), value: Some(json!("attribute secret")), ..Default::default() };
    let target = edge_sso::attr::AttrTarget::Session(r.ust.clone());
    let response = rest_login(&f, ADDR, json!({ "current_app": APP, "username": ADMIN, "password": ADMIN_PASSWORD }));
    let response_ust = response.body["ust"].as_str().unwrap().to_string();
    let text =
        format!("{opts:?} {r:?} {ring:?} {rec:?} {http:?} {item:?} {target:?} {response:?} {:?}", f.login(ADMIN, "wrong secret pw").unwrap_err());
    assert!(text.contains("\"ust\""), "the response's field names are shown: {text}");
    for secret in [
        "123456",
        "new secret pw",
        r.ust.as_str(),
        "abababab",
        "wrong secret pw",
        &rec.password,
        &rec.totp_key,
        "body secret pw",
        "query+secret",
        "attribute secret",
        &response_ust,
    ] {
        assert!(!text.to_lowercase().contains(&secret.to_lowercase()), "Debug shows a secret: {text}");
    }
}

#[test]
fn the_strict_profile() {
    let f = Fixture::new(json!({ "profile": "strict", "signup": { "is_approval_needed": false } }));
    let admin = {
        let mut data = obj(json!({ "username": ADMIN, "password": "a strict admin passphrase" }));
        block_on(f.sso.create_super_user(None, &mut data)).unwrap();
        f.login(ADMIN, "a strict admin passphrase").unwrap().ust
    };
    assert_code(f.create(&admin, json!({ "username": "s", "password": "fourteen chars" })), Code::PasswordTooShort, true);
    assert_code(f.create(&admin, json!({ "username": "s", "password": "MailCreated5240" })), Code::PasswordInvalid, true);
    let d = f.create(&admin, json!({ "username": "s", "password": "a strict user passphrase", "is_locked": true })).unwrap();
    assert_eq!(d["password_expiry"], json!("2123-12-08T00:00:00"), "no periodic expiry");
    // No account-state disclosure: a locked user gets the generic code.
    assert_code(f.login("s", "a strict user passphrase"), Code::AuthNotAllowed, true);
    // Sessions have an absolute limit.
    f.advance_secs(12 * 3600 - 60);
    assert_code(f.get_current(&admin), Code::SessionNoSuchSession, false);
}

/// Records the reset tokens the delivery hook is handed.
#[derive(Default)]
struct CaptureReset(std::cell::RefCell<Vec<String>>);

impl edge_sso::Hooks for CaptureReset {
    async fn send_password_reset(&self, m: &serde_json::Value) -> Result<bool, edge_sso::hooks::HookError> {
        self.0.borrow_mut().push(m["token"].as_str().unwrap_or_default().to_string());
        Ok(true)
    }
}

#[test]
fn strict_password_reset_asks_totp_users_for_a_code() {
    let clock = std::rc::Rc::new(Cell::new(T0));
    let c = clock.clone();
    let sso = edge_sso::Sso::with_hooks(
        MemoryStore::new(),
        edge_sso::MemoryAudit::default(),
        CaptureReset::default(),
        keys(),
        config(json!({ "profile": "strict" })),
        Box::new(move || Some(c.get())),
    );
    let mut boot = obj(
        json!({ "username": ADMIN, "password": "a strict admin passphrase", "email": "a@example.com", "is_totp_enabled": true, "totp_key": "JBSWY3DPEHPK3PXP" }),
    );
    block_on(sso.create_super_user(None, &mut boot)).unwrap();
    block_on(sso.create_reset_token(&caller(), ADMIN, None)).unwrap();
    let token = sso.hooks_for_tests().0.borrow()[0].clone();
    let key = block_on(sso.access_reset_token(&caller(), &token, None)).unwrap();
    assert_code(block_on(sso.reset_password(&caller(), "a brand new strict passphrase", &token, &key, None, None)), Code::AuthNotAllowed, false);
    let code = edge_sso::crypto::totp::totp_code("JBSWY3DPEHPK3PXP", (clock.get() / 1000) as u64).unwrap();
    block_on(sso.reset_password(&caller(), "a brand new strict passphrase", &token, &key, None, Some(&code))).unwrap();
}

#[test]
fn the_password_check_hook_refuses_breached_passwords() {
    struct Breached;
    impl edge_sso::Hooks for Breached {
        async fn password_check(&self, password: &str) -> Result<bool, edge_sso::hooks::HookError> {
            Ok(password != "correct horse battery staple")
        }
    }
    let sso =
        edge_sso::Sso::with_hooks(MemoryStore::new(), edge_sso::MemoryAudit::default(), Breached, keys(), config(json!({})), Box::new(|| Some(T0)));
    let mut data = obj(json!({ "username": ADMIN, "password": "correct horse battery staple" }));
    assert_code(block_on(sso.create_super_user(None, &mut data)), Code::PasswordInvalid, true);
    let mut data = obj(json!({ "username": ADMIN, "password": "an unbreached passphrase" }));
    block_on(sso.create_super_user(None, &mut data)).unwrap();
}

#[test]
fn a_hundred_concurrent_creates_of_one_username_create_one_user() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let futures: Vec<_> = (0..100)
        .map(|_| {
            let (sso, admin) = (&f.sso, admin.clone());
            async move { sso.create_user(&caller().with_ust(&admin), &mut obj(json!({ "username": "race" })), Default::default()).await }
        })
        .collect();
    let results = block_on(futures::future::join_all(futures));
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
}

#[test]
fn concurrent_login_logout_and_renew_leave_consistent_state() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (uid, _) = f.regular(&admin, "c", PW);
    let usts: Vec<String> = (0..10).map(|_| f.login("c", PW).unwrap().ust).collect();
    let work: Vec<_> = usts
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let (sso, u) = (&f.sso, u.clone());
            async move {
                if i % 2 == 0 {
                    sso.logout(&caller().with_ust(&u)).await.map(|_| ())
                } else {
                    sso.renew_session(&caller().with_ust(&u), None).await.map(|_| ())
                }
            }
        })
        .collect();
    for r in block_on(futures::future::join_all(work)) {
        r.unwrap();
    }
    let list = f.call("user.session.getList", json!([null, null, usts[1], admin, APP, ADDR])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 6, "5 renewed + the one from regular()");
    let index: Vec<String> =
        f.sso.store().dump().into_iter().map(|(k, _)| k).filter(|k| k.starts_with(&format!("sso/user-session/{uid}/"))).collect();
    assert_eq!(index.len(), 6, "no index entry without its session, no session without its entry");
}

#[test]
fn super_user_sessions_are_confined_to_their_apps() {
    let f = Fixture::new(json!({ "apps": { "all": ["CRM", "Admin"], "login_allowed": ["CRM", "Admin"], "super_user_allowed": ["Admin"] } }));
    f.bootstrap();
    assert_code(f.login(ADMIN, ADMIN_PASSWORD), Code::AuthNotAllowed, true);
    let ust = block_on(f.sso.login(&Caller { cid: None, current_app: "Admin", remote_addr: ADDR }, ADMIN, ADMIN_PASSWORD, LoginOptions::default()))
        .unwrap()
        .ust;
    block_on(f.sso.get_current_user(&Caller { cid: None, current_app: "Admin", remote_addr: ADDR }.with_ust(&ust))).unwrap();
    assert_code(
        block_on(f.sso.get_current_user(&Caller { cid: None, current_app: "CRM", remote_addr: ADDR }.with_ust(&ust))),
        Code::AuthNotAllowed,
        true,
    );
    // Regular users are not affected.
    let mut d = obj(json!({ "username": "reg", "password": PW }));
    block_on(f.sso.create_user(
        &Caller { cid: None, current_app: "Admin", remote_addr: ADDR }.with_ust(&ust),
        &mut d,
        edge_sso::CreateOptions { auto_approve: true },
    ))
    .unwrap();
    f.login("reg", PW).unwrap();
}

/// A REST request from address `from`.
fn rest(f: &Fixture<impl Store>, method: &str, path: &str, from: &str, body: serde_json::Value) -> edge_sso::rest::HttpResponse {
    let body = body.to_string();
    let req = edge_sso::rest::HttpRequest {
        method,
        path,
        query: "",
        body: body.as_bytes(),
        content_type: Some("application/json"),
        remote_addr: from,
        user_agent: Some("test"),
        authorization: None,
    };
    block_on(f.sso.handle_http(&req))
}

fn rest_login(f: &Fixture<impl Store>, from: &str, body: serde_json::Value) -> edge_sso::rest::HttpResponse {
    rest(f, "POST", "/zato/sso/user/login", from, body)
}

#[test]
fn a_login_cannot_charge_its_failures_to_an_address_it_claims() {
    // Spec §10 O-4: the `remote_addr` input is honoured only for apps in
    // apps.login_metadata_allowed; elsewhere throttling, the audit and C7 see the connection.
    let f = Fixture::new(json!({ "throttle": { "per_address": 3 } }));
    let admin = f.admin_ust();
    f.regular(&admin, "victim", PW);
    let victim_addr = "203.0.113.7";
    for i in 0..5 {
        let r = rest_login(
            &f,
            "198.51.100.1",
            json!({ "current_app": APP, "username": "victim", "password": format!("guess {i}"), "remote_addr": victim_addr }),
        );
        assert_eq!(r.body["sub_status"], json!(["E005001"]));
    }
    // The failures were the sender's: the claimed address logs in, the sender is blocked.
    let r = rest_login(&f, victim_addr, json!({ "current_app": APP, "username": "victim", "password": PW }));
    assert_eq!(r.body["status"], json!("ok"), "{}", r.body);
    let r = rest_login(&f, "198.51.100.1", json!({ "current_app": APP, "username": "victim", "password": PW }));
    assert_eq!(r.body["sub_status"], json!(["E005001"]));
    // The audit trail names the connection, never the claimed address.
    let audit = serde_json::to_string(&f.sso.audit_sink().events.borrow().iter().map(|e| e.to_json()).collect::<Vec<_>>()).unwrap();
    assert_eq!(audit.matches(victim_addr).count(), 1, "only the victim's own login");
    // With the right password and a claimed address, C7 refuses the login (E006001, hidden).
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.regular(&admin, "u", PW);
    let r = rest_login(&f, "198.51.100.1", json!({ "current_app": APP, "username": "u", "password": PW, "remote_addr": victim_addr }));
    assert_eq!((r.status, r.body["sub_status"].clone()), (403, json!(["E005001"])));
    // An app allowed to send login metadata has its claim honoured (a trusted front end).
    let f = Fixture::new(json!({ "apps": { "login_metadata_allowed": [APP] } }));
    let admin = f.admin_ust();
    f.regular(&admin, "u", PW);
    let r = rest_login(&f, "198.51.100.1", json!({ "current_app": APP, "username": "u", "password": PW, "remote_addr": victim_addr }));
    assert_eq!(r.body["status"], json!("ok"), "{}", r.body);
    let audit = serde_json::to_string(&f.sso.audit_sink().events.borrow().iter().map(|e| e.to_json()).collect::<Vec<_>>()).unwrap();
    assert!(audit.contains(victim_addr));
}

#[test]
fn rest_sign_up_does_not_tell_who_is_registered() {
    // Spec §3.2: the validator reports a code only where its reveal flag allows; by default
    // (signup.inform_if_user_exists / inform_if_email_exists false) a taken username or email
    // is E005001 over REST, like any other refusal.
    let signup = |f: &Fixture<MemoryStore>, body: serde_json::Value| rest(f, "POST", "/zato/sso/user/signup", ADDR, body);
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "taken", "password": PW, "email": "taken@example.com" })).unwrap();
    for body in [
        json!({ "current_app": APP, "username": "taken", "password": PW }),
        json!({ "current_app": APP, "username": "fresh", "password": PW, "email": "taken@example.com" }),
    ] {
        let r = signup(&f, body);
        assert_eq!((r.status, r.body["sub_status"].clone()), (403, json!(["E005001"])), "{}", r.body);
    }
    // Revealed codes still come through: the password policy (password.inform_if_invalid).
    let r = signup(&f, json!({ "current_app": APP, "username": "fresh", "password": "short" }));
    assert_eq!(r.body["sub_status"], json!(["E003002"]));
    // A deployment that opts in is told.
    let f = Fixture::new(json!({ "signup": { "inform_if_user_exists": true } }));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "taken", "password": PW })).unwrap();
    let r = signup(&f, json!({ "current_app": APP, "username": "taken", "password": PW }));
    assert_eq!(r.body["sub_status"], json!(["E001002"]));
}

#[test]
fn a_rest_password_reset_answers_before_any_lookup_and_leaves_the_work_to_the_host() {
    // Spec §8.2 runs POST /password/reset asynchronously: the answer, the same for a known and
    // an unknown user, comes before the lookup, the writes and the delivery hook.
    let clock = std::rc::Rc::new(Cell::new(T0));
    let c = clock.clone();
    let sso = edge_sso::Sso::with_hooks(
        MemoryStore::new(),
        edge_sso::MemoryAudit::default(),
        CaptureReset::default(),
        keys(),
        config(json!({})),
        Box::new(move || Some(c.get())),
    );
    let mut boot = obj(json!({ "username": ADMIN, "password": ADMIN_PASSWORD, "email": "admin@example.com" }));
    block_on(sso.create_super_user(None, &mut boot)).unwrap();
    let post = |credential: &str| {
        let body = json!({ "current_app": APP, "credential": credential }).to_string();
        let req = edge_sso::rest::HttpRequest {
            method: "POST",
            path: "/zato/sso/password/reset",
            query: "",
            body: body.as_bytes(),
            content_type: Some("application/json"),
            remote_addr: ADDR,
            user_agent: None,
            authorization: None,
        };
        block_on(sso.handle_http(&req))
    };
    let (known, unknown) = (post(ADMIN), post("nobody-at-all"));
    for r in [&known, &unknown] {
        assert_eq!((r.status, &r.body["status"]), (200, &json!("ok")));
        assert!(r.deferred.is_some());
    }
    assert!(sso.hooks_for_tests().0.borrow().is_empty(), "nothing delivered before the host runs the work");
    assert_eq!(format!("{:?}", known.deferred), "Some(Deferred(password reset))", "Debug names no user");
    block_on(sso.run_deferred(unknown.deferred.as_ref().unwrap())).unwrap();
    assert!(sso.hooks_for_tests().0.borrow().is_empty());
    block_on(sso.run_deferred(known.deferred.as_ref().unwrap())).unwrap();
    let token = sso.hooks_for_tests().0.borrow()[0].clone();
    block_on(sso.access_reset_token(&caller(), &token, None)).unwrap();
    // A refused request leaves nothing behind.
    let body = json!({ "current_app": "Nope", "credential": ADMIN }).to_string();
    let req = edge_sso::rest::HttpRequest {
        method: "POST",
        path: "/zato/sso/password/reset",
        query: "",
        body: body.as_bytes(),
        content_type: Some("application/json"),
        remote_addr: ADDR,
        user_agent: None,
        authorization: None,
    };
    assert!(block_on(sso.handle_http(&req)).deferred.is_none());
}

#[test]
fn a_rest_client_may_send_its_ust_as_a_bearer_token_and_keep_it_out_of_urls() {
    // ASVS 3.1.1: no session token in URL parameters. A browser's GET has no body, so the UST
    // may come as `Authorization: Bearer <ust>`: `ust` where the endpoint takes one,
    // `current_ust` where the request names a `target_ust`.
    let f = Fixture::new(json!({}));
    f.bootstrap();
    let ust =
        rest_login(&f, ADDR, json!({ "current_app": APP, "username": ADMIN, "password": ADMIN_PASSWORD })).body["ust"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {ust}");
    let get = |path: &str, query: &str, authorization: Option<&str>| {
        let req = edge_sso::rest::HttpRequest {
            method: "GET",
            path,
            query,
            body: b"",
            content_type: None,
            remote_addr: ADDR,
            user_agent: None,
            authorization,
        };
        block_on(f.sso.handle_http(&req))
    };
    let me = get("/zato/sso/user", "current_app=CRM", Some(&bearer));
    assert_eq!((me.status, me.body["username"].clone()), (200, json!(ADMIN)), "{}", me.body);
    let session = get("/zato/sso/user/session", &format!("current_app=CRM&target_ust={}", ust.replace('+', "%2B")), Some(&bearer));
    assert_eq!(session.status, 200, "{}", session.body);
    // Without it, or with another scheme, there is no UST (E007001 on a verb-dispatched endpoint).
    for authorization in [None, Some(ust.as_str()), Some("Basic abc"), Some("Bearer ")] {
        let r = get("/zato/sso/user", "current_app=CRM", authorization);
        assert_ne!(r.status, 200, "{authorization:?}");
    }
    // An input of that name wins over the header.
    let r = get("/zato/sso/user", "current_app=CRM&ust=forged", Some(&bearer));
    assert_eq!(r.body["sub_status"], json!(["E007001"]));
    // The scheme name is case-insensitive (RFC 7235); an empty target_ust is none (the caller's
    // own sessions are listed).
    assert_eq!(get("/zato/sso/user", "current_app=CRM", Some(&format!("bearer {ust}"))).status, 200);
    let own = get("/zato/sso/user/session/list", "current_app=CRM&target_ust=", Some(&bearer));
    assert_eq!(own.status, 200, "{}", own.body);
}
