//! Search (spec §6, §3.13): precedence and paging over the criteria `criteria.rs` parses.
//! Matching runs on the secondary indexes of [`index`]; only the users of the requested page
//! are loaded.

mod criteria;
pub mod index;

use std::collections::{BTreeSet, HashMap};
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
        // Each match comes with its record where finding it loaded it already.
        // Last logins read on the way (an exact lookup reads its user's with the record).
        let mut known_logins: HashMap<String, Option<String>> = HashMap::new();
        let ordered: Vec<(String, Option<UserRecord>)> = match selection {
            Selection::UserId(id) => {
                let user = match &lookup {
                    Some(k) if *k == crate::store::keys::user(&id) => crate::user::write::user_from_raw(&id, prefetched)?.map(|v| v.value),
                    _ => self.load_user(&id).await?,
                };
                user.map(|u| vec![(u.user_id.clone(), Some(u))]).unwrap_or_default()
            }
            Selection::Username(name) => {
                let claim = prefetched.and_then(|t| serde_json::from_str::<crate::user::read::UsernameClaim>(&t).ok());
                let user = match claim {
                    Some(c) => {
                        let mut read = self.get_many_raw(&[keys::user(&c.user_id), keys::user_login(&c.user_id)]).await?.into_iter();
                        let user = user_from_raw(&c.user_id, read.next().flatten())?.map(|v| v.value);
                        known_logins.insert(c.user_id.clone(), read.next().flatten());
                        user.filter(|u| crate::username::same(&u.username, &name))
                    }
                    None => None,
                };
                user.map(|u| vec![(u.user_id.clone(), Some(u))]).unwrap_or_default()
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
