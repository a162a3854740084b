//! Search (spec §6, §3.13): criteria, precedence, paging. Matching runs on the secondary
//! indexes of [`index`]; only the users of the requested page are loaded.

pub mod index;

use std::collections::{BTreeSet, HashMap};
use std::num::{NonZeroU32, NonZeroU64};

use serde_json::{json, Map, Value};

use crate::audit::Audit;
use crate::caller::SessionCaller;
use crate::config::SearchConfig;
use crate::error::bad;
use crate::error::SsoResult;
use crate::hooks::Hooks;
use crate::input::opt_int;
use crate::sso::Sso;
use crate::store::{keys, Store};
use crate::user::record::{UserRecord, Visibility};
use crate::user::write::user_from_raw;
pub use index::search_fold;
use index::{field_prefix, field_value, hex, parse_field_key, user_id_of_sort_key, Field, MAX_VALUE_BYTES, SORT_PREFIX};

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

/// Up to this many matches are ordered by loading them instead of listing the sort index.
const SMALL_RESULT: usize = 200;

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
fn page_size(asked: Option<i64>, config: &SearchConfig) -> NonZeroU32 {
    match asked {
        Some(n) if n >= 1 => NonZeroU32::new(u32::try_from(n).unwrap_or(u32::MAX)).map_or(config.max_page_size, |n| n.min(config.max_page_size)),
        _ => config.default_page_size,
    }
}

/// One matching rule on an index.
struct Criterion {
    field: Field,
    value: String,
    exact: bool,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Spec §6: the page of users matching `criteria` (a super-user only), in the spec's order.
    pub async fn search(&self, caller: &SessionCaller<'_>, criteria: &Map<String, Value>) -> SsoResult<Map<String, Value>> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.search", None, vec![]).await?;
        // An exact lookup's first key is read with the session, in one round trip.
        let lookup = match (
            criteria.get("user_id").and_then(Value::as_str).filter(|s| !s.is_empty()),
            criteria.get("username").and_then(Value::as_str).filter(|s| !s.is_empty()),
        ) {
            (Some(id), _) if id.len() <= 191 => Some(crate::store::keys::user(id)),
            (None, Some(name)) => Some(crate::store::keys::username(name)),
            _ => None,
        };
        let (_, fetched) = self.resolve_session_with(&req, caller.ust, true, lookup.as_slice()).await?;
        let prefetched = fetched.into_iter().next().flatten();
        if let Some(k) = criteria.keys().find(|k| !CRITERIA.contains(&k.as_str())) {
            return Err(bad(format!("unknown search criterion: {}", crate::input::shown_key(k))));
        }
        let cur_page = opt_int(criteria, "cur_page")?.unwrap_or(1).max(1);
        let page_size = page_size(opt_int(criteria, "page_size")?, &self.config.search);
        let name_op_or = match opt_str(criteria, "name_op")? {
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
            if self.config.main.encrypt_email {
                return Err(bad("emails are encrypted: search by email is not possible (main.encrypt_email)"));
            }
            others.push(Criterion { field: Field::Email, value: e.to_string(), exact: true });
        }
        for (key, field) in [("sign_up_status", Field::SignUpStatus), ("approval_status", Field::ApprovalStatus)] {
            if let Some(v) = opt_str(criteria, key)?.filter(|v| !v.is_empty()) {
                others.push(Criterion { field, value: v.to_string(), exact: true });
            }
        }

        // Precedence: user_id alone, else username alone, else names (by name_op) AND others.
        // Each match comes with its record where finding it loaded it already.
        // Last logins read on the way (an exact lookup reads its user's with the record).
        let mut known_logins: HashMap<String, Option<String>> = HashMap::new();
        let ordered: Vec<(String, Option<UserRecord>)> = if let Some(id) = opt_str(criteria, "user_id")?.filter(|s| !s.is_empty()) {
            let user = match &lookup {
                Some(k) if *k == crate::store::keys::user(id) => crate::user::write::user_from_raw(id, prefetched)?.map(|v| v.value),
                _ => self.load_user(id).await?,
            };
            user.map(|u| vec![(u.user_id.clone(), Some(u))]).unwrap_or_default()
        } else if let Some(name) = opt_str(criteria, "username")?.filter(|s| !s.is_empty()) {
            let claim = prefetched.and_then(|t| serde_json::from_str::<crate::user::read::UsernameClaim>(&t).ok());
            let user = match claim {
                Some(c) => {
                    let mut read = self.get_many_raw(&[keys::user(&c.user_id), keys::user_login(&c.user_id)]).await?.into_iter();
                    let user = user_from_raw(&c.user_id, read.next().flatten())?.map(|v| v.value);
                    known_logins.insert(c.user_id.clone(), read.next().flatten());
                    user.filter(|u| crate::username::same(&u.username, name))
                }
                None => None,
            };
            user.map(|u| vec![(u.user_id.clone(), Some(u))]).unwrap_or_default()
        } else {
            let mut selected: Option<BTreeSet<String>> = None;
            if !names.is_empty() {
                let mut acc: Option<BTreeSet<String>> = None;
                for c in &names {
                    let ids = self.matching_ids(c).await?;
                    acc = Some(match acc {
                        None => ids,
                        Some(a) if name_op_or => a.union(&ids).cloned().collect(),
                        Some(a) => a.intersection(&ids).cloned().collect(),
                    });
                }
                selected = acc;
            }
            for c in &others {
                let ids = self.matching_ids(c).await?;
                selected = Some(match selected {
                    None => ids,
                    Some(a) => a.intersection(&ids).cloned().collect(),
                });
            }
            match selected {
                // A few matches: load and order them; cheaper than listing every user.
                Some(ids) if ids.len() <= SMALL_RESULT => {
                    let mut keyed = Vec::new();
                    for id in ids {
                        if let Some(u) = self.load_user(&id).await? {
                            keyed.push((index::sort_key(&u), id, u));
                        }
                    }
                    keyed.sort_by(|a, b| a.0.cmp(&b.0));
                    keyed.into_iter().map(|(_, id, u)| (id, Some(u))).collect()
                }
                selected => {
                    let mut out = Vec::new();
                    for key in self.list_all(SORT_PREFIX).await? {
                        if let Some(id) = user_id_of_sort_key(&key) {
                            if selected.as_ref().is_none_or(|s| s.contains(id)) {
                                out.push((id.to_string(), None));
                            }
                        }
                    }
                    out
                }
            }
        };

        let total = ordered.len() as u64;
        // Divided by a NonZeroU64: no page size can make this division fail.
        let per_page = NonZeroU64::from(page_size);
        let num_pages = ((total + per_page.get() - 1) / per_page) as i64;
        let page_size = i64::from(page_size.get());
        let offset = (cur_page - 1).saturating_mul(page_size);
        let mut rows = Vec::new();
        // usize is 32 bits on wasm32: a page past the end must not wrap round to an early one.
        let skip = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
        let page: Vec<(String, Option<UserRecord>)> = ordered.into_iter().skip(skip).take(usize::try_from(page_size).unwrap_or(usize::MAX)).collect();
        // The page's records not loaded yet and every row's last login, in one round trip.
        let mut wanted: Vec<String> = page.iter().filter(|(_, u)| u.is_none()).map(|(id, _)| keys::user(id)).collect();
        let unloaded = wanted.len();
        let unknown: Vec<&str> = page.iter().map(|(id, _)| id.as_str()).filter(|id| !known_logins.contains_key(*id)).collect();
        wanted.extend(unknown.iter().map(|id| keys::user_login(id)));
        let read = if wanted.is_empty() { Vec::new() } else { self.get_many_raw(&wanted).await? };
        let (records, logins) = read.split_at(unloaded.min(read.len()));
        let mut records = records.iter().cloned();
        for (id, raw) in unknown.iter().zip(logins.iter().cloned()) {
            known_logins.insert((*id).to_string(), raw);
        }
        for (id, loaded) in page {
            let user = match loaded {
                Some(u) => Some(u),
                None => user_from_raw(&id, records.next().flatten())?.map(|v| v.value),
            };
            let last_login = crate::user::read::last_login(known_logins.remove(&id).flatten());
            if let Some(user) = user {
                let mut row = user.view(&self.keys, Visibility { super_user_fields: true, is_self: false });
                row.insert("is_rate_limit_active".into(), Value::Bool(user.is_rate_limit_active));
                row.insert("rate_limit_def".into(), user.rate_limit_def.clone().map(Value::String).unwrap_or(Value::Null));
                row.insert("rate_limit_type".into(), user.rate_limit_type.clone().map(Value::String).unwrap_or(Value::Null));
                row.insert("rate_limit_check_parent_def".into(), Value::Bool(user.rate_limit_check_parent_def));
                row.insert("last_login_time".into(), last_login);
                rows.push(Value::Object(row));
            }
        }
        let prev_page = if cur_page > 1 { cur_page - 1 } else { 0 };
        let next_page = if cur_page < num_pages { Some(cur_page + 1) } else { None };
        let out = json!({
            "total": total,
            "num_pages": num_pages,
            "page_size": page_size,
            "cur_page": cur_page,
            "prev_page": prev_page,
            "next_page": next_page,
            "has_prev_page": prev_page >= 1,
            "has_next_page": next_page.is_some_and(|n| n <= num_pages),
            "result": rows,
        });
        Ok(out.as_object().cloned().unwrap_or_default())
    }

    /// The ids whose `field` matches: equality with the upper-cased value, or containment.
    /// Entries whose value was cut in the key are checked against the record.
    async fn matching_ids(&self, c: &Criterion) -> SsoResult<BTreeSet<String>> {
        let mut sure = BTreeSet::new();
        let mut maybe = Vec::new();
        let prefix = field_prefix(c.field);
        let scan_prefix = if c.exact && c.value.len() < MAX_VALUE_BYTES { format!("{prefix}{}.", hex(&c.value, MAX_VALUE_BYTES)) } else { prefix };
        for key in self.list_all(&scan_prefix).await? {
            let Some((value, cut, id)) = parse_field_key(&key, c.field) else { continue };
            let hit = if c.exact { value == c.value } else { value.contains(&c.value) };
            if hit && !(cut && c.exact) {
                sure.insert(id);
            } else if cut && (!c.exact || c.value.starts_with(&value)) {
                maybe.push(id);
            }
        }
        for id in maybe {
            if let Some(user) = self.load_user(&id).await? {
                if let Some(v) = field_value(&user, c.field, !self.config.main.encrypt_email) {
                    if (c.exact && v == c.value) || (!c.exact && v.contains(&c.value)) {
                        sure.insert(id);
                    }
                }
            }
        }
        Ok(sure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
