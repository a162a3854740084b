//! A search's criteria (spec §6) as a type: parsed from the JSON object the API and REST hand
//! over, in one place, checked in the order (and with the codes, all E008002) that search has
//! always checked them in.
//!
//! `search` still takes the JSON object and parses it itself, after its audit record and the
//! caller's session: a caller that may not search learns that first, whatever its criteria.

use std::num::NonZeroU32;

use serde_json::{Map, Value};

use super::index::{search_fold, Field};
use crate::config::{Config, SearchConfig};
use crate::error::{bad, SsoResult};
use crate::input::opt_int;

/// The keys a search's criteria may hold; any other is refused.
pub const CRITERIA: [&str; 14] = [
    "user_id",
    "username",
    "email",
    "display_name",
    "first_name",
    "middle_name",
    "last_name",
    "sign_up_status",
    "approval_status",
    "paginate",
    "cur_page",
    "page_size",
    "name_op",
    "is_name_exact",
];

/// One matching rule on an index.
pub(crate) struct Criterion {
    pub field: Field,
    /// Folded for the name fields, as given otherwise.
    pub value: String,
    /// Equality, or containment (names with `is_name_exact: false`).
    pub exact: bool,
}

/// Which users a search selects, by precedence: one user by id, else one by username, else
/// the name criteria (joined by `name_op`) and the others, all of them.
pub(crate) enum Selection {
    /// `user_id`, when not empty: that user alone.
    UserId(String),
    /// `username`, when not empty and no `user_id`: that user alone.
    Username(String),
    /// The name criteria, joined by OR when `any_name`, and the others, joined by AND.
    Matching { names: Vec<Criterion>, any_name: bool, others: Vec<Criterion> },
}

/// A search's criteria, checked.
pub(crate) struct SearchCriteria {
    /// Who is selected.
    pub selection: Selection,
    /// The page asked for, from 1.
    pub cur_page: i64,
    /// Rows per page: never zero, at most `search.max_page_size`.
    pub page_size: NonZeroU32,
}

fn opt_str<'a>(c: &'a Map<String, Value>, key: &str) -> SsoResult<Option<&'a str>> {
    match c.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() > 4096 => Err(bad(format!("{key} is too long"))),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(bad(format!("{key} must be a string"))),
    }
}

/// The page size a search asked for: 1 up to `max_page_size`; none, 0 or a negative number
/// is `default_page_size`.
pub(crate) fn page_size(asked: Option<i64>, config: &SearchConfig) -> NonZeroU32 {
    match asked {
        Some(n) if n >= 1 => NonZeroU32::new(u32::try_from(n).unwrap_or(u32::MAX)).map_or(config.max_page_size, |n| n.min(config.max_page_size)),
        _ => config.default_page_size,
    }
}

impl SearchCriteria {
    /// Checks `criteria` against the configuration (search by email needs unsealed emails).
    pub(crate) fn parse(criteria: &Map<String, Value>, config: &Config) -> SsoResult<SearchCriteria> {
        if let Some(k) = criteria.keys().find(|k| !CRITERIA.contains(&k.as_str())) {
            return Err(bad(format!("unknown search criterion: {}", crate::input::shown_key(k))));
        }
        let cur_page = opt_int(criteria, "cur_page")?.unwrap_or(1).max(1);
        let page_size = page_size(opt_int(criteria, "page_size")?, &config.search);
        let any_name = match opt_str(criteria, "name_op")? {
            None | Some("and") => false,
            Some("or") => true,
            Some(_) => return Err(bad("name_op must be 'and' or 'or'")),
        };
        let exact = match criteria.get("is_name_exact") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(bad("is_name_exact must be a boolean")),
        };
        let mut names = Vec::new();
        for (key, field) in [
            ("display_name", Field::DisplayName),
            ("first_name", Field::FirstName),
            ("middle_name", Field::MiddleName),
            ("last_name", Field::LastName),
        ] {
            if let Some(v) = opt_str(criteria, key)? {
                let v = v.trim();
                if v.is_empty() {
                    return Err(bad(format!("{key} is empty")));
                }
                names.push(Criterion { field, value: search_fold(v), exact });
            }
        }
        let mut others = Vec::new();
        if let Some(e) = opt_str(criteria, "email")?.filter(|e| !e.is_empty()) {
            if config.main.encrypt_email {
                return Err(bad("emails are encrypted: search by email is not possible (main.encrypt_email)"));
            }
            others.push(Criterion { field: Field::Email, value: e.to_string(), exact: true });
        }
        for (key, field) in [("sign_up_status", Field::SignUpStatus), ("approval_status", Field::ApprovalStatus)] {
            if let Some(v) = opt_str(criteria, key)?.filter(|v| !v.is_empty()) {
                others.push(Criterion { field, value: v.to_string(), exact: true });
            }
        }
        // A username is not even read when a user_id decides (as Zato's precedence has it).
        let selection = if let Some(id) = opt_str(criteria, "user_id")?.filter(|s| !s.is_empty()) {
            Selection::UserId(id.to_string())
        } else if let Some(name) = opt_str(criteria, "username")?.filter(|s| !s.is_empty()) {
            Selection::Username(name.to_string())
        } else {
            Selection::Matching { names, any_name, others }
        };
        Ok(SearchCriteria { selection, cur_page, page_size })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> SsoResult<SearchCriteria> {
        let Value::Object(m) = v else { panic!("not an object") };
        SearchCriteria::parse(&m, &Config::default())
    }

    #[test]
    fn page_size_is_the_default_below_one_and_capped_above_the_maximum() {
        let config = SearchConfig::default();
        let size = |asked| page_size(asked, &config).get();
        assert_eq!((config.default_page_size.get(), config.max_page_size.get()), (50, 100));
        assert_eq!([size(None), size(Some(0)), size(Some(-7)), size(Some(i64::MIN))], [50; 4]);
        assert_eq!([size(Some(1)), size(Some(99)), size(Some(100))], [1, 99, 100]);
        // Beyond u32 too: the maximum, not a wrapped or default size.
        assert_eq!([size(Some(101)), size(Some(i64::from(u32::MAX) + 1)), size(Some(i64::MAX))], [100; 3]);
    }

    #[test]
    fn precedence_user_id_then_username_then_matching() {
        let c = parse(json!({ "user_id": "zusr1", "username": 5, "cur_page": -3 })).unwrap();
        assert!(matches!(c.selection, Selection::UserId(ref id) if id == "zusr1"));
        assert_eq!(c.cur_page, 1);
        let c = parse(json!({ "user_id": "", "username": "jo" })).unwrap();
        assert!(matches!(c.selection, Selection::Username(ref n) if n == "jo"));
        let c = parse(json!({ "first_name": " Jo ", "last_name": "Doe", "name_op": "or", "sign_up_status": "final" })).unwrap();
        let Selection::Matching { names, any_name, others } = c.selection else { panic!("not matching") };
        assert_eq!((names.len(), any_name, others.len()), (2, true, 1));
        assert!(names.iter().all(|n| n.exact));
    }

    #[test]
    fn every_refusal_is_invalid_input() {
        for bad_criteria in [
            json!({ "nickname": "x" }),
            json!({ "cur_page": "2" }),
            json!({ "page_size": 1.5 }),
            json!({ "name_op": "xor" }),
            json!({ "is_name_exact": "yes" }),
            json!({ "first_name": "  " }),
            json!({ "email": "jo@example.com" }),
            json!({ "approval_status": 1 }),
            json!({ "user_id": 7 }),
            json!({ "username": "x".repeat(4097) }),
        ] {
            let e = parse(bad_criteria.clone()).err().unwrap_or_else(|| panic!("accepted {bad_criteria}"));
            assert_eq!(e.sub_status, vec![crate::error::Code::InvalidInput], "{bad_criteria}");
        }
    }
}
