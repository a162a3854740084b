#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Not in Zato: a super-user lists and ends another user's sessions by user id and session id
//! (the admin console's user page), never seeing a UST.

mod common;
use common::*;
use edge_sso::Code;
use serde_json::json;

const PW: &str = "user passphrase 1";

#[test]
fn a_super_user_lists_and_ends_another_users_sessions() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    let second = f.login("u", PW).unwrap().ust;
    let list = |caller: &str| f.call("user.session.getListByUserId", json!([null, id, caller, APP, ADDR]));
    let sessions = list(&admin).unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 2);
    assert!(!sessions.to_string().contains(&ust), "no UST in the list");
    let sid = sessions[0]["session_id"].as_str().unwrap().to_string();
    // Regular users may not, not even for themselves (they have getList).
    assert_code(list(&ust), Code::AuthNotAllowed, true);
    assert_code(f.call("user.session.endById", json!([null, id, sid, ust, APP, ADDR])), Code::AuthNotAllowed, true);
    f.call("user.session.endById", json!([null, id, sid, admin, APP, ADDR])).unwrap();
    let left = list(&admin).unwrap();
    assert_eq!(left.as_array().unwrap().len(), 1);
    let alive = [&ust, &second].iter().filter(|u| f.get_current(u).is_ok()).count();
    assert_eq!(alive, 1, "exactly the ended session is gone");
    assert_code(f.call("user.session.endById", json!([null, id, sid, admin, APP, ADDR])), Code::SessionNoSuchSession, false);
    assert_code(f.call("user.session.endById", json!([null, id, "", admin, APP, ADDR])), Code::InvalidInput, false);
    assert_code(list("garbage"), Code::SessionNoSuchSession, false);
    // A locked user's sessions are dead: none listed.
    f.call("user.lockUser", json!([null, id, admin, APP, ADDR])).unwrap();
    assert_eq!(list(&admin).unwrap(), json!([]));
}

#[test]
fn any_user_reads_their_own_session_and_user_in_one_round_trip_without_secrets() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (id, ust) = f.regular(&admin, "u", PW);
    let got = f.call("user.session.getCurrent", json!([null, ust, APP, ADDR])).unwrap();
    assert_eq!(got["user"]["user_id"], json!(id));
    assert!(got["user"].get("totp_key").is_none(), "no TOTP key: {}", got["user"]);
    assert!(got["user"].get("is_super_user").is_none(), "a regular user sees the regular fields");
    let listed = f.call("user.session.getList", json!([null, ust, null, null, APP, ADDR])).unwrap();
    assert_eq!(got["session"], listed[0], "the session as listings show it");
    assert!(!got.to_string().contains(&ust), "no UST in the answer");
    // A super-user's own: the administrative fields, still no key.
    let mine = f.call("user.session.getCurrent", json!([null, admin, APP, ADDR])).unwrap();
    assert_eq!(mine["user"]["is_super_user"], json!(true));
    assert!(mine["user"].get("totp_key").is_none());
    // Ended, unknown or locked: no session (E007001), as getCurrentUser.
    f.call("user.logout", json!([null, ust, APP, ADDR])).unwrap();
    assert_code(f.call("user.session.getCurrent", json!([null, ust, APP, ADDR])), Code::SessionNoSuchSession, false);
    assert_code(f.call("user.session.getCurrent", json!([null, "garbage", APP, ADDR])), Code::SessionNoSuchSession, false);
}
