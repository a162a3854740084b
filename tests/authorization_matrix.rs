#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Every operation that takes a UST × {anonymous, bad UST, regular user on self, regular user
//! on another user, super-user on another user}, from one table.

mod common;
use common::*;
use serde_json::{json, Value};

const PW: &str = "regular passphrase";

#[derive(Clone, Copy, Debug)]
enum Role {
    Anonymous,
    BadUst,
    RegularSelf,
    RegularOther,
    SuperUser,
}

/// Expected outcome: Ok, or the code.
type Expect = Option<&'static str>;

/// (operation, arguments for (ust, target user id, target's UST), regular-self, regular-other, super-user)
type Row = (&'static str, fn(&str, &str, &str) -> Value, Expect, Expect, Expect);

const OK: Expect = None;

fn table() -> Vec<Row> {
    vec![
        ("user.getCurrentUser", |u, _, _| json!([null, u, APP, ADDR]), OK, OK, OK),
        ("user.getUserById", |u, t, _| json!([null, t, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        ("user.updateCurrentUser", |u, _, _| json!([null, { "display_name": "X" }, u, APP, ADDR]), OK, OK, OK),
        ("user.updateUserById", |u, t, _| json!([null, t, { "display_name": "X" }, u, APP, ADDR]), OK, Some("E008002"), OK),
        ("user.approveUser", |u, t, _| json!([null, t, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        ("user.rejectUser", |u, t, _| json!([null, t, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        ("user.lockUser", |u, t, _| json!([null, t, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        ("user.unlockUser", |u, t, _| json!([null, t, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        ("user.deleteUserById", |u, t, _| json!([null, t, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        ("user.createUser", |u, _, _| json!([null, { "username": "fresh" }, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        (
            "user.changePassword",
            |u, t, _| json!([null, { "user_id": t, "old_password": PW, "new_password": "another passphrase" }, u, APP, ADDR]),
            OK,
            Some("E008002"),
            OK,
        ),
        // Spec §3.12: a regular user may not name a user_id at all, their own included.
        ("user.resetTotpKey", |u, t, _| json!([null, u, APP, ADDR, { "userId": t }]), Some("E008002"), Some("E008002"), OK),
        ("user.search", |u, _, _| json!([null, {}, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        ("user.session.verify", |u, _, tu| json!([null, tu, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        ("user.session.get", |u, _, tu| json!([null, tu, u, APP, ADDR]), Some("E005001"), Some("E005001"), OK),
        ("user.session.getList", |u, _, _| json!([null, u, null, null, APP, ADDR]), OK, OK, OK),
        ("user.session.renew", |u, _, _| json!([null, u, APP, ADDR]), OK, OK, OK),
        ("user.attr.create", |u, t, _| json!([null, "n", 1, u, APP, ADDR, { "userId": t }]), OK, Some("E005001"), OK),
        ("user.attr.names", |u, t, _| json!([null, u, APP, ADDR, { "userId": t }]), OK, Some("E005001"), OK),
        ("user.session.attr.create", |u, _, tu| json!([null, "n", 1, tu, u, APP, ADDR]), OK, Some("E005001"), OK),
        ("user.logout", |u, _, _| json!([null, u, APP, ADDR]), OK, OK, OK),
    ]
}

fn run(row: &Row, role: Role) -> Result<Value, edge_sso::SsoError> {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (me, my_ust) = f.regular(&admin, "me", PW);
    let (other, other_ust) = f.regular(&admin, "other", PW);
    let (ust, target, target_ust) = match role {
        Role::Anonymous => (String::new(), other.clone(), other_ust.clone()),
        Role::BadUst => ("es1.forged.AAAA".to_string(), other.clone(), other_ust.clone()),
        Role::RegularSelf => (my_ust.clone(), me.clone(), my_ust.clone()),
        Role::RegularOther => (my_ust.clone(), other.clone(), other_ust.clone()),
        Role::SuperUser => (admin.clone(), other.clone(), other_ust.clone()),
    };
    f.call(row.0, (row.1)(&ust, &target, &target_ust))
}

#[test]
fn authorization_matrix() {
    let mut failures = Vec::new();
    let mut cells = 0;
    for row in table() {
        for (role, expected) in [
            (Role::Anonymous, Some("E007001")),
            (Role::BadUst, Some("E007001")),
            (Role::RegularSelf, row.2),
            (Role::RegularOther, row.3),
            (Role::SuperUser, row.4),
        ] {
            cells += 1;
            let got = run(&row, role).map(|_| ()).map_err(|e| e.codes().join(","));
            let want = expected.map(str::to_string);
            if got.clone().err() != want {
                failures.push(format!("{} as {:?}: expected {:?}, got {:?}", row.0, role, want, got));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cells} cells differ:\n{}", failures.len(), failures.join("\n"));
}
