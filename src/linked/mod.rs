//! Linked authentication (spec §3.18): a super-user links an SSO user to a Basic Auth or JWT
//! security definition of the host; a request that authenticates with that definition then
//! gets an SSO session of the user (an external session, `external.rs`).
//!
//! Decision: a definition is linked to at most one user. Zato's unique index allows one
//! definition on several users, and then an external session would have to pick one of them;
//! here the second link is refused (E008001), so a credential always means one person.

pub mod definitions;
pub mod external;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::audit::Audit;
use crate::caller::SessionCaller;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::{encode, parse_record, Request, Sso};
use crate::store::{keys, Commit, Store};
use crate::time::{self, serde_ts, Timestamp};
use crate::user::write::user_from_raw;
use definitions::{AuthType, Definition};

/// A link as stored under `sso/linked/<user_id>/…`, with Zato's columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LinkRecord {
    /// `zato.basic_auth` or `zato.jwt`.
    pub auth_type: String,
    pub auth_id: String,
    pub user_id: String,
    pub is_active: bool,
    pub is_internal: bool,
    #[serde(with = "serde_ts")]
    pub creation_time: Timestamp,
    pub has_ext_principal: bool,
    pub auth_principal: String,
    pub auth_source: String,
}

impl LinkRecord {
    fn definition_name(&self) -> SsoResult<String> {
        Ok(format!("{}.{}", AuthType::parse(&self.auth_type)?.name(), self.auth_id))
    }
}

/// One imported link: its record and the claim of its definition.
pub(crate) struct ImportedLink {
    link_key: String,
    record: String,
    claim_key: String,
    name: String,
}

fn no_such_user() -> SsoError {
    SsoError::shown(Code::InvalidOperation, "no such user")
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Step 1 of create and delete: the definition named by type and username.
    fn definition(&self, auth_type: &str, auth_username: &str) -> SsoResult<Definition> {
        let t = AuthType::parse(auth_type)?;
        self.definitions.by_username(t, auth_username).ok_or_else(|| SsoError::invalid_input(format!("no {} definition has that username", t.name())))
    }

    /// Step 1 of create and delete with the user_id checked: the definition and its name.
    fn link_of(&self, auth_type: &str, auth_username: &str, user_id: &str) -> SsoResult<(Definition, String)> {
        let def = self.definition(auth_type, auth_username)?;
        if user_id.is_empty() || user_id.len() > 191 {
            return Err(SsoError::invalid_input("a user_id is required"));
        }
        let name = def.qualified();
        Ok((def, name))
    }

    /// Spec §3.18 `create_linked_auth`: returns the user_id and the definition's id.
    pub async fn create_linked_auth(
        &self,
        caller: &SessionCaller<'_>,
        user_id: &str,
        auth_type: &str,
        auth_username: &str,
        is_active: bool,
    ) -> SsoResult<(String, String)> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.create_linked_auth", Some(user_id), vec![("auth_type", Value::String(auth_type.into()))]).await?;
        // The caller's super-user session is checked before the definition is named as found or
        // not: otherwise anyone could ask which definition usernames exist.
        let link = self.link_of(auth_type, auth_username, user_id);
        let wanted = match &link {
            Ok((_, name)) => vec![keys::user(user_id), keys::linked(user_id, name), keys::linked_definition(name)],
            Err(_) => Vec::new(),
        };
        let (_, extras) = self.resolve_session_with(&req, caller.ust, true, &wanted).await?;
        let (def, name) = link?;
        let mut extras = extras.into_iter();
        let (user_raw, link_raw, claim_raw) = (extras.next().flatten(), extras.next().flatten(), extras.next().flatten());
        user_from_raw(user_id, user_raw)?.ok_or_else(no_such_user)?;
        if link_raw.is_some() {
            return Err(SsoError::shown(Code::InvalidOperation, "the user is linked to this definition already"));
        }
        if let Some(other) = claim_raw.as_deref().filter(|o| *o != user_id) {
            // A claim whose user no longer has the link (deleted with its user) is stale.
            if self.get_raw(&keys::linked(other, &name)).await?.is_some() {
                return Err(SsoError::shown(Code::InvalidOperation, "the definition is linked to another user"));
            }
        }
        let record = LinkRecord {
            auth_type: def.auth_type.stored().into(),
            auth_id: def.id.clone(),
            user_id: user_id.into(),
            is_active,
            is_internal: false,
            creation_time: req.now,
            has_ext_principal: false,
            auth_principal: "reserved".into(),
            auth_source: "reserved".into(),
        };
        let mut commit = Commit::default();
        let link_key = keys::linked(user_id, &name);
        commit.check(link_key.clone(), None).put(link_key, encode(&record)?, None);
        let claim_key = keys::linked_definition(&name);
        commit.check(claim_key.clone(), claim_raw.as_deref()).put(claim_key, user_id, None);
        if !self.commit(&commit).await? {
            return Err(SsoError::conflict("the link or the definition changed meanwhile: try again"));
        }
        Ok((user_id.to_string(), def.id))
    }

    /// Spec §3.18 `delete_linked_auth`: the same checks; the link must exist; its external
    /// sessions end with it.
    pub async fn delete_linked_auth(&self, caller: &SessionCaller<'_>, user_id: &str, auth_type: &str, auth_username: &str) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.delete_linked_auth", Some(user_id), vec![("auth_type", Value::String(auth_type.into()))]).await?;
        // As in create: the session first, so the answer tells nobody which definitions exist.
        let link = self.link_of(auth_type, auth_username, user_id);
        let wanted = match &link {
            Ok((_, name)) => vec![keys::linked(user_id, name), keys::linked_definition(name)],
            Err(_) => Vec::new(),
        };
        let listing = async {
            match &link {
                Ok(_) => self.list_all(&keys::user_sessions_prefix(user_id)).await,
                Err(_) => Ok(Vec::new()),
            }
        };
        let (resolved, sessions) = crate::store::join2(self.resolve_session_with(&req, caller.ust, true, &wanted), listing).await;
        let (_, extras) = resolved?;
        let (_, name) = link?;
        let mut extras = extras.into_iter();
        let (link_raw, claim_raw) = (extras.next().flatten(), extras.next().flatten());
        let link_raw = link_raw.ok_or_else(|| SsoError::shown(Code::InvalidOperation, "no such link"))?;
        let ended = self.external_sessions_of(user_id, &name, &sessions?).await?;
        let mut commit = Commit::default();
        let link_key = keys::linked(user_id, &name);
        commit.check(link_key.clone(), Some(&link_raw)).delete(link_key);
        if claim_raw.as_deref() == Some(user_id) {
            let claim_key = keys::linked_definition(&name);
            commit.check(claim_key.clone(), claim_raw.as_deref()).delete(claim_key);
        }
        for k in ended {
            commit.delete(k);
        }
        if !self.commit(&commit).await? {
            return Err(SsoError::conflict("the link changed meanwhile: try again"));
        }
        Ok(())
    }

    /// The claim keys of the definitions named by the link records `records`.
    pub(crate) fn linked_claims(&self, records: &[Option<String>]) -> Vec<String> {
        records
            .iter()
            .flatten()
            .filter_map(|r| serde_json::from_str::<LinkRecord>(r).ok())
            .filter_map(|l| l.definition_name().ok())
            .map(|name| keys::linked_definition(&name))
            .collect()
    }

    /// The keys of `user_id`'s sessions whose `ext_session_id` starts with `<type>.<auth_id>`.
    async fn external_sessions_of(&self, user_id: &str, name: &str, listed: &[String]) -> SsoResult<Vec<String>> {
        let session_keys: Vec<String> = listed.iter().filter_map(|k| k.rsplit('/').next()).map(|id| keys::session(user_id, id)).collect();
        let records = self.get_many_raw(&session_keys).await?;
        let prefix = format!("{name}.");
        let mut out = Vec::new();
        for ((key, raw), index_key) in session_keys.into_iter().zip(records).zip(listed) {
            let Ok(Some(s)) = parse_record::<crate::session::record::SessionRecord>(raw) else { continue };
            if s.value.ext_session_id == name || s.value.ext_session_id.starts_with(&prefix) {
                out.push(key);
                out.push(index_key.clone());
                out.push(keys::ext_session(&s.value.ext_session_id));
            }
        }
        Ok(out)
    }

    /// Spec §3.18 `get_linked_auth_list`: the caller's own links, or `user_id`'s for a
    /// super-user.
    pub async fn get_linked_auth_list(&self, caller: &SessionCaller<'_>, user_id: Option<&str>) -> SsoResult<Vec<Value>> {
        let req = self.request(&caller.origin())?;
        let user_id = user_id.filter(|u| !u.is_empty());
        self.audit(&req, "user.get_linked_auth_list", user_id, vec![]).await?;
        let current = self.resolve_session(&req, caller.ust, false).await?;
        let target = match user_id {
            Some(id) if id != current.user.user_id => {
                if !current.user.is_super_user {
                    return Err(SsoError::hidden(Code::AuthNotAllowed, "only super-users may list another user's links"));
                }
                id.to_string()
            }
            _ => current.user.user_id.clone(),
        };
        self.links_of(&req, &target).await
    }

    /// Spec §3.18 `get_user_by_linked_auth`, with §10 O-57 fixed: the user linked to the
    /// definition `(auth_type, auth_username)`, not the caller. Super-users only, unless the
    /// linked user is the caller. Unknown definition, no link: E005001 (shown).
    pub async fn get_user_by_linked_auth(
        &self,
        caller: &SessionCaller<'_>,
        auth_type: &str,
        auth_username: &str,
    ) -> SsoResult<serde_json::Map<String, Value>> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.get_user_by_linked_auth", None, vec![("auth_type", Value::String(auth_type.into()))]).await?;
        let def = AuthType::parse(auth_type).ok().and_then(|t| self.definitions.by_username(t, auth_username));
        let claim_key = def.as_ref().map(|d| keys::linked_definition(&d.qualified()));
        let (current, extras) = self.resolve_session_with(&req, caller.ust, false, claim_key.as_slice()).await?;
        let linked_to = extras.into_iter().next().flatten();
        // A regular user learns nothing about the host's definitions: whether one exists, is
        // linked, or is linked to someone else, the answer is the same hidden E005001.
        let not_yours = || SsoError::hidden(Code::AuthNotAllowed, "no user of yours is linked to this definition");
        if !current.user.is_super_user && linked_to.as_deref() != Some(current.user.user_id.as_str()) {
            return Err(not_yours());
        }
        let def = match def {
            Some(d) => d,
            None => return Err(self.definition(auth_type, auth_username).err().unwrap_or_else(not_yours)),
        };
        let none = || SsoError::shown(Code::AuthNotAllowed, "no user is linked to this definition");
        let user_id = linked_to.ok_or_else(none)?;
        let read = self.get_many_raw(&[keys::user(&user_id), keys::linked(&user_id, &def.qualified())]).await?;
        if read.get(1).cloned().flatten().is_none() {
            return Err(if current.user.is_super_user { none() } else { not_yours() });
        }
        let user = user_from_raw(&user_id, read.first().cloned().flatten())?.ok_or_else(none)?.value;
        let vis = crate::user::record::Visibility { super_user_fields: current.user.is_super_user, is_self: user.user_id == current.user.user_id };
        Ok(user.view(&self.keys, vis))
    }

    async fn links_of(&self, _req: &Request, user_id: &str) -> SsoResult<Vec<Value>> {
        let listed = self.list_all(&keys::linked_prefix(user_id)).await?;
        let records = self.get_many_raw(&listed).await?;
        let mut out = Vec::new();
        for raw in records {
            let Ok(Some(link)) = parse_record::<LinkRecord>(raw) else { continue };
            let link = link.value;
            let Ok(t) = AuthType::parse(&link.auth_type) else { continue };
            // The definition may be gone from the host's list: its username is then unknown.
            let username = self.definitions.by_id(t, &link.auth_id).map(|d| Value::String(d.username)).unwrap_or(Value::Null);
            out.push(json!({
                "auth_type": t.name(), "auth_id": link.auth_id, "auth_username": username, "is_active": link.is_active,
                "is_internal": link.is_internal, "creation_time": time::format_zato(&link.creation_time),
                "has_ext_principal": link.has_ext_principal, "auth_principal": link.auth_principal,
                "auth_source": link.auth_source, "user_id": link.user_id,
            }));
        }
        out.sort_by(|a, b| a["creation_time"].as_str().cmp(&b["creation_time"].as_str()).then(a["auth_id"].as_str().cmp(&b["auth_id"].as_str())));
        Ok(out)
    }

    /// The links imported from Zato (`zato_sso_linked_auth` rows of `user_id`): each link
    /// record, and the definition's claim the import must take.
    pub(crate) fn imported_links(&self, links: Option<&Value>, user_id: &str) -> SsoResult<Vec<ImportedLink>> {
        let items = match links {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(a)) => a,
            Some(_) => return Err(SsoError::invalid_input("linked_auth must be a list")),
        };
        let mut out = Vec::new();
        for item in items {
            let Value::Object(m) = item else { return Err(SsoError::invalid_input("linked_auth items must be objects")) };
            let text = |k: &str| m.get(k).and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())));
            let flag = |k: &str, d: bool| m.get(k).and_then(|v| v.as_bool().or_else(|| v.as_i64().map(|n| n != 0))).unwrap_or(d);
            let auth_type = AuthType::parse(&text("auth_type").unwrap_or_default())?;
            let auth_id = text("auth_id")
                .filter(|s| !s.is_empty() && s.len() <= 191)
                .ok_or_else(|| SsoError::invalid_input("linked_auth: auth_id is required"))?;
            let creation_time = text("creation_time")
                .map(|s| time::parse_zato_db(&s).ok_or_else(|| SsoError::invalid_input("linked_auth: creation_time is not a timestamp")))
                .transpose()?
                .unwrap_or_else(|| self.now().unwrap_or_else(|_| time::earliest()));
            let record = LinkRecord {
                auth_type: auth_type.stored().into(),
                auth_id: auth_id.clone(),
                user_id: user_id.into(),
                is_active: flag("is_active", true),
                is_internal: flag("is_internal", false),
                creation_time,
                has_ext_principal: flag("has_ext_principal", false),
                auth_principal: text("auth_principal").unwrap_or_else(|| "reserved".into()),
                auth_source: text("auth_source").unwrap_or_else(|| "reserved".into()),
            };
            let name = record.definition_name()?;
            out.push(ImportedLink {
                link_key: keys::linked(user_id, &name),
                record: encode(&record)?,
                claim_key: keys::linked_definition(&name),
                name,
            });
        }
        Ok(out)
    }

    /// Takes the definitions' claims for `user_id`. A definition linked to another user (Zato
    /// allows one definition on several users; here a credential names one person) is refused
    /// with E008001, and nothing is written for it.
    pub(crate) async fn commit_imported_links(&self, user_id: &str, links: &[ImportedLink]) -> SsoResult<()> {
        if links.is_empty() {
            return Ok(());
        }
        let claims = self.refuse_taken_definitions(user_id, links).await?;
        let mut commit = Commit::default();
        for (l, claim) in links.iter().zip(&claims) {
            commit.put(l.link_key.clone(), l.record.clone(), None);
            commit.check(l.claim_key.clone(), claim.as_deref()).put(l.claim_key.clone(), user_id, None);
        }
        if !self.commit(&commit).await? {
            return Err(SsoError::conflict("a definition's link changed during the import: run it again"));
        }
        Ok(())
    }

    /// The definitions' claims as read, or E008001 when one of them is linked to another user.
    pub(crate) async fn refuse_taken_definitions(&self, user_id: &str, links: &[ImportedLink]) -> SsoResult<Vec<Option<String>>> {
        if links.is_empty() {
            return Ok(Vec::new());
        }
        let claims = self.get_many_raw(&links.iter().map(|l| l.claim_key.clone()).collect::<Vec<_>>()).await?;
        let others: Vec<String> =
            links.iter().zip(&claims).filter_map(|(l, c)| c.as_deref().filter(|o| *o != user_id).map(|o| keys::linked(o, &l.name))).collect();
        if self.get_many_raw(&others).await?.iter().any(Option::is_some) {
            return Err(SsoError::shown(Code::InvalidOperation, "a linked definition of this user is linked to another user"));
        }
        Ok(claims)
    }
}
