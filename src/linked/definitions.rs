//! The host's security definitions that SSO users may be linked to (spec §3.18): Basic Auth
//! users and JWT issuers. In Zato they are server objects; here the host passes them to the
//! constructor (`securityDefinitions`). The core keeps what it needs to link and to check a
//! Basic Auth password; a JWT's signature is checked by the JavaScript layer with WebCrypto
//! before the core is asked for a session, so JWT keys never enter the wasm.

use serde::Deserialize;

use crate::error::{SsoError, SsoResult};

/// The two types Zato links: `basic_auth` and `jwt` (stored as `zato.<type>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    /// A Zato HTTP Basic Auth definition.
    BasicAuth,
    /// A Zato JWT definition.
    Jwt,
}

impl AuthType {
    /// `basic_auth` or `jwt`, with or without Zato's `zato.` prefix.
    pub fn parse(s: &str) -> SsoResult<AuthType> {
        match s.strip_prefix("zato.").unwrap_or(s) {
            "basic_auth" => Ok(AuthType::BasicAuth),
            "jwt" => Ok(AuthType::Jwt),
            _ => Err(SsoError::invalid_input("auth_type must be basic_auth or jwt")),
        }
    }
    /// `basic_auth` or `jwt`: the name used in keys and in `ext_session_id`.
    pub fn name(self) -> &'static str {
        match self {
            AuthType::BasicAuth => "basic_auth",
            AuthType::Jwt => "jwt",
        }
    }
    /// As stored in a link, as Zato stores it.
    pub fn stored(self) -> &'static str {
        match self {
            AuthType::BasicAuth => "zato.basic_auth",
            AuthType::Jwt => "zato.jwt",
        }
    }
}

/// A Basic Auth definition from the constructor's `securityDefinitions`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthDefinition {
    /// Its id, unique among Basic Auth definitions.
    pub id: String,
    /// The username a request sends in Basic Auth, unique among Basic Auth definitions.
    pub username: String,
    /// A PHC string (`$argon2id$…`, or Zato's `$pbkdf2-sha512$…`).
    #[serde(default)]
    pub password_hash: Option<String>,
    /// The password itself, where the host keeps no hash (Zato keeps it sealed).
    #[serde(default)]
    pub password: Option<String>,
    /// An inactive definition neither logs anyone in nor can be linked anew; true when not given.
    #[serde(default = "yes")]
    pub is_active: bool,
}

fn yes() -> bool {
    true
}

impl std::fmt::Debug for BasicAuthDefinition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuthDefinition").field("id", &self.id).field("username", &self.username).finish_non_exhaustive()
    }
}

/// What the core knows of a JWT definition: its identity. Keys stay in JavaScript.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtDefinition {
    /// Its id, unique among JWT definitions.
    pub id: String,
    /// The definition's username, unique among JWT definitions; the JS layer names the definition a token was verified for by it.
    pub username: String,
    /// An inactive definition neither logs anyone in nor can be linked anew; true when not given.
    #[serde(default = "yes")]
    pub is_active: bool,
}

/// The constructor's `securityDefinitions`: every definition users may be linked to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityDefinitions {
    /// Basic Auth definitions; none when not given.
    #[serde(default)]
    pub basic_auth: Vec<BasicAuthDefinition>,
    /// JWT definitions; none when not given.
    #[serde(default)]
    pub jwt: Vec<JwtDefinition>,
}

/// One definition, whatever its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// Basic Auth or JWT.
    pub auth_type: AuthType,
    /// Its id, unique within its type.
    pub id: String,
    /// Its username, unique within its type.
    pub username: String,
    /// Whether it may be used (see `BasicAuthDefinition::is_active`).
    pub is_active: bool,
}

impl Definition {
    /// `<type>.<id>`: the definition's name in keys and in `ext_session_id` (spec §3.18).
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.auth_type.name(), self.id)
    }
}

/// serde's messages for a wrong type quote the value, which may be a password: only the
/// messages that name keys are shown.
fn shown_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = text.split(" at line").next().unwrap_or_default();
    if text.starts_with("unknown field") || text.starts_with("missing field") {
        text.to_string()
    } else {
        "a value has the wrong type (ids, usernames and passwords are strings, is_active a boolean)".to_string()
    }
}

/// Most definitions (of both types together) the constructor accepts.
pub const MAX_DEFINITIONS: usize = 10_000;

impl SecurityDefinitions {
    /// Parses and checks the constructor's `securityDefinitions`: ids and usernames present,
    /// unique per type, and each Basic Auth definition with exactly one of password and hash.
    pub fn from_json(v: &serde_json::Value) -> SsoResult<SecurityDefinitions> {
        if v.is_null() {
            return Ok(SecurityDefinitions::default());
        }
        let defs: SecurityDefinitions =
            serde_json::from_value(v.clone()).map_err(|e| SsoError::invalid_input(format!("securityDefinitions: {}", shown_error(&e))))?;
        if defs.basic_auth.len() + defs.jwt.len() > MAX_DEFINITIONS {
            return Err(SsoError::invalid_input(format!("securityDefinitions: more than {MAX_DEFINITIONS} definitions")));
        }
        for d in &defs.basic_auth {
            if d.password.is_some() == d.password_hash.is_some() {
                return Err(SsoError::invalid_input(format!(
                    "securityDefinitions: basic_auth {} needs exactly one of password and password_hash",
                    d.id
                )));
            }
        }
        for t in [AuthType::BasicAuth, AuthType::Jwt] {
            let all = defs.of_type(t);
            for (i, d) in all.iter().enumerate() {
                if d.id.is_empty() || d.username.is_empty() || d.id.len() > 191 || d.username.len() > 191 {
                    return Err(SsoError::invalid_input("securityDefinitions: every definition needs an id and a username (at most 191 bytes)"));
                }
                if all.iter().take(i).any(|o| o.id == d.id || o.username == d.username) {
                    return Err(SsoError::invalid_input(format!("securityDefinitions: two {} definitions share an id or a username", t.name())));
                }
            }
        }
        Ok(defs)
    }

    fn of_type(&self, t: AuthType) -> Vec<Definition> {
        match t {
            AuthType::BasicAuth => self
                .basic_auth
                .iter()
                .map(|d| Definition { auth_type: t, id: d.id.clone(), username: d.username.clone(), is_active: d.is_active })
                .collect(),
            AuthType::Jwt => {
                self.jwt.iter().map(|d| Definition { auth_type: t, id: d.id.clone(), username: d.username.clone(), is_active: d.is_active }).collect()
            }
        }
    }

    /// The definition of type `t` with this username.
    pub fn by_username(&self, t: AuthType, username: &str) -> Option<Definition> {
        self.of_type(t).into_iter().find(|d| d.username == username)
    }

    /// The definition of type `t` with this id.
    pub fn by_id(&self, t: AuthType, id: &str) -> Option<Definition> {
        self.of_type(t).into_iter().find(|d| d.id == id)
    }

    /// The Basic Auth definition with this username, with its password or hash.
    pub fn basic(&self, username: &str) -> Option<&BasicAuthDefinition> {
        self.basic_auth.iter().find(|d| d.username == username)
    }
}
