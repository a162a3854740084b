#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failing test is what tests are for
//! Search (spec §6, §3.13) on the secondary indexes.

mod common;
use common::*;
use edge_sso::Code;
use serde_json::{json, Value};

fn search(f: &Fixture, ust: &str, criteria: Value) -> Result<Value, edge_sso::SsoError> {
    f.call("user.search", json!([null, criteria, ust, APP, ADDR]))
}

fn usernames(r: &Value) -> Vec<String> {
    r["result"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_string()).collect()
}

fn people(f: &Fixture, admin: &str) {
    for (u, d, first, last) in [
        ("zed", "Anna Smith", "Anna", "Smith"),
        ("amy", "anna smith", "Anna", "Smith"),
        ("bob", "Bob Jones", "Bob", "Jones"),
        ("cat", "", "Cat", "Smithson"),
        ("dan", "Dan Brown", "Dan", "Brown"),
    ] {
        f.create(admin, json!({ "username": u, "display_name": d, "first_name": first, "last_name": last })).unwrap();
    }
}

#[test]
fn substring_and_exact_name_search_with_spec_paging() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    people(&f, &admin);
    // T7: substring on display_name; upper-case copies make it case-insensitive.
    let r = search(&f, &admin, json!({ "display_name": "smith", "is_name_exact": false })).unwrap();
    assert_eq!(r["total"], json!(3), "Anna Smith twice and the derived 'Cat Smithson'");
    assert_eq!((r["cur_page"].clone(), r["num_pages"].clone(), r["page_size"].clone()), (json!(1), json!(1), json!(50)));
    assert_eq!(
        (r["has_next_page"].clone(), r["has_prev_page"].clone(), r["next_page"].clone(), r["prev_page"].clone()),
        (json!(false), json!(false), Value::Null, json!(0))
    );
    // Sorted by display_name, then username (code point order: upper before lower).
    assert_eq!(usernames(&r), vec!["zed", "cat", "amy"]);
    let r = search(&f, &admin, json!({ "display_name": "anna smith" })).unwrap();
    assert_eq!(usernames(&r), vec!["zed", "amy"]);
    let r = search(&f, &admin, json!({ "first_name": "anna", "last_name": "jones", "name_op": "or" })).unwrap();
    assert_eq!(r["total"], json!(3));
    let r = search(&f, &admin, json!({ "first_name": "anna", "last_name": "jones" })).unwrap();
    assert_eq!(r["total"], json!(0));
    let row = &search(&f, &admin, json!({ "username": "bob" })).unwrap()["result"][0];
    assert_eq!(row["display_name"], json!("Bob Jones"));
    assert_eq!(row["approval_status"], json!("before_decision"));
    assert_eq!(row["is_approval_needed"], json!(true));
    assert_eq!(row["totp_label"], json!(""), "spec §10 O-26: rows read like GET");
    assert!(row.get("totp_key").is_none() && row.get("password").is_none());
    assert_eq!(row["rate_limit_type"], json!("EXACT"));
}

#[test]
fn paging_numbers() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    for i in 0..7 {
        f.create(&admin, json!({ "username": format!("p{i}"), "display_name": format!("Person {i}") })).unwrap();
    }
    let r = search(&f, &admin, json!({ "display_name": "person", "is_name_exact": false, "page_size": 3, "cur_page": 2 })).unwrap();
    assert_eq!(usernames(&r), vec!["p3", "p4", "p5"]);
    assert_eq!(
        (r["total"].clone(), r["num_pages"].clone(), r["prev_page"].clone(), r["next_page"].clone()),
        (json!(7), json!(3), json!(1), json!(3))
    );
    assert_eq!((r["has_prev_page"].clone(), r["has_next_page"].clone()), (json!(true), json!(true)));
    let r = search(&f, &admin, json!({ "display_name": "person", "is_name_exact": false, "page_size": 3, "cur_page": 9 })).unwrap();
    assert_eq!(r["cur_page"], json!(9));
    assert!(r["result"].as_array().unwrap().is_empty());
    let r = search(&f, &admin, json!({ "page_size": 1000, "cur_page": -4 })).unwrap();
    assert_eq!((r["page_size"].clone(), r["cur_page"].clone(), r["total"].clone()), (json!(100), json!(1), json!(8)));
    let r = search(&f, &admin, json!({ "page_size": 0 })).unwrap();
    assert_eq!(r["page_size"], json!(50));
    let none = search(&f, &admin, json!({ "display_name": "nobody" })).unwrap();
    assert_eq!((none["total"].clone(), none["num_pages"].clone(), none["has_next_page"].clone()), (json!(0), json!(0), json!(false)));
}

#[test]
fn precedence_statuses_and_email() {
    let f = Fixture::new(json!({ "main": { "encrypt_email": false } }));
    let admin = f.admin_ust();
    people(&f, &admin);
    f.create(&admin, json!({ "username": "eve", "email": "eve@example.com", "sign_up_status": "before_confirmation" })).unwrap();
    let bob = search(&f, &admin, json!({ "username": "bob" })).unwrap()["result"][0]["user_id"].clone();
    // user_id wins over everything else, then username.
    let r = search(&f, &admin, json!({ "user_id": bob, "username": "amy", "display_name": "nobody" })).unwrap();
    assert_eq!(usernames(&r), vec!["bob"]);
    let r = search(&f, &admin, json!({ "username": "amy", "display_name": "nobody" })).unwrap();
    assert_eq!(usernames(&r), vec!["amy"]);
    assert_eq!(usernames(&search(&f, &admin, json!({ "email": "eve@example.com" })).unwrap()), vec!["eve"]);
    assert_eq!(usernames(&search(&f, &admin, json!({ "sign_up_status": "before_confirmation" })).unwrap()), vec!["eve"]);
    assert_eq!(search(&f, &admin, json!({ "approval_status": "approved" })).unwrap()["total"], json!(1), "only the admin");
    f.call("user.approveUser", json!([null, bob, admin, APP, ADDR])).unwrap();
    assert_eq!(search(&f, &admin, json!({ "approval_status": "approved", "first_name": "BOB" })).unwrap()["total"], json!(1));
}

#[test]
fn the_index_follows_updates_and_deletes() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    people(&f, &admin);
    let bob = search(&f, &admin, json!({ "username": "bob" })).unwrap()["result"][0]["user_id"].clone();
    f.call("user.updateUserById", json!([null, bob, { "display_name": "Robert Jones", "username": "rob" }, admin, APP, ADDR])).unwrap();
    assert_eq!(search(&f, &admin, json!({ "display_name": "Bob Jones" })).unwrap()["total"], json!(0));
    assert_eq!(usernames(&search(&f, &admin, json!({ "display_name": "robert", "is_name_exact": false })).unwrap()), vec!["rob"]);
    f.call("user.deleteUserById", json!([null, bob, admin, APP, ADDR])).unwrap();
    assert_eq!(search(&f, &admin, json!({ "display_name": "robert", "is_name_exact": false })).unwrap()["total"], json!(0));
    assert_eq!(search(&f, &admin, json!({})).unwrap()["total"], json!(5));
}

#[test]
fn search_input_errors() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let (_, reg) = f.regular(&admin, "reg", "regular passphrase");
    assert_code(search(&f, &reg, json!({})), Code::AuthNotAllowed, true);
    assert_code(search(&f, "bad", json!({})), Code::SessionNoSuchSession, false);
    for bad in [
        json!({ "name_op": "xor" }),
        json!({ "is_name_exact": "no" }),
        json!({ "display_name": "   " }),
        json!({ "display_name": 5 }),
        json!({ "email": "a@b.c" }), // emails are encrypted by default
        json!({ "cur_page": "two" }),
        json!({ "whatever": 1 }),
    ] {
        assert_code(search(&f, &admin, bad), Code::InvalidInput, false);
    }
}

#[test]
fn long_names_are_matched_exactly_despite_cut_index_values() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    let long_a = format!("{}A", "x".repeat(200));
    let long_b = format!("{}B", "x".repeat(200));
    f.create(&admin, json!({ "username": "la", "display_name": long_a })).unwrap();
    f.create(&admin, json!({ "username": "lb", "display_name": long_b })).unwrap();
    assert_eq!(usernames(&search(&f, &admin, json!({ "display_name": long_a })).unwrap()), vec!["la"]);
    assert_eq!(usernames(&search(&f, &admin, json!({ "display_name": "XB", "is_name_exact": false })).unwrap()), vec!["lb"]);
}

#[test]
fn caller_chosen_user_ids_with_dots_are_listed_and_survive_cleanup() {
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "dotted", "password": "user passphrase 1", "user_id": "zusr.with.dots" })).unwrap();
    f.create(&admin, json!({ "username": "plain", "password": "user passphrase 1", "user_id": "dots" })).unwrap();
    let all = search(&f, &admin, json!({})).unwrap();
    assert_eq!(all["total"], json!(3));
    let ids: Vec<&str> = all["result"].as_array().unwrap().iter().map(|u| u["user_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"zusr.with.dots") && ids.contains(&"dots"), "{ids:?}");
    // Cleanup takes no live user's index entry for an orphan.
    assert_eq!(f.call("cleanup", json!([])).unwrap()["orphans"], json!(0));
    assert_eq!(search(&f, &admin, json!({})).unwrap()["result"].as_array().unwrap().len(), 3);
}

#[test]
fn name_search_is_case_insensitive_the_way_zatos_upper_case_copies_are() {
    // Spec §2.5: Zato matches upper-cased copies, so `ß` matches `SS` and `ς` matches `Σ`.
    let f = Fixture::new(json!({}));
    let admin = f.admin_ust();
    f.create(&admin, json!({ "username": "hans", "password": "user passphrase 1", "last_name": "Straße" })).unwrap();
    f.create(&admin, json!({ "username": "odos", "password": "user passphrase 1", "display_name": "ΟΔΟΣ" })).unwrap();
    for q in ["Straße", "STRASSE", "strasse"] {
        assert_eq!(usernames(&search(&f, &admin, json!({ "last_name": q, "is_name_exact": true })).unwrap()), vec!["hans"], "{q}");
    }
    assert_eq!(usernames(&search(&f, &admin, json!({ "last_name": "rass", "is_name_exact": false })).unwrap()), vec!["hans"]);
    assert_eq!(usernames(&search(&f, &admin, json!({ "display_name": "οδος", "is_name_exact": true })).unwrap()), vec!["odos"]);
    assert!(usernames(&search(&f, &admin, json!({ "last_name": "Strase", "is_name_exact": true })).unwrap()).is_empty());
}
