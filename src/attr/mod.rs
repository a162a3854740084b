//! User and session attributes (spec §3.17): free-form name/value pairs of a user, or of one
//! session and its owner. Values are JSON; `encrypt` seals a string value.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::caller::SessionCaller;
use crate::error::bad;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::{encode, gave_up, parse_record, Request, Sso, Versioned, MAX_ATTEMPTS};
use crate::store::{keys, Commit, Store};
use crate::time::{self, serde_ts, Timestamp};

/// Longest attribute name, in characters.
pub const MAX_NAME: usize = 1024;
/// Values up to 48 KiB keep a record within every backend's value limit (Deno KV: 64 KiB).
pub const MAX_VALUE_BYTES: usize = 48 * 1024;
/// Most attributes one call may name.
pub const MAX_BATCH: usize = 1000;
const PURPOSE: &str = "attr";

/// `9999-12-31T00:00:00`: "never expires" (spec §3.17).
fn never() -> Timestamp {
    time::parse_zato("9999-12-31T00:00:00").unwrap_or(chrono::NaiveDateTime::MAX)
}

/// What cleanup needs of an attribute record.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AttrRecordHeader {
    #[serde(with = "serde_ts")]
    pub expiration_time: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AttrRecord {
    name: String,
    /// JSON of the value, or of its sealed form.
    value: String,
    is_encrypted: bool,
    #[serde(with = "serde_ts")]
    creation_time: Timestamp,
    #[serde(with = "serde_ts")]
    last_modified: Timestamp,
    #[serde(with = "serde_ts")]
    expiration_time: Timestamp,
}

/// What an attribute call does (spec §3.17); each is audited as `attr.<op>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrOp {
    /// Adds attributes; fails with E009001 if any exists, and then writes none.
    Create,
    /// Changes existing attributes; fails with E009002 if any is missing.
    Update,
    /// Creates or replaces attributes.
    Set,
    /// Reads attributes (values opened when `decrypt`); a missing one is null.
    Get,
    /// Tells whether each attribute exists.
    Exists,
    /// Lists the names of the live attributes.
    Names,
    /// Removes attributes.
    Delete,
    /// Changes only the expiry of existing attributes; fails with E009002 if any is missing.
    SetExpiry,
    /// Reads every live attribute of the target as a map by name.
    ToDict,
}

impl AttrOp {
    fn audit_name(self) -> &'static str {
        match self {
            AttrOp::Create => "attr.create",
            AttrOp::Update => "attr.update",
            AttrOp::Set => "attr.set",
            AttrOp::Get => "attr.get",
            AttrOp::Exists => "attr.exists",
            AttrOp::Names => "attr.names",
            AttrOp::Delete => "attr.delete",
            AttrOp::SetExpiry => "attr.set_expiry",
            AttrOp::ToDict => "attr.to_dict",
        }
    }
}

/// One item of a `*_many` call; per-item values override the call's.
#[derive(Clone, Default)]
pub struct AttrItem {
    /// The attribute's name (1 to `MAX_NAME` characters).
    pub name: String,
    /// The value to write; any JSON.
    pub value: Option<Value>,
    /// Seconds until the attribute expires (0: never); overrides the call's `expiration`.
    pub expiration: Option<i64>,
    /// Seal the value (it must then be a string); overrides the call's `encrypt`.
    pub encrypt: Option<bool>,
    /// Whose attribute (a super-user may name another user); overrides the call's target user.
    pub user_id: Option<String>,
}

/// Whose attributes: a user's (the caller's own when `user_id` is None), or a session's.
#[derive(Clone)]
pub enum AttrTarget {
    /// A user's attributes: that user's id, or `None` for the caller's own.
    User(Option<String>),
    /// The target session's UST.
    Session(String),
}

// Values may be meant for encryption and a session target is a UST: Debug shows neither.
impl std::fmt::Debug for AttrItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttrItem")
            .field("name", &self.name)
            .field("has_value", &self.value.is_some())
            .field("expiration", &self.expiration)
            .field("encrypt", &self.encrypt)
            .field("user_id", &self.user_id)
            .finish()
    }
}

impl std::fmt::Debug for AttrTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttrTarget::User(id) => f.debug_tuple("User").field(id).finish(),
            AttrTarget::Session(_) => f.write_str("Session(<ust>)"),
        }
    }
}

/// One attribute call as `Sso::attr` takes it.
#[derive(Debug, Clone)]
pub struct AttrCall {
    /// What to do.
    pub op: AttrOp,
    /// Whose attributes.
    pub target: AttrTarget,
    /// The names (single or list), or the items of a write.
    pub items: Vec<AttrItem>,
    /// A single name or item was given (not a list): the result is not a map.
    pub single: bool,
    /// Seconds until written attributes expire (0 or `None`: never), unless an item says otherwise.
    pub expiration: Option<i64>,
    /// Seal the values written (they must then be strings), unless an item says otherwise.
    pub encrypt: bool,
    /// Return encrypted values opened rather than sealed.
    pub decrypt: bool,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Runs an attribute call for the holder of `ust` (spec §3.17): own attributes, or any user's for a super-user.
    pub async fn attr(&self, caller: &SessionCaller<'_>, call: AttrCall) -> SsoResult<Value> {
        let req = self.request(&caller.origin())?;
        let target_user = match &call.target {
            AttrTarget::User(u) => u.clone(),
            AttrTarget::Session(_) => None,
        };
        self.audit(&req, call.op.audit_name(), target_user.as_deref(), vec![]).await?;
        if call.items.len() > MAX_BATCH {
            return Err(bad(format!("at most {MAX_BATCH} attributes at once")));
        }
        for item in &call.items {
            if item.name.is_empty() || item.name.chars().count() > MAX_NAME {
                return Err(bad(format!("attribute names must have 1 to {MAX_NAME} characters")));
            }
            // Maps of attributes by name become JavaScript objects, where this key would set the
            // prototype instead of holding the attribute.
            if item.name == "__proto__" {
                return Err(bad("__proto__ cannot be an attribute name"));
            }
        }
        // The attributes named and the other owners' records are read with the session, in
        // one round trip, where the UST names its owner and the scope is the user's.
        let ust_owner = self.open_ust(caller.ust).ok().and_then(|r| r.user_id);
        let mut prefetch_keys = Vec::new();
        if let (AttrTarget::User(target), Some(me)) = (&call.target, &ust_owner) {
            let owner = target.clone().filter(|u| !u.is_empty()).unwrap_or_else(|| me.clone());
            for item in &call.items {
                let o = item.user_id.clone().filter(|u| !u.is_empty()).unwrap_or_else(|| owner.clone());
                if o != *me && !prefetch_keys.contains(&keys::user(&o)) {
                    prefetch_keys.push(keys::user(&o));
                }
                prefetch_keys.push(keys::attr(&o, None, &item.name));
            }
            if owner != *me && !prefetch_keys.contains(&keys::user(&owner)) {
                prefetch_keys.push(keys::user(&owner));
            }
        }
        let (current, fetched) = self.resolve_session_with(&req, caller.ust, false, &prefetch_keys).await?;
        let prefetched: std::collections::BTreeMap<String, Option<String>> = prefetch_keys.into_iter().zip(fetched).collect();
        let me = current.user;
        // Whose attributes, and in which scope.
        let (owner, session_id) = match &call.target {
            AttrTarget::User(u) => (u.clone().filter(|u| !u.is_empty()).unwrap_or_else(|| me.user_id.clone()), None),
            AttrTarget::Session(target_ust) => {
                let s = self.live_session(&req, target_ust).await?;
                (s.user_id, Some(s.session_id))
            }
        };
        let allowed = |user_id: &str| me.is_super_user || user_id == me.user_id;
        let owner_of = |item: &AttrItem| -> String {
            match (&call.target, &item.user_id) {
                (AttrTarget::User(_), Some(u)) if !u.is_empty() => u.clone(),
                _ => owner.clone(),
            }
        };
        for item in call.items.iter().map(owner_of).chain(std::iter::once(owner.clone())) {
            if !allowed(&item) {
                return Err(SsoError::hidden(Code::AuthNotAllowed, "attributes of another user need a super-user"));
            }
        }
        // Attributes of a user that does not exist are not there (this is also what keeps the
        // attributes of a deleted user unreadable if its cascade was interrupted).
        let mut owners: Vec<String> = call.items.iter().map(owner_of).collect();
        owners.push(owner.clone());
        owners.dedup();
        for o in &owners {
            let exists = match prefetched.get(&keys::user(o)) {
                _ if *o == me.user_id => true,
                Some(raw) => crate::user::write::user_from_raw(o, raw.clone())?.is_some(),
                None => self.load_user(o).await?.is_some(),
            };
            if !exists {
                return Err(SsoError::hidden(Code::AuthNotAllowed, "no such user"));
            }
        }
        let visible = |user_id: String, session_id: Option<String>, name: String| {
            let prefetched = &prefetched;
            let req = &req;
            async move {
                let key = keys::attr(&user_id, session_id.as_deref(), &name);
                let raw = match prefetched.get(&key) {
                    Some(raw) => raw.clone(),
                    None => self.get_raw(&key).await?,
                };
                let rec: Option<Versioned<AttrRecord>> = parse_record(raw)?;
                Ok::<_, SsoError>(rec.filter(|r| r.value.expiration_time > req.now && r.value.name == name))
            }
        };
        let sid = session_id.as_deref();
        match call.op {
            AttrOp::Create => {
                // All or nothing: every name is checked before anything is written.
                let mut seen = std::collections::BTreeSet::new();
                for item in &call.items {
                    if !seen.insert((owner_of(item), item.name.clone()))
                        || visible(owner_of(item), session_id.clone(), item.name.clone()).await?.is_some()
                    {
                        return Err(SsoError::hidden(Code::AttrAlreadyExists, "the attribute exists"));
                    }
                }
                let mut written = Vec::new();
                for item in &call.items {
                    let key = keys::attr(&owner_of(item), sid, &item.name);
                    match self.write_new(&req, &key, item, &call).await {
                        Ok(true) => written.push(key),
                        result => {
                            for k in &written {
                                let _ = self.delete_key(k).await;
                            }
                            return Err(result.err().unwrap_or_else(|| SsoError::hidden(Code::AttrAlreadyExists, "the attribute exists")));
                        }
                    }
                }
                Ok(Value::Null)
            }
            AttrOp::Update | AttrOp::SetExpiry => {
                let mut found = Vec::new();
                for item in &call.items {
                    let rec = visible(owner_of(item), session_id.clone(), item.name.clone()).await?.map(|r| r.value);
                    // Spec §10 O-29: a missing attribute is an error, not a silent no-op.
                    found.push(rec.ok_or_else(|| SsoError::hidden(Code::AttrNoSuchAttr, "no such attribute"))?);
                }
                for (item, rec) in call.items.iter().zip(found) {
                    self.write_update(&req, &keys::attr(&owner_of(item), sid, &item.name), rec, item, &call).await?;
                }
                Ok(Value::Null)
            }
            AttrOp::Set => {
                // One commit for every item, each under a check of what was read; a concurrent
                // change makes it read again (the last writer wins, nothing is half-written).
                let mut first = true;
                for _ in 0..MAX_ATTEMPTS {
                    let mut commit = Commit::default();
                    for item in &call.items {
                        let key = keys::attr(&owner_of(item), sid, &item.name);
                        let raw = match prefetched.get(&key) {
                            Some(raw) if first => raw.clone(),
                            _ => self.get_raw(&key).await?,
                        };
                        let live =
                            parse_record::<AttrRecord>(raw.clone())?.map(|r| r.value).filter(|r| r.expiration_time > req.now && r.name == item.name);
                        let rec = match live {
                            Some(rec) => self.updated(&req, rec, item, &call)?,
                            None => self.new_record(&req, item, &call)?,
                        };
                        commit.check(key.clone(), raw.as_deref()).put(key, encode(&rec)?, None);
                    }
                    first = false;
                    if self.commit(&commit).await? {
                        return Ok(Value::Null);
                    }
                }
                Err(gave_up("the attribute"))
            }
            AttrOp::Get | AttrOp::Exists => {
                let mut out = Map::new();
                for item in &call.items {
                    let rec = visible(owner_of(item), session_id.clone(), item.name.clone()).await?.map(|r| r.value);
                    let v = match call.op {
                        AttrOp::Exists => Value::Bool(rec.is_some()),
                        _ => rec.map(|r| self.entity(&r, call.decrypt)).transpose()?.unwrap_or(Value::Null),
                    };
                    out.insert(item.name.clone(), v);
                }
                if call.single || call.items.len() == 1 {
                    return Ok(out.into_iter().next().map(|(_, v)| v).unwrap_or(Value::Null));
                }
                Ok(Value::Object(out))
            }
            AttrOp::Names | AttrOp::ToDict => {
                let mut names = Vec::new();
                let mut dict = Map::new();
                for key in self.list_all(&keys::attr_scope_prefix(&owner, sid)).await? {
                    if let Some(rec) = self.get_record::<AttrRecord>(&key).await? {
                        if rec.expiration_time > req.now && key == keys::attr(&owner, sid, &rec.name) {
                            if call.op == AttrOp::ToDict {
                                dict.insert(rec.name.clone(), self.entity(&rec, call.decrypt)?);
                            }
                            names.push(Value::String(rec.name));
                        }
                    }
                }
                Ok(if call.op == AttrOp::Names { Value::Array(names) } else { Value::Object(dict) })
            }
            AttrOp::Delete => {
                for item in &call.items {
                    self.delete_key(&keys::attr(&owner_of(item), sid, &item.name)).await?;
                }
                Ok(Value::Null)
            }
        }
    }

    fn stored_value(&self, value: &Value, encrypt: bool) -> SsoResult<String> {
        let text = if encrypt {
            let Value::String(s) = value else { return Err(bad("an encrypted attribute value must be a string")) };
            // Sealing adds a third (base64) and a header: keep the sealed form under the limit.
            if s.len() > MAX_VALUE_BYTES * 2 / 3 {
                return Err(bad("the attribute value is larger than 32 KiB (encrypted)"));
            }
            let sealed = self.keys.seal(PURPOSE, s.as_bytes()).map_err(|_| SsoError::internal("a value could not be sealed"))?;
            serde_json::to_string(&Value::String(sealed))
        } else {
            serde_json::to_string(value)
        }
        .map_err(|_| bad("the attribute value is not JSON"))?;
        if text.len() > MAX_VALUE_BYTES {
            return Err(bad("the attribute value is larger than 48 KiB"));
        }
        Ok(text)
    }

    fn expiry(&self, req: &Request, expiration: Option<i64>) -> SsoResult<Timestamp> {
        match expiration {
            None | Some(0) => Ok(never()),
            Some(s) if s > 0 => Ok(time::add_seconds(&req.now, s).min(never())),
            Some(_) => Err(bad("expiration must be a non-negative number of seconds")),
        }
    }

    /// The writes of attributes imported from Zato (`zato_sso_attr` rows of the user, not of
    /// a session): `[{ name, value, is_encrypted, expiration_time, creation_time,
    /// last_modified }]`, values decoded (JSON) and opened. Sealed again with our key where
    /// Zato had them sealed.
    pub(crate) fn imported_attrs(&self, items: Option<&Value>, user_id: &str, now: &Timestamp) -> SsoResult<Vec<(String, String)>> {
        let items = match items {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(a)) => a,
            Some(_) => return Err(bad("attributes must be a list")),
        };
        let time_of = |m: &Map<String, Value>, k: &str| -> SsoResult<Option<Timestamp>> {
            match m.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => time::parse_zato_db(s).map(Some).ok_or_else(|| bad(format!("attributes: {k} is not a timestamp"))),
                Some(_) => Err(bad(format!("attributes: {k} must be a string"))),
            }
        };
        let mut out = Vec::new();
        for item in items {
            let Value::Object(m) = item else { return Err(bad("attributes must be objects")) };
            let name = m
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty() && n.len() <= MAX_NAME)
                .ok_or_else(|| bad("attributes: a name is required"))?;
            let encrypt = m.get("is_encrypted").and_then(|v| v.as_bool().or_else(|| v.as_i64().map(|n| n != 0))).unwrap_or(false);
            let value = m.get("value").cloned().unwrap_or(Value::Null);
            if encrypt && !value.is_string() {
                return Err(bad("attributes: an encrypted value must be a string"));
            }
            let created = time_of(m, "creation_time")?.unwrap_or(*now);
            let record = AttrRecord {
                name: name.to_string(),
                value: self.stored_value(&value, encrypt)?,
                is_encrypted: encrypt,
                creation_time: created,
                last_modified: time_of(m, "last_modified")?.unwrap_or(created),
                expiration_time: time_of(m, "expiration_time")?.unwrap_or_else(never),
            };
            out.push((keys::attr(user_id, None, name), encode(&record)?));
        }
        Ok(out)
    }

    /// A new attribute's record.
    fn new_record(&self, req: &Request, item: &AttrItem, call: &AttrCall) -> SsoResult<AttrRecord> {
        let encrypt = item.encrypt.unwrap_or(call.encrypt);
        let value = item.value.clone().unwrap_or(Value::Null);
        Ok(AttrRecord {
            name: item.name.clone(),
            value: self.stored_value(&value, encrypt)?,
            is_encrypted: encrypt,
            creation_time: req.now,
            last_modified: req.now,
            expiration_time: self.expiry(req, item.expiration.or(call.expiration))?,
        })
    }

    /// Creates the record atomically; an expired one in the way is replaced (spec §10 O-31).
    async fn write_new(&self, req: &Request, key: &str, item: &AttrItem, call: &AttrCall) -> SsoResult<bool> {
        let rec = self.new_record(req, item, call)?;
        let text = serde_json::to_string(&rec).map_err(|_| SsoError::internal("a record could not be encoded"))?;
        if self.put_if_absent(key, &text, None).await? {
            return Ok(true);
        }
        let old: Option<AttrRecord> = self.get_record(key).await?;
        if old.is_some_and(|o| o.expiration_time <= req.now) {
            self.put_raw(key, &text, None).await?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Spec §10 O-29: the value is stored whenever one is given (falsy ones too), the expiry
    /// whenever one is given, and `is_encrypted` always matches the stored form.
    async fn write_update(&self, req: &Request, key: &str, rec: AttrRecord, item: &AttrItem, call: &AttrCall) -> SsoResult<()> {
        let rec = self.updated(req, rec, item, call)?;
        self.put_record(key, &rec, None).await
    }

    fn updated(&self, req: &Request, mut rec: AttrRecord, item: &AttrItem, call: &AttrCall) -> SsoResult<AttrRecord> {
        let encrypt = item.encrypt.unwrap_or(if call.op == AttrOp::SetExpiry { rec.is_encrypted } else { call.encrypt });
        if call.op != AttrOp::SetExpiry {
            if let Some(v) = &item.value {
                rec.value = self.stored_value(v, encrypt)?;
                rec.is_encrypted = encrypt;
            }
        }
        if let Some(e) = item.expiration.or(call.expiration) {
            rec.expiration_time = self.expiry(req, Some(e))?;
        }
        rec.last_modified = req.now;
        Ok(rec)
    }

    /// Key rotation: re-seals encrypted attribute values under the newest key.
    pub(crate) async fn reseal_attrs(&self) -> SsoResult<u64> {
        let mut n = 0;
        for key in self.list_all("sso/attr/").await? {
            let Some(mut rec) = self.get_record::<AttrRecord>(&key).await.ok().flatten() else { continue };
            if !rec.is_encrypted {
                continue;
            }
            let Ok(Value::String(sealed)) = serde_json::from_str::<Value>(&rec.value) else { continue };
            if crate::crypto::seal::KeyRing::kid_of(&sealed) == Some(self.keys.newest_kid()) {
                continue;
            }
            let plain = self.keys.open(PURPOSE, &sealed).map_err(|_| SsoError::internal("an attribute does not open with any key"))?;
            let fresh = self.keys.seal(PURPOSE, &plain).map_err(|_| SsoError::internal("a value could not be sealed"))?;
            rec.value = serde_json::to_string(&Value::String(fresh)).map_err(|_| SsoError::internal("a record could not be encoded"))?;
            self.put_record(&key, &rec, None).await?;
            n += 1;
        }
        Ok(n)
    }

    fn entity(&self, rec: &AttrRecord, decrypt: bool) -> SsoResult<Value> {
        let stored: Value = serde_json::from_str(&rec.value).map_err(|_| SsoError::internal("a stored attribute is corrupt"))?;
        let value = match (&stored, rec.is_encrypted && decrypt) {
            (Value::String(sealed), true) => {
                Value::String(self.keys.open_string(PURPOSE, sealed).map_err(|_| SsoError::internal("an encrypted attribute could not be opened"))?)
            }
            _ => stored,
        };
        Ok(serde_json::json!({
            "name": rec.name,
            "value": value,
            "creation_time": time::format_zato(&rec.creation_time),
            "last_modified": time::format_zato(&rec.last_modified),
            "expiration_time": time::format_zato(&rec.expiration_time),
            "is_encrypted": rec.is_encrypted,
        }))
    }
}
