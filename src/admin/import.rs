//! Importing a user from Zato's database (the `edge-sso import-zato` migration).
//!
//! The importer reads a row of Zato's `zato_sso_user` table, opens its Fernet-sealed values
//! with the operator's Zato key, and hands the plaintext row here. This module checks it,
//! seals what edge-sso seals with edge-sso's keys, and writes the user, its name's claim, its
//! lookups and its attributes. Zato's PBKDF2-SHA512 hash is kept as it is: it verifies at the
//! next login, which replaces it with Argon2id.
//!
//! Idempotent: a user_id already here is skipped, or overwritten when the caller asks for an
//! update; a username owned by another user_id is refused (E001002), never duplicated.

use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::crypto::{ids, totp};
use crate::error::bad;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::input::shown_key;
use crate::sso::{encode, Sso, Versioned};
use crate::store::{keys, Commit, Store, MAX_COMMIT_WRITES};
use crate::time::{self, Timestamp};
use crate::user::create::{check_email_syntax, check_username_syntax, fold, MAX_TEXT};
use crate::user::read::UsernameClaim;
use crate::user::record::{purpose, ApprovalStatus, SignUpStatus, UserRecord, DEFAULT_LABEL};
use crate::user::write::new_stamp;

/// The columns of `zato_sso_user` the importer may pass, plus the related rows.
const USER_KEYS: [&str; 38] = [
    "user_id",
    "username",
    "password",
    "email",
    "display_name",
    "first_name",
    "middle_name",
    "last_name",
    "is_active",
    "is_internal",
    "is_super_user",
    "is_locked",
    "locked_time",
    "locked_by",
    "creation_ctx",
    "approval_status",
    "approval_status_mod_time",
    "approval_status_mod_by",
    "approv_rej_time",
    "approv_rej_by",
    "password_expiry",
    "password_is_set",
    "password_must_change",
    "password_last_set",
    "sign_up_status",
    "sign_up_time",
    "sign_up_confirm_token",
    "is_totp_enabled",
    "totp_key",
    "totp_label",
    "is_rate_limit_active",
    "rate_limit_type",
    "rate_limit_def",
    "rate_limit_check_parent_def",
    "attributes",
    "linked_auth",
    "id",
    "sign_up_confirm_time",
];

/// The fewest PBKDF2 rounds an imported hash may have (passlib's own minimum is 1,000).
const MIN_PBKDF2_ROUNDS: u32 = 1000;

/// What happened to one imported user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// New: the user did not exist here.
    Imported,
    /// The user existed and was overwritten (the import was asked to update).
    Updated,
    /// The user existed and was left as it was.
    Skipped,
}

impl Imported {
    /// `imported`, `updated` or `skipped`, as the import report writes it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Imported::Imported => "imported",
            Imported::Updated => "updated",
            Imported::Skipped => "skipped",
        }
    }
}

/// A row as the importer hands it over: SQL booleans may arrive as 0 / 1.
struct Row<'a>(&'a Map<String, Value>);

impl Row<'_> {
    fn text(&self, key: &str) -> SsoResult<Option<String>> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.chars().count() > MAX_TEXT => Err(bad(format!("{key} is longer than {MAX_TEXT} characters"))),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(format!("{key} must be a string"))),
        }
    }
    fn flag(&self, key: &str, default: bool) -> SsoResult<bool> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(false),
            Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(true),
            Some(_) => Err(bad(format!("{key} must be a boolean"))),
        }
    }
    fn time(&self, key: &str) -> SsoResult<Option<Timestamp>> {
        match self.text(key)? {
            None => Ok(None),
            Some(s) => time::parse_zato_db(&s).map(Some).ok_or_else(|| bad(format!("{key} is not a timestamp"))),
        }
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Trusted: imports one Zato user row (plaintext; see the module docs). Returns the
    /// user_id and what happened.
    pub async fn admin_import_user(&self, cid: Option<&str>, row: &Map<String, Value>, update: bool) -> SsoResult<(String, Imported)> {
        let req = self.internal_request(cid, super::CLI_APP)?;
        let user_id = match row.get("user_id") {
            Some(Value::String(s)) => s.clone(),
            _ => return Err(bad("user_id must be a string")),
        };
        self.audit(&req, "user.import_user", Some(&user_id), vec![("trusted", Value::Bool(true)), ("update", Value::Bool(update))]).await?;
        if let Some(k) = row.keys().find(|k| !USER_KEYS.contains(&k.as_str())) {
            return Err(bad(format!("unknown column in the row: {}", shown_key(k))));
        }
        let user = self.imported_record(row, &user_id, &req.now)?;
        let attrs = self.imported_attrs(row.get("attributes"), &user_id, &req.now)?;
        let links = self.imported_links(row.get("linked_auth"), &user_id)?;

        // The record and the name's claims, in one round trip.
        let mut batch = vec![keys::user(&user_id), keys::username(&user.username)];
        batch.extend(keys::username_legacy(&user.username));
        let mut read = self.get_many_raw(&batch).await?.into_iter();
        let existing = crate::user::write::user_from_raw(&user_id, read.next().flatten())?;
        let claim_raw = read.next().flatten();
        let legacy_raw = read.next().flatten();
        let owner = |raw: &Option<String>| raw.as_deref().and_then(|t| serde_json::from_str::<UsernameClaim>(t).ok()).map(|c| c.user_id);
        for claim in [&claim_raw, &legacy_raw] {
            if owner(claim).is_some_and(|o| o != user_id) {
                return Err(SsoError::shown(Code::UsernameExists, "the username belongs to another user"));
            }
        }
        let outcome = match existing {
            Some(_) if !update => return Ok((user_id, Imported::Skipped)),
            _ => {
                // Before anything is written: a definition linked to someone else refuses the row.
                self.refuse_taken_definitions(&user_id, &links).await?;
                existing
            }
        };
        let outcome = match outcome {
            Some(_) if !update => return Ok((user_id, Imported::Skipped)),
            Some(old) => {
                self.commit_updated(old, user, claim_raw, &req.now).await?;
                Imported::Updated
            }
            None => {
                self.commit_imported(&user, claim_raw, &req.now).await?;
                Imported::Imported
            }
        };
        // Attributes and links after the user, in commits of their own: they are keyed by
        // user_id, so a re-run that stops half-way simply writes them again.
        self.commit_imported_links(&user_id, &links).await?;
        for chunk in attrs.chunks(MAX_COMMIT_WRITES) {
            let mut commit = Commit::default();
            for (k, v) in chunk {
                commit.put(k.clone(), v.clone(), None);
            }
            self.commit(&commit).await?;
        }
        Ok((user_id, outcome))
    }

    /// The user record of a row: checked as a creation checks it, sealed with our keys.
    fn imported_record(&self, row: &Map<String, Value>, user_id: &str, now: &Timestamp) -> SsoResult<UserRecord> {
        let r = Row(row);
        if user_id.is_empty() || user_id.len() > 191 || !user_id.chars().all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch)) {
            return Err(bad("user_id must be 1 to 191 letters, digits, '.', '_' or '-'"));
        }
        let username = r.text("username")?.unwrap_or_default();
        if username.is_empty() {
            return Err(SsoError::shown(Code::UsernameInvalid, "a username is required"));
        }
        check_username_syntax(&self.config, &username)?;
        let email = non_empty(r.text("email")?);
        if let Some(e) = &email {
            check_email_syntax(&self.config, e)?;
        }
        // Zato's passlib hash, kept as it is (sealed with our key when we seal hashes); an
        // account without one gets an unusable random password, as a creation does.
        let password = match non_empty(r.text("password")?) {
            Some(p) if p.starts_with("$argon2id$") => p,
            // A hash a hostile database could make trivially weak is refused: Zato's own use
            // 120,000 rounds by default.
            Some(p) if p.starts_with("$pbkdf2-sha512$") => {
                let rounds = p.split('$').nth(2).and_then(|r| r.parse::<u32>().ok()).unwrap_or(0);
                if rounds < MIN_PBKDF2_ROUNDS {
                    return Err(bad(format!("password: a $pbkdf2-sha512$ hash needs at least {MIN_PBKDF2_ROUNDS} rounds")));
                }
                p
            }
            Some(_) => return Err(bad("password must be a passlib $pbkdf2-sha512$ or an $argon2id$ hash")),
            None => {
                crate::crypto::password::hash_password(&ids::secret(192).map_err(|_| SsoError::internal("no randomness available"))?, &self.argon2)
                    .map_err(|_| SsoError::internal("the password could not be hashed"))?
            }
        };
        let seal = |p: &str, v: &str| self.keys.seal(p, v.as_bytes()).map_err(|_| SsoError::internal("a value could not be sealed"));
        let (password, password_sealed) =
            if self.config.main.encrypt_password { (seal(purpose::PASSWORD, &password)?, true) } else { (password, false) };
        let (email, email_sealed) = match email {
            Some(e) if self.config.main.encrypt_email => (Some(seal(purpose::EMAIL, &e)?), true),
            other => (other, false),
        };
        let totp_key = match non_empty(r.text("totp_key")?) {
            Some(k) => {
                totp::totp_code(&k, 0).map_err(|_| bad("totp_key is not valid base-32"))?;
                k
            }
            None => ids::totp_key().map_err(|_| SsoError::internal("no randomness available"))?,
        };
        let label = non_empty(r.text("totp_label")?).unwrap_or_else(|| DEFAULT_LABEL.to_string());
        let approval_status = match r.text("approval_status")? {
            None => ApprovalStatus::Approved,
            Some(s) => ApprovalStatus::parse(&s).ok_or_else(|| bad("approval_status must be approved, rejected or before_decision"))?,
        };
        let sign_up_status = match r.text("sign_up_status")? {
            None => SignUpStatus::Final,
            Some(s) => SignUpStatus::parse(&s).ok_or_else(|| bad("sign_up_status must be final or before_confirmation"))?,
        };
        // Zato keeps the confirm token itself; we keep only its digest.
        let token = match non_empty(r.text("sign_up_confirm_token")?) {
            Some(t) => t,
            None => ids::secret(192).map_err(|_| SsoError::internal("no randomness available"))?,
        };
        let creation_ctx = match row.get("creation_ctx") {
            None | Some(Value::Null) => "null".to_string(),
            // Zato stores it as JSON text already.
            Some(Value::String(s)) => s.clone(),
            Some(v) => serde_json::to_string(v).map_err(|_| bad("creation_ctx is not serialisable"))?,
        };
        if creation_ctx.len() > 64 * 1024 {
            return Err(bad("creation_ctx is larger than 64 KiB"));
        }
        let (first, middle, last) = (non_empty(r.text("first_name")?), non_empty(r.text("middle_name")?), non_empty(r.text("last_name")?));
        let display = non_empty(r.text("display_name")?);
        let sign_up_time = r.time("sign_up_time")?.unwrap_or(*now);
        Ok(UserRecord {
            user_id: user_id.to_string(),
            username: username.clone(),
            password,
            password_sealed,
            password_is_set: r.flag("password_is_set", true)?,
            password_last_set: r.time("password_last_set")?.unwrap_or(*now),
            password_expiry: r.time("password_expiry")?.unwrap_or_else(|| time::add_days(now, self.config.password.expiry)),
            password_must_change: r.flag("password_must_change", false)?,
            email,
            email_sealed,
            display_name_fold: fold(&display),
            first_name_fold: fold(&first),
            middle_name_fold: fold(&middle),
            last_name_fold: fold(&last),
            display_name: display,
            first_name: first,
            middle_name: middle,
            last_name: last,
            is_active: r.flag("is_active", true)?,
            is_internal: r.flag("is_internal", false)?,
            is_super_user: r.flag("is_super_user", false)?,
            is_locked: r.flag("is_locked", false)?,
            locked_time: r.time("locked_time")?,
            locked_by: r.text("locked_by")?,
            approval_status_mod_time: r.time("approval_status_mod_time")?.unwrap_or(sign_up_time),
            approval_status_mod_by: r.text("approval_status_mod_by")?.unwrap_or_else(|| "auto".into()),
            approval_status,
            approv_rej_time: r.time("approv_rej_time")?,
            approv_rej_by: r.text("approv_rej_by")?,
            sign_up_status,
            sign_up_time,
            sign_up_confirm_token_digest: crate::store::digest("confirm", &token),
            sign_up_confirm_time: r.time("sign_up_confirm_time")?,
            is_totp_enabled: r.flag("is_totp_enabled", false)?,
            totp_key: seal(purpose::TOTP_KEY, &totp_key)?,
            totp_label: seal(purpose::TOTP_LABEL, &label)?,
            creation_ctx,
            is_rate_limit_active: r.flag("is_rate_limit_active", false)?,
            rate_limit_type: r.text("rate_limit_type")?.or_else(|| Some("EXACT".into())),
            rate_limit_def: r.text("rate_limit_def")?,
            rate_limit_check_parent_def: r.flag("rate_limit_check_parent_def", false)?,
            totp_last_step: None,
            stamp: new_stamp()?,
            rev: 0,
            original_username: Some(username),
            imported: true,
        })
    }

    /// A new user: the record, its name's claim and its lookups, all or nothing.
    async fn commit_imported(&self, user: &UserRecord, claim_raw: Option<String>, now: &Timestamp) -> SsoResult<()> {
        let mut commit = Commit::default();
        let user_key = keys::user(&user.user_id);
        let claim_key = keys::username(&user.username);
        commit.check(user_key.clone(), None).put(user_key, encode(user)?, None);
        commit.check(claim_key.clone(), claim_raw.as_deref());
        commit.put(claim_key, encode(&UsernameClaim { user_id: user.user_id.clone(), claimed_at_ms: now.and_utc().timestamp_millis() })?, None);
        if let Some(k) = self.email_link(user) {
            commit.put(k, "", None);
        }
        for k in crate::search::index::index_keys(user) {
            commit.put(k, "", None);
        }
        if self.commit(&commit).await? {
            Ok(())
        } else {
            // Someone took the name or the id since it was read: run the import again.
            Err(SsoError::conflict("the user or its username changed during the import"))
        }
    }

    /// An update of a user imported before: the new row replaces the record (a new stamp, so
    /// the user's sessions end); a changed username moves its claim.
    async fn commit_updated(&self, old: Versioned<UserRecord>, mut user: UserRecord, claim_raw: Option<String>, now: &Timestamp) -> SsoResult<()> {
        if !old.value.imported {
            return Err(SsoError::shown(Code::InvalidOperation, "this user_id belongs to a user that was not imported from Zato: not overwritten"));
        }
        let mut commit = Commit::default();
        self.stage_user_write(&mut commit, &old, &mut user)?;
        if !crate::username::same(&old.value.username, &user.username) {
            let claim_key = keys::username(&user.username);
            commit.check(claim_key.clone(), claim_raw.as_deref());
            commit.put(claim_key, encode(&UsernameClaim { user_id: user.user_id.clone(), claimed_at_ms: now.and_utc().timestamp_millis() })?, None);
            commit.delete(keys::username(&old.value.username));
        }
        if self.commit(&commit).await? {
            Ok(())
        } else {
            Err(SsoError::conflict("the user changed during the import"))
        }
    }
}
