//! External-auth sessions (spec §3.18): a request that authenticates with a linked security
//! definition gets an SSO session of the linked user, renewed while it lives.
//!
//! Basic Auth is checked here: the password against the definition, the attempt counted on
//! the login throttle first (per address, and per definition and address), so that Basic
//! credentials cannot be guessed faster through this door than through login. A JWT is checked
//! by the JavaScript layer (signature, algorithm, expiry) before this is called with the
//! definition it matched and the token's SHA-256.

use serde::{Deserialize, Serialize};

use crate::audit::Audit;
use crate::caller::Caller;
use crate::crypto::password as pw;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::session::login::{Authenticated, LoginKind, LoginOptions, SecondFactor};
use crate::session::throttle::Attempt;
use crate::sso::{encode, Request, Sso, MAX_SHORT_INPUT};
use crate::store::{keys, Store};
use crate::time::Timestamp;
use crate::user::write::user_from_raw;

use super::definitions::{AuthType, Definition};
use super::LinkRecord;

/// Seals the UST kept for an external session: the stored value is useless without the key.
const EXT_UST: &str = "ext_ust";

/// How a request proved itself.
pub enum Proof<'a> {
    /// Basic Auth: the definition's username and the password sent.
    Basic {
        /// The Basic Auth username, naming the definition.
        username: &'a str,
        /// The password sent; checked against the definition's, never stored or logged.
        password: &'a str,
    },
    /// A JWT whose signature and claims the JS layer verified for definition `username`;
    /// `token_sha256` is the hex SHA-256 of the token (Zato's ext_session_id suffix).
    Jwt {
        /// The username of the JWT definition the token was verified for.
        username: &'a str,
        /// Hex SHA-256 of the token.
        token_sha256: &'a str,
    },
}

// The password must never reach a log line.
impl std::fmt::Debug for Proof<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Proof::Basic { username, .. } => f.debug_struct("Basic").field("username", username).finish_non_exhaustive(),
            Proof::Jwt { username, .. } => f.debug_struct("Jwt").field("username", username).finish_non_exhaustive(),
        }
    }
}

/// The external session a request gets.
#[derive(Clone, PartialEq)]
pub struct ExternalSession {
    /// The session's UST, sealed: what the client sends as `ust`.
    pub ust: String,
    /// The linked SSO user's id (`zusr…`).
    pub user_id: String,
    /// When the session ends unless renewed.
    pub expiration_time: Timestamp,
    /// False when the request made a new session, true when it renewed a live one.
    pub renewed: bool,
}

impl std::fmt::Debug for ExternalSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalSession").field("user_id", &self.user_id).field("renewed", &self.renewed).finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct ExtSessionRecord {
    user_id: String,
    /// The client's UST, sealed again under `EXT_UST`.
    ust: String,
}

fn refused() -> SsoError {
    SsoError::hidden(Code::AuthNotAllowed, "the credentials are not linked to an SSO user")
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Spec §3.18's external-auth session: renews the live session of this credential, or
    /// logs the linked user in without a password. `current_app` "" means `apps.default`.
    ///
    /// A Basic Auth attempt is counted before its password is checked and given back only
    /// when a session is issued: a right password of a definition that is not linked (or whose
    /// link or user cannot log in) counts as a failure, so the answers never tell a right
    /// password from a wrong one. A JWT user's TOTP code is counted the same way.
    pub async fn external_session(
        &self,
        caller: &Caller<'_>,
        proof: Proof<'_>,
        user_agent: Option<&str>,
        totp_code: Option<&str>,
    ) -> SsoResult<ExternalSession> {
        let current_app = if caller.current_app.is_empty() { self.config.apps.default.as_str() } else { caller.current_app };
        let req = self.request(&Caller { current_app, ..*caller })?;
        if user_agent.is_some_and(|ua| ua.len() > MAX_SHORT_INPUT) {
            return Err(SsoError::invalid_input("user_agent is longer than 1024 bytes"));
        }
        let t = match &proof {
            Proof::Basic { .. } => AuthType::BasicAuth,
            Proof::Jwt { .. } => AuthType::Jwt,
        };
        self.audit(&req, "user.external_session", None, vec![("auth_type", serde_json::Value::String(t.name().into()))]).await?;
        if !self.config.apps.all.contains(&req.current_app) {
            let code = if self.config.apps.inform_if_app_invalid { Code::AppListInvalid } else { Code::AuthNotAllowed };
            return Err(SsoError::shown(code, "current_app is not a known app"));
        }
        let (def, ext_session_id, basic_attempt) = match proof {
            Proof::Basic { username, password } => {
                let (def, attempt) = self.check_basic(&req, username, password).await?;
                let id = def.qualified();
                (def, id, Some(attempt))
            }
            Proof::Jwt { username, token_sha256 } => {
                if token_sha256.len() != 64 || !token_sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(SsoError::invalid_input("the token digest must be 64 hex characters"));
                }
                let def = self.definitions.by_username(AuthType::Jwt, username).filter(|d| d.is_active).ok_or_else(refused)?;
                let id = format!("{}.{}", def.qualified(), token_sha256.to_ascii_lowercase());
                (def, id, None)
            }
        };
        let session = self.linked_session(&req, &def, &ext_session_id, caller.remote_addr, user_agent, totp_code).await?;
        if let Some(attempt) = basic_attempt {
            self.release_attempt(&attempt, |_| true).await?;
        }
        Ok(session)
    }

    /// The session of a credential that checked out: this credential's live one renewed, or a
    /// new one for the user the definition is linked to.
    async fn linked_session(
        &self,
        req: &Request,
        def: &Definition,
        ext_session_id: &str,
        remote_addr: &str,
        user_agent: Option<&str>,
        totp_code: Option<&str>,
    ) -> SsoResult<ExternalSession> {
        // Round trip: who the definition is linked to, and this credential's live session.
        let name = def.qualified();
        let ext_key = keys::ext_session(ext_session_id);
        let read = self.get_many_raw(&[keys::linked_definition(&name), ext_key.clone()]).await?;
        let user_id = read.first().cloned().flatten().ok_or_else(refused)?;
        let ext = read.get(1).cloned().flatten().and_then(|r| serde_json::from_str::<ExtSessionRecord>(&r).ok()).filter(|e| e.user_id == user_id);
        if let Some(ext) = ext {
            if let Ok(ust) = self.keys.open_string(EXT_UST, &ext.ust) {
                // Renewed when it lives; when it does not (ended, expired, its user locked),
                // a new one is made below.
                if let Ok(expiration_time) =
                    self.renew_session(&Caller { cid: Some(&req.cid), current_app: &req.current_app, remote_addr }.with_ust(&ust), user_agent).await
                {
                    // The record lives as long as the session it points to.
                    self.keep_ext_session(req, &ext_key, &user_id, &ext.ust, &expiration_time).await?;
                    return Ok(ExternalSession { ust, user_id, expiration_time, renewed: true });
                }
            }
        }
        let read = self.get_many_raw(&[keys::user(&user_id), keys::linked(&user_id, &name)]).await?;
        let link: Option<LinkRecord> = read.get(1).cloned().flatten().and_then(|r| serde_json::from_str(&r).ok());
        if !link.is_some_and(|l| l.is_active) {
            return Err(refused());
        }
        let user = user_from_raw(&user_id, read.first().cloned().flatten())?.filter(|u| u.value.is_approved()).ok_or_else(refused)?;
        // Spec §3.18 step 4: TOTP still applies to JWT users, never to Basic Auth. The code is
        // counted on the user's TOTP counters before it is checked, as at login.
        let second = match def.auth_type {
            AuthType::Jwt => SecondFactor::Code(totp_code),
            AuthType::BasicAuth => SecondFactor::Waived,
        };
        let mut totp_attempt = None;
        if let (true, SecondFactor::Code(code)) = (user.value.is_totp_enabled, second) {
            if code.is_some_and(|c| !c.is_empty()) {
                let slots = self.throttle_slots(req, &user.value.username, false, false, true);
                let attempt = self.count_attempt(req, &slots).await?;
                totp_attempt = Some(attempt.ok_or_else(|| SsoError::hidden(Code::AuthNotAllowed, "too many failed attempts: try again later"))?);
            }
            self.check_totp(req, &user.value, code)?;
        }
        let opts = LoginOptions { user_agent: user_agent.map(str::to_string), ..Default::default() };
        let result = self.finish_login(req, Authenticated { user, rehashed: None }, second, None, &opts, LoginKind::External(ext_session_id)).await?;
        if let Some(attempt) = totp_attempt {
            self.release_attempt(&attempt, |_| true).await?;
        }
        let sealed = self.keys.seal(EXT_UST, result.ust.as_bytes()).map_err(|_| SsoError::internal("a value could not be sealed"))?;
        // Not in the session's commit: if this write fails, the next request makes another
        // session, and this one simply expires.
        self.keep_ext_session(req, &ext_key, &user_id, &sealed, &result.expiration_time).await?;
        Ok(ExternalSession { ust: result.ust, user_id, expiration_time: result.expiration_time, renewed: false })
    }

    async fn keep_ext_session(&self, req: &Request, key: &str, user_id: &str, sealed_ust: &str, expiration: &Timestamp) -> SsoResult<()> {
        let ttl = (*expiration - req.now).num_seconds().max(60) as u64;
        self.put_raw(key, &encode(&ExtSessionRecord { user_id: user_id.to_string(), ust: sealed_ust.to_string() })?, Some(ttl)).await
    }

    /// A Basic Auth password against its definition, the attempt counted first on the
    /// per-address, per-definition-and-address and per-definition counters (the last one so
    /// that guesses from many addresses are limited too). Every path costs at least one Argon2
    /// verification, so the time does not tell which definitions exist.
    async fn check_basic(&self, req: &Request, username: &str, password: &str) -> SsoResult<(Definition, Attempt)> {
        if username.len() > MAX_SHORT_INPUT || password.len() > 4096 {
            return Err(refused());
        }
        let slots = self.throttle_slots(req, &format!("basic_auth\u{0}{username}"), true, false, false);
        let Some(attempt) = self.count_attempt(req, &slots).await? else {
            return Err(SsoError::hidden(Code::AuthNotAllowed, "too many failed attempts: try again later"));
        };
        let ok = match self.definitions.basic(username).filter(|d| d.is_active) {
            Some(d) => match (&d.password_hash, &d.password) {
                (Some(hash), _) => {
                    let matched = matches!(pw::verify_password(password, hash, &self.argon2), Ok(pw::Verification::Match { .. }));
                    // A PBKDF2 hash costs far less than Argon2: level the time.
                    if !hash.starts_with("$argon2id$") {
                        pw::dummy_verify(password, &self.argon2);
                    }
                    matched
                }
                (None, Some(plain)) => {
                    pw::dummy_verify(password, &self.argon2);
                    // Both sides hashed first: the comparison's time tells nothing about the password.
                    crate::store::digest("basic-auth", plain) == crate::store::digest("basic-auth", password)
                }
                (None, None) => false,
            },
            None => {
                pw::dummy_verify(password, &self.argon2);
                false
            }
        };
        // A refused attempt keeps its counts (the per-definition counter never locks a user:
        // its name is no user's).
        let def = self.definitions.by_username(AuthType::BasicAuth, username).filter(|_| ok).ok_or_else(refused)?;
        Ok((def, attempt))
    }
}
