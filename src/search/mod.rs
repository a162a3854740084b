//! Search (spec §6, §3.13): precedence and paging over the criteria `criteria.rs` parses.
//! Matching runs on the secondary indexes of [`index`]; only the users of the requested page
//! are loaded.

mod criteria;
pub mod index;

use std::collections::BTreeSet;
use std::num::NonZeroU64;

use serde_json::{json, Map, Value};

use crate::audit::Audit;
use crate::caller::SessionCaller;
use crate::error::SsoResult;
use crate::hooks::Hooks;
use crate::sso::Sso;
use crate::store::{keys, Store};
use crate::user::record::{UserRecord, Visibility};
use crate::user::write::user_from_raw;
pub use criteria::CRITERIA;
use criteria::{Criterion, SearchCriteria, Selection};
pub use index::search_fold;
use index::{field_prefix, field_value, hex, parse_field_key, user_id_of_sort_key, MAX_VALUE_BYTES, SORT_PREFIX};

/// One user a search found, with what finding it read already: its record, and its last
/// login's raw record (`Some(None)`: read, none stored).
struct Match {
    id: String,
    user: Option<UserRecord>,
    last_login: Option<Option<String>>,
}

impl Match {
    fn loaded(user: UserRecord, last_login: Option<Option<String>>) -> Self {
        Match { id: user.user_id.clone(), user: Some(user), last_login }
    }
}

/// Up to this many matches are ordered by loading them instead of listing the sort index.
const SMALL_RESULT: usize = 200;

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
        let SearchCriteria { selection, cur_page, page_size } = SearchCriteria::parse(criteria, &self.config)?;

        // Precedence: user_id alone, else username alone, else names (by name_op) AND others.
        // Each match comes with what finding it read already (its record, its last login).
        let ordered: Vec<Match> = match selection {
            Selection::UserId(id) => {
                let user = match &lookup {
                    Some(k) if *k == keys::user(&id) => user_from_raw(&id, prefetched)?.map(|v| v.value),
                    _ => self.load_user(&id).await?,
                };
                user.map(|u| vec![Match::loaded(u, None)]).unwrap_or_default()
            }
            Selection::Username(name) => {
                let claim = prefetched.and_then(|t| serde_json::from_str::<crate::user::read::UsernameClaim>(&t).ok());
                let found = match claim {
                    Some(c) => {
                        let mut read = self.get_many_raw(&[keys::user(&c.user_id), keys::user_login(&c.user_id)]).await?.into_iter();
                        let user = user_from_raw(&c.user_id, read.next().flatten())?.map(|v| v.value);
                        user.filter(|u| crate::username::same(&u.username, &name)).map(|u| Match::loaded(u, Some(read.next().flatten())))
                    }
                    None => None,
                };
                found.into_iter().collect()
            }
            Selection::Matching { names, any_name, others } => {
                let mut selected: Option<BTreeSet<String>> = None;
                if !names.is_empty() {
                    let mut acc: Option<BTreeSet<String>> = None;
                    for c in &names {
                        let ids = self.matching_ids(c).await?;
                        acc = Some(match acc {
                            None => ids,
                            Some(a) if any_name => a.union(&ids).cloned().collect(),
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
                    // A few matches: load them (in one round trip) and order them; cheaper than
                    // listing every user.
                    Some(ids) if ids.len() <= SMALL_RESULT => {
                        let ids: Vec<String> = ids.into_iter().collect();
                        let raws = self.get_many_raw(&ids.iter().map(|id| keys::user(id)).collect::<Vec<_>>()).await?;
                        let mut keyed = Vec::new();
                        for (id, raw) in ids.iter().zip(raws) {
                            if let Some(u) = user_from_raw(id, raw)?.map(|v| v.value) {
                                keyed.push((index::sort_key(&u), u));
                            }
                        }
                        keyed.sort_by(|a, b| a.0.cmp(&b.0));
                        keyed.into_iter().map(|(_, u)| Match::loaded(u, None)).collect()
                    }
                    selected => {
                        let mut out = Vec::new();
                        for key in self.list_all(SORT_PREFIX).await? {
                            if let Some(id) = user_id_of_sort_key(&key) {
                                if selected.as_ref().is_none_or(|s| s.contains(id)) {
                                    out.push(Match { id: id.to_string(), user: None, last_login: None });
                                }
                            }
                        }
                        out
                    }
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
        let page: Vec<Match> = ordered.into_iter().skip(skip).take(usize::try_from(page_size).unwrap_or(usize::MAX)).collect();
        // What the page's rows still lack (records, last logins), in one round trip.
        let wanted: Vec<String> = page
            .iter()
            .flat_map(|m| {
                let record = m.user.is_none().then(|| keys::user(&m.id));
                let login = m.last_login.is_none().then(|| keys::user_login(&m.id));
                record.into_iter().chain(login)
            })
            .collect();
        let mut read = self.get_many_raw(&wanted).await?.into_iter();
        for m in page {
            let user = match m.user {
                Some(u) => Some(u),
                None => user_from_raw(&m.id, read.next().flatten())?.map(|v| v.value),
            };
            let last_login = match m.last_login {
                Some(raw) => raw,
                None => read.next().flatten(),
            };
            let last_login = crate::user::read::last_login(last_login);
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
