//! `sso.conf` (spec §9) as JSON in snake_case: one object per section, merged key by key over
//! Zato's defaults. An unknown section or key, a wrong type or an out-of-range value is refused
//! at construction, so a typo never silently means "default".
//!
//! Value rules:
//! - booleans are JSON booleans; integers are JSON integers (a float with no fraction, such as
//!   `8.0`, is taken as that integer), each within the range given below;
//! - optional strings are a string or `null` (an empty string is the same as `null`: unset);
//! - lists are a JSON array of strings, or one string split on commas and/or newlines; items
//!   are trimmed and blank items dropped;
//! - a section given as `null` is the same as a section not given.
//!
//! Normalisation at load time (§9): `apps.*` lists become sets; `password.reject_list`,
//! `user_validation.reject_username` and `user_validation.reject_email` are trimmed and
//! lower-cased with blank entries dropped (§10 O-47); a single `user_validation.service` or
//! `signup.callback_service_list` becomes a one-item list; an empty `main.site_name` is `site`.
//!
//! Not in Zato: the `argon2` and `throttle` sections, `profile` (`zato` or `strict`), and the
//! keys `apps.super_user_allowed`, `password.common_list`, `session.max_lifetime`,
//! `session.idle_timeout`, `password_reset.require_totp`, `password_reset.end_sessions`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;

use serde_json::{json, Map, Value};

use crate::net::{self, IpNet};

/// Why a config was refused: `path` is `section.key` (or `section`, or empty for the whole
/// value), `problem` says what was expected. Never holds more than ~40 characters of input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub problem: String,
}

impl ConfigError {
    pub fn new(path: impl Into<String>, problem: impl Into<String>) -> ConfigError {
        ConfigError { path: path.into(), problem: problem.into() }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "config: {}", self.problem)
        } else {
            write!(f, "config.{}: {}", self.path, self.problem)
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Clone, PartialEq)]
pub struct MainConfig {
    pub encrypt_email: bool,
    pub encrypt_password: bool,
    /// Never empty: an empty value is `site`.
    pub site_name: String,
    pub smtp_conn: Option<String>,
    pub email_service: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HashSecretConfig {
    /// PBKDF2-SHA512 iterations (1 ..= 10,000,000).
    pub rounds: u32,
    /// Bytes (8 ..= 1024).
    pub salt_size: u32,
}

/// Not in Zato: the Argon2id parameters of new password hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct Argon2Config {
    /// KiB (8 ..= 1,048,576, and at least 8 × `p_cost`).
    pub m_cost: u32,
    /// Passes (1 ..= 100).
    pub t_cost: u32,
    /// Lanes (1 ..= 16).
    pub p_cost: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppsConfig {
    /// Never empty.
    pub all: BTreeSet<String>,
    pub default: String,
    pub http_header: String,
    pub signup_allowed: BTreeSet<String>,
    pub login_allowed: BTreeSet<String>,
    pub login_metadata_allowed: BTreeSet<String>,
    pub inform_if_app_invalid: bool,
    /// Not in Zato: the apps super-users may log in and act from; empty: any app.
    pub super_user_allowed: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoginConfig {
    pub reject_if_not_listed: bool,
    pub inform_if_locked: bool,
    pub inform_if_not_confirmed: bool,
    pub inform_if_not_approved: bool,
    pub inform_if_totp_missing: bool,
}

/// `password_reset.user_search_by`: how a PRT request finds its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSearchBy {
    Username,
    Email,
    UsernameOrEmail,
}

impl UserSearchBy {
    pub fn as_str(self) -> &'static str {
        match self {
            UserSearchBy::Username => "username",
            UserSearchBy::Email => "email",
            UserSearchBy::UsernameOrEmail => "username_or_email",
        }
    }

    pub fn parse(s: &str) -> Option<UserSearchBy> {
        match s {
            "username" => Some(UserSearchBy::Username),
            "email" => Some(UserSearchBy::Email),
            "username_or_email" => Some(UserSearchBy::UsernameOrEmail),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
#[allow(non_snake_case)]
pub struct PasswordResetConfig {
    /// Minutes (1 ..= 525,600): the PRT lifetime (§10 O-33: read here, not from `[prt]`).
    pub valid_for: i64,
    /// Seconds (1 ..= 31,536,000) a reset key stays usable after the PRT is accessed.
    pub password_change_session_duration: i64,
    pub user_search_by: UserSearchBy,
    pub email_from: String,
    /// From the key `email_title_en_GB`; other `email_title_<locale>` keys are accepted and
    /// ignored.
    pub email_title_en_GB: String,
    /// Not in Zato: a TOTP user must give the current code to reset a password (ASVS 5.0 6.4.3).
    pub require_totp: bool,
    /// Not in Zato (spec §10 O-34): a reset ends every session of the user. Off by default, as
    /// in Zato, whose clients may go on with a session opened before the reset.
    pub end_sessions: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionConfig {
    /// Minutes (1 ..= 5,256,000).
    pub expiry: i64,
    pub expiry_hook: Option<String>,
    /// Not in Zato. Minutes from login after which a session ends whatever renewals say;
    /// 0: no limit.
    pub max_lifetime: i64,
    /// Not in Zato. Minutes without use after which a session ends; 0: no limit.
    pub idle_timeout: i64,
}

/// Not in Zato: throttling of failed logins (OWASP ASVS 2.2.1, NIST SP 800-63B §5.2.2).
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleConfig {
    pub enabled: bool,
    /// Failures of one username from one address before that pair is blocked.
    pub per_user_address: u32,
    /// Failures from one address (any usernames) before the address is blocked.
    pub per_address: u32,
    /// Failures of one username (any addresses) before the username is blocked.
    pub per_user: u32,
    /// Seconds a failure counts for.
    pub window: i64,
    /// Seconds of the first block; each further block doubles it, up to `max_backoff`.
    pub backoff: i64,
    pub max_backoff: i64,
    /// Failures of one username after which the account is locked (`locked_by = "auto"`);
    /// 0: never.
    pub lock_user_after: u32,
    /// Wrong TOTP codes for one username (login, `validateCode`, reset together) before its
    /// codes are refused for a while.
    pub totp_per_user: u32,
    /// Wrong TOTP codes from one address (any usernames) before the address is blocked for codes.
    pub totp_per_address: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PasswordConfig {
    /// Days (1 ..= 3,650,000).
    pub expiry: i64,
    pub inform_if_expired: bool,
    pub inform_if_about_to_expire: bool,
    pub inform_if_must_be_changed: bool,
    pub inform_if_invalid: bool,
    /// Days (0 ..= 3,650,000).
    pub about_to_expire_threshold: i64,
    pub log_in_if_about_to_expire: bool,
    /// Unicode code points (0 ..= 4096, at most `max_length`).
    pub min_length: usize,
    /// Unicode code points (1 ..= 4096).
    pub max_length: usize,
    /// Only 0 is accepted: zxcvbn is not built in (README "Differences from Zato").
    pub min_complexity: u32,
    pub min_complexity_algorithm: String,
    /// Trimmed, lower-cased, blank lines dropped (spec §10 O-47).
    pub reject_list: Vec<String>,
    /// Not in Zato: refuse the 3,000 most common passwords (exact match, case-insensitive).
    pub common_list: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignupConfig {
    pub is_approval_needed: bool,
    /// Characters (1 ..= 191).
    pub max_length_username: usize,
    /// Characters (3 ..= 1024).
    pub max_length_email: usize,
    pub email_required: bool,
    pub is_email_required: bool,
    pub password_allow_whitespace: bool,
    pub always_return_confirm_token: bool,
    pub callback_service_list: Vec<String>,
    pub inform_if_user_exists: bool,
    pub inform_if_user_invalid: bool,
    pub inform_if_email_exists: bool,
    pub inform_if_email_invalid: bool,
    pub inform_if_app_invalid: bool,
    /// `email_confirm_*` / `email_welcome_*` keys: kept as given, not read by the core.
    pub templates: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserValidationConfig {
    /// Trimmed (service names keep their case).
    pub service: Vec<String>,
    /// Trimmed and lower-cased.
    pub reject_username: Vec<String>,
    /// Trimmed and lower-cased.
    pub reject_email: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchConfig {
    /// 1 ..= 10,000, at most `max_page_size`.
    pub default_page_size: u32,
    /// 1 ..= 10,000.
    pub max_page_size: u32,
}

/// One user's entry in `[user_address_list]` (spec §4.3).
#[derive(Debug, Clone, PartialEq)]
pub enum AddressRule {
    /// `*`: any address, or none.
    Any,
    /// Listed with an empty value: always denied.
    Deny,
    /// Allowed if any of the request's addresses is in any of these networks; a request
    /// without addresses is denied.
    Networks(Vec<IpNet>),
}

impl AddressRule {
    pub fn allows(&self, addrs: &[IpAddr]) -> bool {
        match self {
            AddressRule::Any => true,
            AddressRule::Deny => false,
            AddressRule::Networks(nets) => addrs.iter().any(|a| nets.iter().any(|n| n.contains(a))),
        }
    }
}

/// `[user_address_list]`: username (exact, case-sensitive) to its rule.
pub type UserAddressList = BTreeMap<String, AddressRule>;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `zato` (Zato's defaults) or `strict` (see [`Config::strict`]).
    pub profile: String,
    pub main: MainConfig,
    pub hash_secret: HashSecretConfig,
    pub argon2: Argon2Config,
    pub apps: AppsConfig,
    pub login: LoginConfig,
    pub password_reset: PasswordResetConfig,
    pub session: SessionConfig,
    pub password: PasswordConfig,
    pub signup: SignupConfig,
    pub user_validation: UserValidationConfig,
    pub user_address_list: UserAddressList,
    pub search: SearchConfig,
    pub throttle: ThrottleConfig,
}

/// The template's `password.reject_list`, one entry per line.
pub const DEFAULT_REJECT_LIST: &str = "111111\n123123\n123321\n123456\n123qwe\n1q2w3e\n1q2w3e4r\n1q2w3e4r5t\n222222\n333333\n444444\n555555\n654321\n666666\n777777\n888888\n999999\n987654321\ngoogle\nletmein\nmynoob\npassword\nqwerty\nzxcvbnm";

const RESERVED: [&str; 5] = ["zato", "admin", "root", "system", "sso"];

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Default for Config {
    /// Zato's defaults (spec §9), plus the defaults of our own sections and keys.
    fn default() -> Self {
        Config {
            profile: "zato".into(),
            main: MainConfig { encrypt_email: true, encrypt_password: true, site_name: "site".into(), smtp_conn: None, email_service: None },
            hash_secret: HashSecretConfig { rounds: 120_000, salt_size: 64 },
            argon2: Argon2Config { m_cost: 19_456, t_cost: 2, p_cost: 1 },
            apps: AppsConfig {
                all: set(&["CRM"]),
                default: "CRM".into(),
                http_header: "X-Zato-SSO-Current-App".into(),
                signup_allowed: BTreeSet::new(),
                login_allowed: set(&["CRM"]),
                login_metadata_allowed: BTreeSet::new(),
                inform_if_app_invalid: true,
                super_user_allowed: BTreeSet::new(),
            },
            login: LoginConfig {
                reject_if_not_listed: false,
                inform_if_locked: true,
                inform_if_not_confirmed: true,
                inform_if_not_approved: true,
                inform_if_totp_missing: true,
            },
            password_reset: PasswordResetConfig {
                valid_for: 1440,
                password_change_session_duration: 1800,
                user_search_by: UserSearchBy::Username,
                email_from: "hello@example.com".into(),
                email_title_en_GB: "Password reset".into(),
                require_totp: false,
                end_sessions: false,
            },
            session: SessionConfig { expiry: 60, expiry_hook: None, max_lifetime: 0, idle_timeout: 0 },
            password: PasswordConfig {
                expiry: 730,
                inform_if_expired: false,
                inform_if_about_to_expire: true,
                inform_if_must_be_changed: true,
                inform_if_invalid: true,
                about_to_expire_threshold: 30,
                log_in_if_about_to_expire: true,
                min_length: 8,
                max_length: 256,
                min_complexity: 0,
                min_complexity_algorithm: "zxcvbn".into(),
                reject_list: split_list(DEFAULT_REJECT_LIST, true),
                common_list: false,
            },
            signup: SignupConfig {
                is_approval_needed: true,
                max_length_username: 128,
                max_length_email: 128,
                email_required: true,
                is_email_required: true,
                password_allow_whitespace: true,
                always_return_confirm_token: true,
                callback_service_list: Vec::new(),
                inform_if_user_exists: false,
                inform_if_user_invalid: false,
                inform_if_email_exists: false,
                inform_if_email_invalid: false,
                inform_if_app_invalid: false,
                templates: BTreeMap::new(),
            },
            user_validation: UserValidationConfig {
                service: vec!["zato.sso.signup.validate".into()],
                reject_username: RESERVED.iter().map(|s| s.to_string()).collect(),
                reject_email: RESERVED.iter().map(|s| s.to_string()).collect(),
            },
            user_address_list: BTreeMap::new(),
            search: SearchConfig { default_page_size: 50, max_page_size: 100 },
            throttle: ThrottleConfig {
                enabled: true,
                per_user_address: 10,
                per_address: 100,
                per_user: 100,
                window: 3600,
                backoff: 60,
                max_backoff: 3600,
                lock_user_after: 0,
                totp_per_user: 5,
                totp_per_address: 50,
            },
        }
    }
}

impl Config {
    /// The `strict` profile: OWASP ASVS 5.0 level 2 where Zato's defaults are not (README
    /// "Security" has the table). Keys the host gives still win.
    pub fn strict() -> Config {
        let mut c = Config { profile: "strict".into(), ..Config::default() };
        c.password.expiry = 36_500; // no periodic expiry (ASVS 6.2.10; NIST)
        c.password.min_length = 15; // single-factor accounts (ASVS 6.2.1, NIST 800-63B rev. 4)
        c.password.common_list = true; // top passwords refused (ASVS 6.2.4)
        c.session.max_lifetime = 12 * 60; // absolute limit renewals cannot pass (ASVS 7.3.2)
        c.session.idle_timeout = 30; // inactivity limit (ASVS 7.3.1)
        c.password_reset.require_totp = true; // a reset does not bypass MFA (ASVS 6.4.3)
        c.password_reset.end_sessions = true; // a reset ends other sessions (ASVS 7.4.3)
        // No account-state disclosure (ASVS 6.3.8).
        c.login.inform_if_locked = false;
        c.login.inform_if_not_confirmed = false;
        c.login.inform_if_not_approved = false;
        c.login.inform_if_totp_missing = false;
        c.password.inform_if_expired = false;
        c.password.inform_if_must_be_changed = false;
        c.apps.inform_if_app_invalid = false;
        c.signup.inform_if_user_exists = false;
        c.signup.inform_if_email_exists = false;
        // The confirm token reaches only the host's signupCallback: whoever signs up cannot
        // confirm an address they do not own.
        c.signup.always_return_confirm_token = false;
        c
    }

    /// Spec §4.4: the session lifetime at login and renewal, in minutes (before any hook).
    pub fn session_expiry_minutes(&self) -> i64 {
        self.session.expiry
    }

    /// Spec §3.16 / §10 O-33: the PRT lifetime in minutes (`password_reset.valid_for`).
    pub fn password_reset_lifetime_minutes(&self) -> i64 {
        self.password_reset.valid_for
    }
}

/// One string as a list: split on commas and newlines, trimmed, optionally lower-cased, blank
/// items dropped.
fn split_list(s: &str, lower: bool) -> Vec<String> {
    s.split([',', '\n', '\r']).filter_map(|item| norm_item(item, lower)).collect()
}

fn norm_item(item: &str, lower: bool) -> Option<String> {
    let item = item.trim();
    if item.is_empty() {
        None
    } else if lower {
        Some(item.to_lowercase())
    } else {
        Some(item.to_string())
    }
}

/// A JSON value for an error message, never more than ~40 characters of it, and never walking
/// into arrays or objects.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            let s = n.to_string();
            if s.len() > 40 {
                format!("{}…", &s[..40])
            } else {
                s
            }
        }
        Value::String(s) => net::shown(s),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// A key of the input, as it appears in an error path: at most 40 characters, no control
/// characters.
fn key_shown(k: &str) -> String {
    let mut out: String = k.chars().take(40).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    if k.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// Reads one section, refusing keys it does not know.
struct Section<'a> {
    name: &'static str,
    map: &'a Map<String, Value>,
}

impl Section<'_> {
    fn err(&self, key: &str, problem: String) -> ConfigError {
        ConfigError::new(format!("{}.{}", self.name, key_shown(key)), problem)
    }

    /// Every key must be in `known` or be one of `prefixes` followed by at least one character.
    fn check_keys(&self, known: &[&str], prefixes: &[&str]) -> Result<(), ConfigError> {
        for k in self.map.keys() {
            let ok = known.contains(&k.as_str()) || prefixes.iter().any(|p| k.len() > p.len() && k.starts_with(p));
            if !ok {
                return Err(self.err(k, "unknown key".into()));
            }
        }
        Ok(())
    }

    fn bool(&self, key: &str, target: &mut bool) -> Result<(), ConfigError> {
        match self.map.get(key) {
            None => Ok(()),
            Some(Value::Bool(b)) => {
                *target = *b;
                Ok(())
            }
            Some(v) => Err(self.err(key, format!("expected true or false, got {}", describe(v)))),
        }
    }

    /// A JSON integer from `min` to `max`. A float with no fraction (`8.0`) is that integer.
    /// The error reads `expected an integer from 0 to 4096, got "x"`.
    fn int(&self, key: &str, min: i64, max: i64) -> Result<Option<i64>, ConfigError> {
        let Some(v) = self.map.get(key) else { return Ok(None) };
        let n: Option<i128> = match v {
            Value::Number(n) => n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)).or_else(|| {
                n.as_f64().filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30).map(|f| f as i128)
            }),
            _ => None,
        };
        match n {
            Some(n) if n >= i128::from(min) && n <= i128::from(max) => Ok(i64::try_from(n).ok()),
            // One message for a wrong type and a wrong value: it gives the range.
            _ => Err(self.err(key, format!("expected an integer from {min} to {max}, got {}", describe(v)))),
        }
    }

    fn i64(&self, key: &str, target: &mut i64, min: i64, max: i64) -> Result<(), ConfigError> {
        if let Some(n) = self.int(key, min, max)? {
            *target = n;
        }
        Ok(())
    }

    fn u32(&self, key: &str, target: &mut u32, min: u32, max: u32) -> Result<(), ConfigError> {
        if let Some(n) = self.int(key, i64::from(min), i64::from(max))? {
            *target = u32::try_from(n).unwrap_or(max);
        }
        Ok(())
    }

    fn usize(&self, key: &str, target: &mut usize, min: u32, max: u32) -> Result<(), ConfigError> {
        if let Some(n) = self.int(key, i64::from(min), i64::from(max))? {
            *target = usize::try_from(n).unwrap_or(max as usize);
        }
        Ok(())
    }

    fn string(&self, key: &str, target: &mut String) -> Result<(), ConfigError> {
        match self.map.get(key) {
            None => Ok(()),
            Some(Value::String(s)) => {
                target.clone_from(s);
                Ok(())
            }
            Some(v) => Err(self.err(key, format!("expected a string, got {}", describe(v)))),
        }
    }

    /// A string or `null`; an empty (or blank) string is `None`, as an empty value in
    /// `sso.conf` is "unset".
    fn opt_string(&self, key: &str, target: &mut Option<String>) -> Result<(), ConfigError> {
        match self.map.get(key) {
            None => Ok(()),
            Some(Value::Null) => {
                *target = None;
                Ok(())
            }
            Some(Value::String(s)) => {
                *target = norm_item(s, false);
                Ok(())
            }
            Some(v) => Err(self.err(key, format!("expected a string or null, got {}", describe(v)))),
        }
    }

    /// A list: a JSON array of strings, or one string of comma- and/or newline-separated
    /// items. Items are trimmed (and lower-cased if `lower`); blank items are dropped.
    fn list(&self, key: &str, lower: bool) -> Result<Option<Vec<String>>, ConfigError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(split_list(s, lower))),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.extend(norm_item(s, lower)),
                        v => return Err(self.err(key, format!("expected a list of strings, item {i} is {}", describe(v)))),
                    }
                }
                Ok(Some(out))
            }
            Some(v) => Err(self.err(key, format!("expected a list of strings, or one string, got {}", describe(v)))),
        }
    }

    fn set(&self, key: &str, target: &mut BTreeSet<String>) -> Result<(), ConfigError> {
        if let Some(l) = self.list(key, false)? {
            *target = l.into_iter().collect();
        }
        Ok(())
    }

    fn vec(&self, key: &str, target: &mut Vec<String>, lower: bool) -> Result<(), ConfigError> {
        if let Some(l) = self.list(key, lower)? {
            *target = l;
        }
        Ok(())
    }
}

const SECTIONS: [&str; 13] = [
    "main", "hash_secret", "argon2", "apps", "login", "password_reset", "session", "password", "signup", "user_validation",
    "user_address_list", "search", "throttle",
];

const PROFILES: &str = "\"zato\" or \"strict\"";

impl Config {
    /// The config the host passed (`null` for all defaults), merged key by key over the
    /// defaults of its `profile` (Zato's unless `"strict"`).
    pub fn from_json(value: &Value) -> Result<Config, ConfigError> {
        let top = match value {
            Value::Null => return Ok(Config::default()),
            Value::Object(m) => m,
            v => return Err(ConfigError::new("", format!("expected an object, got {}", describe(v)))),
        };
        // The profile sets the defaults the sections are merged over.
        let mut c = match top.get("profile") {
            None | Some(Value::Null) => Config::default(),
            Some(Value::String(p)) if p == "zato" => Config::default(),
            Some(Value::String(p)) if p == "strict" => Config::strict(),
            Some(v) => return Err(ConfigError::new("profile", format!("expected {PROFILES}, got {}", describe(v)))),
        };
        for (name, v) in top {
            if name == "profile" {
                continue;
            }
            let Some(section) = SECTIONS.iter().copied().find(|s| *s == name.as_str()) else {
                return Err(ConfigError::new(key_shown(name), "unknown section"));
            };
            let map = match v {
                Value::Object(m) => m,
                Value::Null => continue,
                v => return Err(ConfigError::new(section, format!("expected an object, got {}", describe(v)))),
            };
            c.apply(Section { name: section, map })?;
        }
        c.validate()?;
        Ok(c)
    }

    fn apply(&mut self, s: Section) -> Result<(), ConfigError> {
        match s.name {
            "main" => {
                s.check_keys(&["encrypt_email", "encrypt_password", "site_name", "smtp_conn", "email_service"], &[])?;
                let m = &mut self.main;
                s.bool("encrypt_email", &mut m.encrypt_email)?;
                s.bool("encrypt_password", &mut m.encrypt_password)?;
                s.string("site_name", &mut m.site_name)?;
                if m.site_name.trim().is_empty() {
                    m.site_name = "site".into();
                }
                s.opt_string("smtp_conn", &mut m.smtp_conn)?;
                s.opt_string("email_service", &mut m.email_service)?;
            }
            "hash_secret" => {
                s.check_keys(&["rounds", "salt_size"], &[])?;
                s.u32("rounds", &mut self.hash_secret.rounds, 1, 10_000_000)?;
                s.u32("salt_size", &mut self.hash_secret.salt_size, 8, 1024)?;
            }
            "argon2" => {
                s.check_keys(&["m_cost", "t_cost", "p_cost"], &[])?;
                let a = &mut self.argon2;
                s.u32("m_cost", &mut a.m_cost, 8, 1 << 20)?;
                s.u32("t_cost", &mut a.t_cost, 1, 100)?;
                s.u32("p_cost", &mut a.p_cost, 1, 16)?;
            }
            "apps" => {
                s.check_keys(&["all", "default", "http_header", "signup_allowed", "login_allowed", "login_metadata_allowed", "inform_if_app_invalid", "super_user_allowed"], &[])?;
                let a = &mut self.apps;
                s.set("all", &mut a.all)?;
                s.string("default", &mut a.default)?;
                s.string("http_header", &mut a.http_header)?;
                s.set("signup_allowed", &mut a.signup_allowed)?;
                s.set("login_allowed", &mut a.login_allowed)?;
                s.set("login_metadata_allowed", &mut a.login_metadata_allowed)?;
                s.bool("inform_if_app_invalid", &mut a.inform_if_app_invalid)?;
                s.set("super_user_allowed", &mut a.super_user_allowed)?;
            }
            "login" => {
                s.check_keys(&["reject_if_not_listed", "inform_if_locked", "inform_if_not_confirmed", "inform_if_not_approved", "inform_if_totp_missing"], &[])?;
                let l = &mut self.login;
                s.bool("reject_if_not_listed", &mut l.reject_if_not_listed)?;
                s.bool("inform_if_locked", &mut l.inform_if_locked)?;
                s.bool("inform_if_not_confirmed", &mut l.inform_if_not_confirmed)?;
                s.bool("inform_if_not_approved", &mut l.inform_if_not_approved)?;
                s.bool("inform_if_totp_missing", &mut l.inform_if_totp_missing)?;
            }
            "password_reset" => {
                s.check_keys(&["valid_for", "password_change_session_duration", "user_search_by", "email_from", "require_totp", "end_sessions"], &["email_title_"])?;
                let p = &mut self.password_reset;
                s.i64("valid_for", &mut p.valid_for, 1, 525_600)?;
                s.i64("password_change_session_duration", &mut p.password_change_session_duration, 1, 31_536_000)?;
                if let Some(v) = s.map.get("user_search_by") {
                    p.user_search_by = v
                        .as_str()
                        .and_then(UserSearchBy::parse)
                        .ok_or_else(|| s.err("user_search_by", format!("expected \"username\", \"email\" or \"username_or_email\", got {}", describe(v))))?;
                }
                s.string("email_from", &mut p.email_from)?;
                for k in s.map.keys().filter(|k| k.starts_with("email_title_")) {
                    let mut title = String::new();
                    s.string(k, &mut title)?;
                    if k == "email_title_en_GB" {
                        p.email_title_en_GB = title;
                    }
                }
                s.bool("require_totp", &mut p.require_totp)?;
                s.bool("end_sessions", &mut p.end_sessions)?;
            }
            "session" => {
                s.check_keys(&["expiry", "expiry_hook", "max_lifetime", "idle_timeout"], &[])?;
                let x = &mut self.session;
                s.i64("expiry", &mut x.expiry, 1, 5_256_000)?;
                s.opt_string("expiry_hook", &mut x.expiry_hook)?;
                s.i64("max_lifetime", &mut x.max_lifetime, 0, 5_256_000)?;
                s.i64("idle_timeout", &mut x.idle_timeout, 0, 5_256_000)?;
            }
            "password" => {
                s.check_keys(
                    &[
                        "expiry", "inform_if_expired", "inform_if_about_to_expire", "inform_if_must_be_changed", "inform_if_invalid",
                        "about_to_expire_threshold", "log_in_if_about_to_expire", "min_length", "max_length", "min_complexity",
                        "min_complexity_algorithm", "reject_list", "common_list",
                    ],
                    &[],
                )?;
                let p = &mut self.password;
                s.i64("expiry", &mut p.expiry, 1, 3_650_000)?;
                s.bool("inform_if_expired", &mut p.inform_if_expired)?;
                s.bool("inform_if_about_to_expire", &mut p.inform_if_about_to_expire)?;
                s.bool("inform_if_must_be_changed", &mut p.inform_if_must_be_changed)?;
                s.bool("inform_if_invalid", &mut p.inform_if_invalid)?;
                s.i64("about_to_expire_threshold", &mut p.about_to_expire_threshold, 0, 3_650_000)?;
                s.bool("log_in_if_about_to_expire", &mut p.log_in_if_about_to_expire)?;
                s.usize("min_length", &mut p.min_length, 0, 4096)?;
                s.usize("max_length", &mut p.max_length, 1, 4096)?;
                // zxcvbn's dictionaries would triple the wasm; see README "Differences".
                if let Some(v) = s.map.get("min_complexity") {
                    s.u32("min_complexity", &mut p.min_complexity, 0, 4)?;
                    if p.min_complexity != 0 {
                        return Err(s.err("min_complexity", format!("only 0 is supported (zxcvbn is not built in), got {}", describe(v))));
                    }
                }
                s.string("min_complexity_algorithm", &mut p.min_complexity_algorithm)?;
                s.vec("reject_list", &mut p.reject_list, true)?;
                s.bool("common_list", &mut p.common_list)?;
            }
            "signup" => {
                s.check_keys(
                    &[
                        "is_approval_needed", "max_length_username", "max_length_email", "email_required", "is_email_required",
                        "password_allow_whitespace", "always_return_confirm_token", "callback_service_list", "inform_if_user_exists",
                        "inform_if_user_invalid", "inform_if_email_exists", "inform_if_email_invalid", "inform_if_app_invalid",
                    ],
                    &["email_confirm_", "email_welcome_"],
                )?;
                let g = &mut self.signup;
                s.bool("is_approval_needed", &mut g.is_approval_needed)?;
                s.usize("max_length_username", &mut g.max_length_username, 1, 191)?;
                s.usize("max_length_email", &mut g.max_length_email, 3, 1024)?;
                s.bool("email_required", &mut g.email_required)?;
                s.bool("is_email_required", &mut g.is_email_required)?;
                s.bool("password_allow_whitespace", &mut g.password_allow_whitespace)?;
                s.bool("always_return_confirm_token", &mut g.always_return_confirm_token)?;
                s.vec("callback_service_list", &mut g.callback_service_list, false)?;
                s.bool("inform_if_user_exists", &mut g.inform_if_user_exists)?;
                s.bool("inform_if_user_invalid", &mut g.inform_if_user_invalid)?;
                s.bool("inform_if_email_exists", &mut g.inform_if_email_exists)?;
                s.bool("inform_if_email_invalid", &mut g.inform_if_email_invalid)?;
                s.bool("inform_if_app_invalid", &mut g.inform_if_app_invalid)?;
                for k in s.map.keys().filter(|k| k.starts_with("email_confirm_") || k.starts_with("email_welcome_")) {
                    let mut v = String::new();
                    s.string(k, &mut v)?;
                    g.templates.insert(k.clone(), v);
                }
            }
            "user_validation" => {
                s.check_keys(&["service", "reject_username", "reject_email"], &[])?;
                let u = &mut self.user_validation;
                s.vec("service", &mut u.service, false)?;
                s.vec("reject_username", &mut u.reject_username, true)?;
                s.vec("reject_email", &mut u.reject_email, true)?;
            }
            "user_address_list" => {
                for (user, v) in s.map {
                    let rule = parse_address_rule(v).map_err(|problem| s.err(user, problem))?;
                    self.user_address_list.insert(user.clone(), rule);
                }
            }
            "search" => {
                s.check_keys(&["default_page_size", "max_page_size"], &[])?;
                s.u32("default_page_size", &mut self.search.default_page_size, 1, 10_000)?;
                s.u32("max_page_size", &mut self.search.max_page_size, 1, 10_000)?;
            }
            "throttle" => {
                s.check_keys(&["enabled", "per_user_address", "per_address", "per_user", "window", "backoff", "max_backoff", "lock_user_after", "totp_per_user", "totp_per_address"], &[])?;
                let t = &mut self.throttle;
                s.bool("enabled", &mut t.enabled)?;
                s.u32("per_user_address", &mut t.per_user_address, 1, 1_000_000)?;
                s.u32("per_address", &mut t.per_address, 1, 1_000_000)?;
                s.u32("per_user", &mut t.per_user, 1, 1_000_000)?;
                s.i64("window", &mut t.window, 1, 31_536_000)?;
                s.i64("backoff", &mut t.backoff, 1, 31_536_000)?;
                s.i64("max_backoff", &mut t.max_backoff, 1, 31_536_000)?;
                s.u32("lock_user_after", &mut t.lock_user_after, 0, 1_000_000)?;
                s.u32("totp_per_user", &mut t.totp_per_user, 1, 1_000_000)?;
                s.u32("totp_per_address", &mut t.totp_per_address, 1, 1_000_000)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Rules across keys, checked after merging.
    fn validate(&self) -> Result<(), ConfigError> {
        let e = |path: &str, problem: String| Err(ConfigError::new(path, problem));
        if self.password.min_length > self.password.max_length {
            return e("password.min_length", format!("must not exceed password.max_length ({})", self.password.max_length));
        }
        if self.search.default_page_size > self.search.max_page_size {
            return e("search.default_page_size", format!("must not exceed search.max_page_size ({})", self.search.max_page_size));
        }
        if u64::from(self.argon2.m_cost) < 8 * u64::from(self.argon2.p_cost) {
            return e("argon2.m_cost", format!("must be at least 8 × argon2.p_cost ({})", 8 * u64::from(self.argon2.p_cost)));
        }
        if self.apps.all.is_empty() {
            return e("apps.all", "must name at least one application".into());
        }
        Ok(())
    }

    /// Spec §4.3: may `username` act from `addrs` (the request's `remote_addr` list)?
    ///
    /// | situation | outcome |
    /// |---|---|
    /// | not listed | allowed, unless `login.reject_if_not_listed` |
    /// | listed as `*` | allowed |
    /// | listed with an empty value | denied |
    /// | listed with networks, `addrs` empty | denied |
    /// | listed with networks | allowed iff any address is in any network |
    pub fn is_address_allowed(&self, username: &str, addrs: &[IpAddr]) -> bool {
        self.address_rule_allows(username, addrs).unwrap_or(!self.login.reject_if_not_listed)
    }

    /// What `username`'s own entry in `user_address_list` says of `addrs`; None when it has none.
    pub fn address_rule_allows(&self, username: &str, addrs: &[IpAddr]) -> Option<bool> {
        self.user_address_list.get(username).map(|rule| rule.allows(addrs))
    }

    /// The effective configuration, every key, in the shape [`Config::from_json`] reads
    /// (`from_json(&c.to_json())` gives `c` back). Holds no secret.
    pub fn to_json(&self) -> Value {
        let list = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>();
        let mut signup = json!({
            "is_approval_needed": self.signup.is_approval_needed,
            "max_length_username": self.signup.max_length_username,
            "max_length_email": self.signup.max_length_email,
            "email_required": self.signup.email_required,
            "is_email_required": self.signup.is_email_required,
            "password_allow_whitespace": self.signup.password_allow_whitespace,
            "always_return_confirm_token": self.signup.always_return_confirm_token,
            "callback_service_list": self.signup.callback_service_list,
            "inform_if_user_exists": self.signup.inform_if_user_exists,
            "inform_if_user_invalid": self.signup.inform_if_user_invalid,
            "inform_if_email_exists": self.signup.inform_if_email_exists,
            "inform_if_email_invalid": self.signup.inform_if_email_invalid,
            "inform_if_app_invalid": self.signup.inform_if_app_invalid,
        });
        if let Value::Object(m) = &mut signup {
            for (k, v) in &self.signup.templates {
                m.insert(k.clone(), Value::String(v.clone()));
            }
        }
        let addresses: Map<String, Value> = self
            .user_address_list
            .iter()
            .map(|(user, rule)| {
                let v = match rule {
                    AddressRule::Any => json!("*"),
                    AddressRule::Deny => json!(""),
                    AddressRule::Networks(nets) => json!(nets.iter().map(|n| n.to_string()).collect::<Vec<_>>()),
                };
                (user.clone(), v)
            })
            .collect();
        let (m, p, r, s, t) = (&self.main, &self.password, &self.password_reset, &self.session, &self.throttle);
        json!({
            "profile": self.profile,
            "main": {
                "encrypt_email": m.encrypt_email,
                "encrypt_password": m.encrypt_password,
                "site_name": m.site_name,
                "smtp_conn": m.smtp_conn,
                "email_service": m.email_service,
            },
            "hash_secret": { "rounds": self.hash_secret.rounds, "salt_size": self.hash_secret.salt_size },
            "argon2": { "m_cost": self.argon2.m_cost, "t_cost": self.argon2.t_cost, "p_cost": self.argon2.p_cost },
            "apps": {
                "all": list(&self.apps.all),
                "default": self.apps.default,
                "http_header": self.apps.http_header,
                "signup_allowed": list(&self.apps.signup_allowed),
                "login_allowed": list(&self.apps.login_allowed),
                "login_metadata_allowed": list(&self.apps.login_metadata_allowed),
                "inform_if_app_invalid": self.apps.inform_if_app_invalid,
                "super_user_allowed": list(&self.apps.super_user_allowed),
            },
            "login": {
                "reject_if_not_listed": self.login.reject_if_not_listed,
                "inform_if_locked": self.login.inform_if_locked,
                "inform_if_not_confirmed": self.login.inform_if_not_confirmed,
                "inform_if_not_approved": self.login.inform_if_not_approved,
                "inform_if_totp_missing": self.login.inform_if_totp_missing,
            },
            "password_reset": {
                "valid_for": r.valid_for,
                "password_change_session_duration": r.password_change_session_duration,
                "user_search_by": r.user_search_by.as_str(),
                "email_from": r.email_from,
                "email_title_en_GB": r.email_title_en_GB,
                "require_totp": r.require_totp,
                "end_sessions": r.end_sessions,
            },
            "session": { "expiry": s.expiry, "expiry_hook": s.expiry_hook, "max_lifetime": s.max_lifetime, "idle_timeout": s.idle_timeout },
            "password": {
                "expiry": p.expiry,
                "inform_if_expired": p.inform_if_expired,
                "inform_if_about_to_expire": p.inform_if_about_to_expire,
                "inform_if_must_be_changed": p.inform_if_must_be_changed,
                "inform_if_invalid": p.inform_if_invalid,
                "about_to_expire_threshold": p.about_to_expire_threshold,
                "log_in_if_about_to_expire": p.log_in_if_about_to_expire,
                "min_length": p.min_length,
                "max_length": p.max_length,
                "min_complexity": p.min_complexity,
                "min_complexity_algorithm": p.min_complexity_algorithm,
                "reject_list": p.reject_list,
                "common_list": p.common_list,
            },
            "signup": signup,
            "user_validation": {
                "service": self.user_validation.service,
                "reject_username": self.user_validation.reject_username,
                "reject_email": self.user_validation.reject_email,
            },
            "user_address_list": addresses,
            "search": { "default_page_size": self.search.default_page_size, "max_page_size": self.search.max_page_size },
            "throttle": {
                "enabled": t.enabled,
                "per_user_address": t.per_user_address,
                "per_address": t.per_address,
                "per_user": t.per_user,
                "window": t.window,
                "backoff": t.backoff,
                "max_backoff": t.max_backoff,
                "lock_user_after": t.lock_user_after,
                "totp_per_user": t.totp_per_user,
                "totp_per_address": t.totp_per_address,
            },
        })
    }
}

/// One `[user_address_list]` value: `"*"`; one address or network; several, separated by
/// commas and/or whitespace, in one string or as the items of an array; or `""` / `[]`
/// (listed with an empty value: always denied). Every entry other than `*` must be a valid
/// address or network; `*` anywhere means any address.
fn parse_address_rule(v: &Value) -> Result<AddressRule, String> {
    let split = |s: &str| s.split(|c: char| c == ',' || c.is_whitespace()).filter(|i| !i.is_empty()).map(String::from).collect::<Vec<_>>();
    let items: Vec<String> = match v {
        Value::String(s) => split(s),
        Value::Array(a) => {
            let mut out = Vec::new();
            for (i, item) in a.iter().enumerate() {
                match item {
                    Value::String(s) => out.extend(split(s)),
                    v => return Err(format!("expected addresses or networks as strings, item {i} is {}", describe(v))),
                }
            }
            out
        }
        v => return Err(format!("expected \"*\", an address or network, a list of them, or \"\", got {}", describe(v))),
    };
    if items.is_empty() {
        return Ok(AddressRule::Deny);
    }
    let mut any = false;
    let mut nets = Vec::with_capacity(items.len());
    for item in &items {
        if item == "*" {
            any = true;
        } else {
            nets.push(IpNet::parse(item)?);
        }
    }
    Ok(if any { AddressRule::Any } else { AddressRule::Networks(nets) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    fn ok(v: Value) -> Config {
        match Config::from_json(&v) {
            Ok(c) => c,
            Err(e) => panic!("refused {v}: {e}"),
        }
    }

    fn err(v: Value) -> ConfigError {
        match Config::from_json(&v) {
            Ok(_) => panic!("accepted {v}"),
            Err(e) => e,
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn zato_defaults() {
        let c = Config::default();
        assert_eq!(c.profile, "zato");
        // main
        assert!(c.main.encrypt_email && c.main.encrypt_password);
        assert_eq!(c.main.site_name, "site");
        assert_eq!((&c.main.smtp_conn, &c.main.email_service), (&None, &None));
        // hash_secret, argon2
        assert_eq!((c.hash_secret.rounds, c.hash_secret.salt_size), (120_000, 64));
        assert_eq!((c.argon2.m_cost, c.argon2.t_cost, c.argon2.p_cost), (19_456, 2, 1));
        // apps
        assert_eq!(c.apps.all, set(&["CRM"]));
        assert_eq!(c.apps.default, "CRM");
        assert_eq!(c.apps.http_header, "X-Zato-SSO-Current-App");
        assert!(c.apps.signup_allowed.is_empty() && c.apps.login_metadata_allowed.is_empty());
        assert_eq!(c.apps.login_allowed, set(&["CRM"]));
        assert!(c.apps.inform_if_app_invalid);
        assert!(c.apps.super_user_allowed.is_empty());
        // login
        assert!(!c.login.reject_if_not_listed);
        assert!(c.login.inform_if_locked && c.login.inform_if_not_confirmed && c.login.inform_if_not_approved);
        assert!(c.login.inform_if_totp_missing, "the template's True, not the code's fallback False");
        // password_reset
        assert_eq!((c.password_reset.valid_for, c.password_reset.password_change_session_duration), (1440, 1800));
        assert_eq!(c.password_reset.user_search_by, UserSearchBy::Username);
        assert_eq!(c.password_reset.email_from, "hello@example.com");
        assert_eq!(c.password_reset.email_title_en_GB, "Password reset");
        assert!(!c.password_reset.require_totp && !c.password_reset.end_sessions);
        // session
        assert_eq!((c.session.expiry, &c.session.expiry_hook, c.session.max_lifetime, c.session.idle_timeout), (60, &None, 0, 0));
        // password
        let p = &c.password;
        assert_eq!((p.expiry, p.about_to_expire_threshold), (730, 30));
        assert!(!p.inform_if_expired && p.inform_if_about_to_expire && p.inform_if_must_be_changed && p.inform_if_invalid);
        assert!(p.log_in_if_about_to_expire);
        assert_eq!((p.min_length, p.max_length, p.min_complexity), (8, 256, 0));
        assert_eq!(p.min_complexity_algorithm, "zxcvbn");
        assert_eq!(p.reject_list.len(), 24);
        assert_eq!(p.reject_list.first().map(String::as_str), Some("111111"));
        assert_eq!(p.reject_list.last().map(String::as_str), Some("zxcvbnm"));
        for w in ["password", "qwerty", "letmein", "google", "mynoob", "987654321", "1q2w3e4r5t"] {
            assert!(p.reject_list.iter().any(|e| e == w), "{w}");
        }
        assert!(p.reject_list.iter().all(|e| !e.is_empty() && e.trim() == e && e.to_lowercase() == *e));
        assert!(!p.common_list);
        // signup
        let g = &c.signup;
        assert!(g.is_approval_needed && g.email_required && g.is_email_required);
        assert!(g.password_allow_whitespace && g.always_return_confirm_token);
        assert_eq!((g.max_length_username, g.max_length_email), (128, 128));
        assert!(g.callback_service_list.is_empty() && g.templates.is_empty());
        assert!(!g.inform_if_user_exists && !g.inform_if_user_invalid && !g.inform_if_email_exists && !g.inform_if_email_invalid);
        assert!(!g.inform_if_app_invalid);
        // user_validation
        assert_eq!(c.user_validation.service, strings(&["zato.sso.signup.validate"]));
        assert_eq!(c.user_validation.reject_username, strings(&["zato", "admin", "root", "system", "sso"]));
        assert_eq!(c.user_validation.reject_email, strings(&["zato", "admin", "root", "system", "sso"]));
        // user_address_list, search, throttle
        assert!(c.user_address_list.is_empty());
        assert_eq!((c.search.default_page_size, c.search.max_page_size), (50, 100));
        assert!(c.throttle.enabled);
        // helpers
        assert_eq!((c.session_expiry_minutes(), c.password_reset_lifetime_minutes()), (60, 1440));
        // null and {} are the defaults
        assert_eq!(ok(Value::Null), c);
        assert_eq!(ok(json!({})), c);
        assert_eq!(ok(json!({ "profile": "zato" })), c);
        assert_eq!(ok(json!({ "profile": null })), c);
        assert_eq!(ok(json!({ "main": null, "password": {} })), c);
    }

    #[test]
    fn top_level_and_sections() {
        for v in [json!([1]), json!("x"), json!(5), json!(true), json!([])] {
            let e = err(v);
            assert_eq!(e.path, "");
            assert!(e.to_string().starts_with("config: expected an object"), "{e}");
        }
        let e = err(json!({ "pasword": {} }));
        assert_eq!((e.path.as_str(), e.problem.as_str()), ("pasword", "unknown section"));
        assert_eq!(e.to_string(), "config.pasword: unknown section");
        assert_eq!(err(json!({ "prt": { "valid_for": 10 } })).path, "prt");
        assert_eq!(err(json!({ "Password": {} })).path, "Password", "section names are case-sensitive");
        for bad in [json!(5), json!("x"), json!([]), json!(true)] {
            let e = err(json!({ "main": bad }));
            assert_eq!(e.path, "main");
            assert!(e.problem.starts_with("expected an object"), "{e}");
        }
        let long = "s".repeat(500);
        let e = err(json!({ long: {} }));
        assert!(e.to_string().len() < 80, "{e}");
        let e = err(json!({ "bad\nsection": {} }));
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn unknown_keys_name_section_and_key() {
        let e = err(json!({ "password": { "min_lenght": 3 } }));
        assert_eq!(e.path, "password.min_lenght");
        assert_eq!(e.to_string(), "config.password.min_lenght: unknown key");
        for (section, key) in [
            ("main", "encrypt"),
            ("hash_secret", "iterations"),
            ("argon2", "memory"),
            ("apps", "list"),
            ("login", "inform_if_expired"),
            ("password_reset", "email_title_"),
            ("password_reset", "user_search"),
            ("session", "expiry_minutes"),
            ("password", "MIN_LENGTH"),
            ("signup", "email_confirm"),
            ("user_validation", "services"),
            ("search", "page_size"),
            ("throttle", "limit"),
        ] {
            let e = err(json!({ section: { key: 1 } }));
            assert_eq!(e.path, format!("{section}.{key}"));
            assert_eq!(e.problem, "unknown key");
        }
    }

    #[test]
    fn wrong_types_are_refused() {
        let cases = [
            (json!({ "login": { "inform_if_locked": 1 } }), "login.inform_if_locked", "expected true or false, got 1"),
            (json!({ "login": { "inform_if_locked": "true" } }), "login.inform_if_locked", "expected true or false, got \"true\""),
            (json!({ "main": { "encrypt_email": null } }), "main.encrypt_email", "expected true or false, got null"),
            (json!({ "password": { "min_length": "x" } }), "password.min_length", "expected an integer from 0 to 4096, got \"x\""),
            (json!({ "password": { "min_length": 8.5 } }), "password.min_length", "expected an integer from 0 to 4096, got 8.5"),
            (json!({ "password": { "min_length": -1 } }), "password.min_length", "expected an integer from 0 to 4096, got -1"),
            (json!({ "password": { "min_length": 1e300 } }), "password.min_length", "expected an integer from 0 to 4096, got 1e+300"),
            (json!({ "password": { "min_length": u64::MAX } }), "password.min_length", "expected an integer from 0 to 4096, got 18446744073709551615"),
            (json!({ "password": { "min_length": null } }), "password.min_length", "expected an integer from 0 to 4096, got null"),
            (json!({ "password": { "min_length": [8] } }), "password.min_length", "expected an integer from 0 to 4096, got an array"),
            (json!({ "session": { "expiry": 0 } }), "session.expiry", "expected an integer from 1 to 5256000, got 0"),
            (json!({ "session": { "expiry": "60" } }), "session.expiry", "expected an integer from 1 to 5256000, got \"60\""),
            (json!({ "search": { "max_page_size": 0 } }), "search.max_page_size", "expected an integer from 1 to 10000, got 0"),
            (json!({ "search": { "default_page_size": -5 } }), "search.default_page_size", "expected an integer from 1 to 10000, got -5"),
            (json!({ "password": { "expiry": 0 } }), "password.expiry", "expected an integer from 1 to 3650000, got 0"),
            (json!({ "main": { "site_name": 5 } }), "main.site_name", "expected a string, got 5"),
            (json!({ "main": { "smtp_conn": false } }), "main.smtp_conn", "expected a string or null, got false"),
            (json!({ "session": { "expiry_hook": {} } }), "session.expiry_hook", "expected a string or null, got {}"),
            (json!({ "apps": { "all": [1] } }), "apps.all", "expected a list of strings, item 0 is 1"),
            (json!({ "apps": { "all": ["CRM", null] } }), "apps.all", "expected a list of strings, item 1 is null"),
            (json!({ "apps": { "login_allowed": 5 } }), "apps.login_allowed", "expected a list of strings, or one string, got 5"),
            (json!({ "password": { "reject_list": { "a": 1 } } }), "password.reject_list", "expected a list of strings, or one string, got an object"),
            (json!({ "password_reset": { "user_search_by": "id" } }), "password_reset.user_search_by", "expected \"username\", \"email\" or \"username_or_email\", got \"id\""),
            (json!({ "password_reset": { "user_search_by": "" } }), "password_reset.user_search_by", "expected \"username\", \"email\" or \"username_or_email\", got \"\""),
            (json!({ "password_reset": { "email_title_fr_FR": 1 } }), "password_reset.email_title_fr_FR", "expected a string, got 1"),
            (json!({ "signup": { "email_welcome_title": [] } }), "signup.email_welcome_title", "expected a string, got []"),
            (json!({ "profile": "other" }), "profile", "expected \"zato\" or \"strict\", got \"other\""),
        ];
        for (v, path, problem) in cases {
            let e = err(v.clone());
            assert_eq!((e.path.as_str(), e.problem.as_str()), (path, problem), "{v}");
        }
    }

    #[test]
    fn integers_and_ranges() {
        // A float without a fraction is that integer.
        assert_eq!(ok(json!({ "password": { "min_length": 12.0 } })).password.min_length, 12);
        // Range edges.
        assert_eq!(ok(json!({ "password": { "min_length": 0 } })).password.min_length, 0);
        assert_eq!(ok(json!({ "password": { "min_length": 4096, "max_length": 4096 } })).password.min_length, 4096);
        assert!(Config::from_json(&json!({ "password": { "max_length": 4097 } })).is_err());
        assert!(Config::from_json(&json!({ "password": { "max_length": 0 } })).is_err());
        assert_eq!(ok(json!({ "password": { "about_to_expire_threshold": 0 } })).password.about_to_expire_threshold, 0);
        assert!(Config::from_json(&json!({ "password": { "about_to_expire_threshold": -1 } })).is_err());
        assert_eq!(ok(json!({ "search": { "default_page_size": 1, "max_page_size": 1 } })).search.max_page_size, 1);
        assert!(Config::from_json(&json!({ "search": { "max_page_size": 10_001 } })).is_err());
        assert!(Config::from_json(&json!({ "hash_secret": { "rounds": 0 } })).is_err());
        assert!(Config::from_json(&json!({ "hash_secret": { "salt_size": 7 } })).is_err());
        assert!(Config::from_json(&json!({ "signup": { "max_length_username": 0 } })).is_err());
        assert!(Config::from_json(&json!({ "password_reset": { "valid_for": 0 } })).is_err());
        assert!(Config::from_json(&json!({ "password_reset": { "password_change_session_duration": -1 } })).is_err());
        assert_eq!(ok(json!({ "session": { "max_lifetime": 0, "idle_timeout": 0 } })).session.max_lifetime, 0);
        // min_complexity: 0 only (zxcvbn is not built in).
        assert_eq!(ok(json!({ "password": { "min_complexity": 0 } })).password.min_complexity, 0);
        let e = err(json!({ "password": { "min_complexity": 3 } }));
        assert_eq!(e.path, "password.min_complexity");
        assert!(e.problem.contains("only 0"), "{e}");
        assert!(Config::from_json(&json!({ "password": { "min_complexity": 5 } })).is_err());
        // Cross-key rules.
        let e = err(json!({ "password": { "min_length": 300 } }));
        assert_eq!(e.path, "password.min_length");
        assert_eq!(ok(json!({ "password": { "min_length": 300, "max_length": 300 } })).password.max_length, 300);
        assert_eq!(err(json!({ "search": { "default_page_size": 200 } })).path, "search.default_page_size");
        assert_eq!(ok(json!({ "search": { "default_page_size": 200, "max_page_size": 500 } })).search.default_page_size, 200);
        assert_eq!(err(json!({ "apps": { "all": [] } })).path, "apps.all");
        assert_eq!(err(json!({ "apps": { "all": " , \n" } })).path, "apps.all");
    }

    #[test]
    fn argon2_ranges() {
        let a = ok(json!({ "argon2": { "m_cost": 65536, "t_cost": 3, "p_cost": 4 } })).argon2;
        assert_eq!((a.m_cost, a.t_cost, a.p_cost), (65536, 3, 4));
        for good in [
            json!({ "m_cost": 8 }),
            json!({ "m_cost": 1_048_576 }),
            json!({ "t_cost": 1 }),
            json!({ "t_cost": 100 }),
            json!({ "p_cost": 16, "m_cost": 128 }),
            json!({ "p_cost": 2, "m_cost": 16 }),
        ] {
            assert!(Config::from_json(&json!({ "argon2": good.clone() })).is_ok(), "{good}");
        }
        for (bad, path) in [
            (json!({ "m_cost": 7 }), "argon2.m_cost"),
            (json!({ "m_cost": 1_048_577 }), "argon2.m_cost"),
            (json!({ "t_cost": 0 }), "argon2.t_cost"),
            (json!({ "t_cost": 101 }), "argon2.t_cost"),
            (json!({ "p_cost": 0 }), "argon2.p_cost"),
            (json!({ "p_cost": 17 }), "argon2.p_cost"),
            (json!({ "p_cost": 2, "m_cost": 15 }), "argon2.m_cost"),
            (json!({ "p_cost": 16, "m_cost": 127 }), "argon2.m_cost"),
            (json!({ "m_cost": "19456" }), "argon2.m_cost"),
        ] {
            assert_eq!(err(json!({ "argon2": bad.clone() })).path, path, "{bad}");
        }
        // 16 lanes need 128 KiB; the default 19456 is plenty.
        assert_eq!(ok(json!({ "argon2": { "p_cost": 16 }, "profile": "zato" })).argon2.p_cost, 16);
    }

    #[test]
    fn merges_per_key() {
        let c = ok(json!({
            "password": { "min_length": 12 },
            "apps": { "all": "CRM, Other" },
            "login": { "inform_if_locked": false },
            "session": { "expiry": 30, "expiry_hook": "my.hook" },
            "main": { "smtp_conn": "smtp1", "site_name": "" },
        }));
        assert_eq!(c.password.min_length, 12);
        assert_eq!(c.password.max_length, 256, "other keys keep their defaults");
        assert_eq!(c.password.reject_list.len(), 24);
        assert_eq!(c.apps.all, set(&["CRM", "Other"]));
        assert_eq!(c.apps.login_allowed, set(&["CRM"]));
        assert!(!c.login.inform_if_locked && c.login.inform_if_not_confirmed);
        assert_eq!((c.session_expiry_minutes(), c.session.expiry_hook.as_deref()), (30, Some("my.hook")));
        assert_eq!(c.main.smtp_conn.as_deref(), Some("smtp1"));
        assert_eq!(c.main.site_name, "site", "an empty site_name is `site`");
        assert!(c.main.encrypt_email);
        // Optional strings: null and "" unset.
        let c = ok(json!({ "session": { "expiry_hook": null }, "main": { "smtp_conn": "", "email_service": "  svc " } }));
        assert_eq!((c.session.expiry_hook, c.main.smtp_conn, c.main.email_service.as_deref()), (None, None, Some("svc")));
        // Password reset.
        let c = ok(json!({ "password_reset": {
            "valid_for": 60, "password_change_session_duration": 300, "user_search_by": "username_or_email",
            "email_from": "sso@example.org", "email_title_en_GB": "Reset", "email_title_de_DE": "Zurücksetzen",
        } }));
        assert_eq!(c.password_reset_lifetime_minutes(), 60);
        assert_eq!(c.password_reset.password_change_session_duration, 300);
        assert_eq!(c.password_reset.user_search_by, UserSearchBy::UsernameOrEmail);
        assert_eq!((c.password_reset.email_from.as_str(), c.password_reset.email_title_en_GB.as_str()), ("sso@example.org", "Reset"));
        assert_eq!(ok(json!({ "password_reset": { "user_search_by": "email" } })).password_reset.user_search_by, UserSearchBy::Email);
        // Signup templates are kept.
        let c = ok(json!({ "signup": { "email_confirm_title_en_GB": "Confirm", "inform_if_app_invalid": true } }));
        assert_eq!(c.signup.templates.get("email_confirm_title_en_GB").map(String::as_str), Some("Confirm"));
        assert!(c.signup.inform_if_app_invalid);
    }

    #[test]
    fn reject_list_normalisation_ignores_blank_lines() {
        // O-47: blank lines (and whitespace-only ones) never become an empty entry.
        let c = ok(json!({ "password": { "reject_list": "  Foo \n\n bar\n   \n\r\nBAZ\r\n" } }));
        assert_eq!(c.password.reject_list, strings(&["foo", "bar", "baz"]));
        let c = ok(json!({ "password": { "reject_list": "\n" } }));
        assert!(c.password.reject_list.is_empty());
        let c = ok(json!({ "password": { "reject_list": ["  Acme ", "", "   ", "WELCOME"] } }));
        assert_eq!(c.password.reject_list, strings(&["acme", "welcome"]));
        let c = ok(json!({ "password": { "reject_list": [] } }));
        assert!(c.password.reject_list.is_empty());
        let c = ok(json!({ "password": { "reject_list": "acme, Welcome" } }));
        assert_eq!(c.password.reject_list, strings(&["acme", "welcome"]));
        let c = ok(json!({ "password": { "reject_list": DEFAULT_REJECT_LIST.replace('\n', "\n\n  ") } }));
        assert_eq!(c.password.reject_list, Config::default().password.reject_list);
        assert!(!c.password.reject_list.iter().any(String::is_empty));
        // reject_username / reject_email are trimmed and lower-cased too.
        let c = ok(json!({ "user_validation": { "reject_username": ["  Admin ", ""], "reject_email": "Root\n\nSSO" } }));
        assert_eq!(c.user_validation.reject_username, strings(&["admin"]));
        assert_eq!(c.user_validation.reject_email, strings(&["root", "sso"]));
    }

    #[test]
    fn single_string_lists() {
        let c = ok(json!({ "apps": {
            "all": "CRM",
            "login_allowed": " CRM ,Portal\nAdmin ",
            "signup_allowed": "Portal",
            "login_metadata_allowed": "",
            "super_user_allowed": "Admin, Ops",
        } }));
        assert_eq!(c.apps.all, set(&["CRM"]));
        assert_eq!(c.apps.login_allowed, set(&["Admin", "CRM", "Portal"]), "trimmed, case kept");
        assert_eq!(c.apps.signup_allowed, set(&["Portal"]));
        assert!(c.apps.login_metadata_allowed.is_empty());
        assert_eq!(c.apps.super_user_allowed, set(&["Admin", "Ops"]));
        let c = ok(json!({ "apps": { "all": ["CRM", " CRM ", "Portal", ""] } }));
        assert_eq!(c.apps.all, set(&["CRM", "Portal"]), "a set: duplicates merged");
        let c = ok(json!({ "user_validation": { "service": "my.Validator" }, "signup": { "callback_service_list": "a.b, c.D" } }));
        assert_eq!(c.user_validation.service, strings(&["my.Validator"]));
        assert_eq!(c.signup.callback_service_list, strings(&["a.b", "c.D"]));
        let c = ok(json!({ "user_validation": { "service": [] } }));
        assert!(c.user_validation.service.is_empty());
    }

    #[test]
    fn address_list_semantics() {
        let c = ok(json!({ "user_address_list": {
            "any": "*",
            "empty": "",
            "blank": " , ",
            "empty_list": [],
            "nets": ["10.0.0.0/8", "::1"],
            "one": "192.168.1.1, 192.168.1.2",
            "spaced": "192.168.1.1 192.168.2.0/24\n172.16.0.1",
            "mapped": "10.0.0.0/8",
        } }));
        let none: &[IpAddr] = &[];
        // Not listed: allowed (reject_if_not_listed is false), with or without addresses.
        assert!(c.is_address_allowed("unlisted", none));
        assert!(c.is_address_allowed("unlisted", &[ip("8.8.8.8")]));
        assert!(c.is_address_allowed("Any", &[ip("8.8.8.8")]), "usernames are case-sensitive: `Any` is not listed");
        // `*`: allowed, even without addresses.
        assert!(c.is_address_allowed("any", none));
        assert!(c.is_address_allowed("any", &[ip("8.8.8.8"), ip("::1")]));
        // Listed with an empty value: denied.
        for u in ["empty", "blank", "empty_list"] {
            assert_eq!(c.user_address_list.get(u), Some(&AddressRule::Deny), "{u}");
            assert!(!c.is_address_allowed(u, none), "{u}");
            assert!(!c.is_address_allowed(u, &[ip("10.0.0.1")]), "{u}");
        }
        // Listed with networks, no addresses: denied.
        assert!(!c.is_address_allowed("nets", none));
        // Listed with networks: any address in any network.
        assert!(c.is_address_allowed("nets", &[ip("10.2.3.4")]));
        assert!(c.is_address_allowed("nets", &[ip("1.1.1.1"), ip("10.2.3.4")]));
        assert!(c.is_address_allowed("nets", &[ip("::1")]));
        assert!(!c.is_address_allowed("nets", &[ip("11.0.0.1")]));
        assert!(!c.is_address_allowed("nets", &[ip("11.0.0.1"), ip("::2")]));
        assert!(c.is_address_allowed("one", &[ip("192.168.1.2")]));
        assert!(!c.is_address_allowed("one", &[ip("192.168.1.3")]));
        assert!(c.is_address_allowed("spaced", &[ip("192.168.2.77")]));
        assert!(c.is_address_allowed("spaced", &[ip("172.16.0.1")]));
        assert!(!c.is_address_allowed("spaced", &[ip("172.16.0.2")]));
        assert!(c.is_address_allowed("mapped", &[ip("::ffff:10.1.1.1")]));

        // reject_if_not_listed = true: unlisted users are denied; listed ones as before.
        let strict = ok(json!({
            "login": { "reject_if_not_listed": true },
            "user_address_list": { "a": "*", "e": "", "n": "10.0.0.0/8" },
        }));
        assert!(!strict.is_address_allowed("unlisted", &[ip("10.0.0.1")]));
        assert!(!strict.is_address_allowed("unlisted", none));
        assert!(strict.is_address_allowed("a", none));
        assert!(!strict.is_address_allowed("e", &[ip("10.0.0.1")]));
        assert!(strict.is_address_allowed("n", &[ip("10.0.0.1")]));
        assert!(!strict.is_address_allowed("n", none));
        // With no list at all, reject_if_not_listed denies everybody.
        let nobody = ok(json!({ "login": { "reject_if_not_listed": true } }));
        assert!(!nobody.is_address_allowed("admin", &[ip("127.0.0.1")]));
        // `*` among networks means any address; the other entries must still be valid.
        let c = ok(json!({ "user_address_list": { "x": ["10.0.0.0/8", "*"] } }));
        assert_eq!(c.user_address_list.get("x"), Some(&AddressRule::Any));
        assert_eq!(err(json!({ "user_address_list": { "x": "*, nope" } })).path, "user_address_list.x");
    }

    #[test]
    fn address_list_errors() {
        for (v, problem_start) in [
            (json!("10.0.0.0/40"), "bad prefix length"),
            (json!("10.0.0.1, nope"), "not an IP address or network"),
            (json!(["10.0.0.1", 5]), "expected addresses or networks as strings, item 1 is 5"),
            (json!([["10.0.0.1"]]), "expected addresses or networks as strings, item 0 is an array"),
            (json!(5), "expected \"*\""),
            (json!(null), "expected \"*\""),
            (json!(true), "expected \"*\""),
            (json!({ "a": "*" }), "expected \"*\""),
        ] {
            let e = err(json!({ "user_address_list": { "alice": v.clone() } }));
            assert_eq!(e.path, "user_address_list.alice", "{v}");
            assert!(e.problem.starts_with(problem_start), "{v}: {e}");
        }
        assert!(Config::from_json(&json!({ "user_address_list": [] })).is_err());
        assert!(Config::from_json(&json!({ "user_address_list": "*" })).is_err());
        let long = "z".repeat(5000);
        let e = err(json!({ "user_address_list": { "u": long } }));
        assert!(e.to_string().len() < 120, "{e}");
    }

    #[test]
    fn long_values_are_not_echoed() {
        let long = "x".repeat(1000);
        for v in [
            json!({ "password": { "min_length": long.clone() } }),
            json!({ "main": { "encrypt_email": long.clone() } }),
            json!({ "password_reset": { "user_search_by": long.clone() } }),
            json!({ "profile": long.clone() }),
            json!({ "password": { long.clone(): 1 } }),
            json!({ "apps": { "all": [long.clone(), 5] } }),
        ] {
            let e = err(v);
            let s = e.to_string();
            assert!(s.len() < 160, "{s}");
            assert!(!s.contains(&"x".repeat(41)), "{s}");
        }
        let e = err(json!({ "password": { "min_length": "a\nb" } }));
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn profiles() {
        let s = ok(json!({ "profile": "strict" }));
        assert_eq!(s, Config::strict());
        assert_eq!(s.profile, "strict");
        assert!(!s.login.inform_if_locked && s.password.common_list && s.password_reset.require_totp && s.password_reset.end_sessions);
        // Keys the host gives win over the profile's defaults, in any key order.
        let s = ok(json!({ "password": { "min_length": 20 }, "profile": "strict" }));
        assert_eq!((s.password.min_length, s.session.max_lifetime, s.login.inform_if_locked), (20, 720, false));
        assert!(Config::from_json(&json!({ "profile": "Zato" })).is_err());
        assert!(Config::from_json(&json!({ "profile": 1 })).is_err());
        assert!(Config::from_json(&json!({ "profile": {} })).is_err());
    }

    #[test]
    fn throttle_section() {
        let c = ok(json!({ "throttle": { "enabled": false, "per_user": 5, "window": 60, "lock_user_after": 0 } }));
        assert!(!c.throttle.enabled);
        assert_eq!((c.throttle.per_user, c.throttle.window, c.throttle.per_address), (5, 60, 100));
        assert_eq!(err(json!({ "throttle": { "per_user": 0 } })).path, "throttle.per_user");
    }

    #[test]
    fn to_json_round_trips() {
        let custom = ok(json!({
            "main": { "encrypt_email": false, "smtp_conn": "smtp", "site_name": "Acme" },
            "apps": { "all": ["CRM", "Portal"], "login_metadata_allowed": "Portal", "super_user_allowed": "CRM" },
            "password": { "reject_list": "acme\n\nfoo", "min_length": 10, "common_list": true },
            "password_reset": { "user_search_by": "email", "email_title_en_GB": "Hi", "email_title_fr_FR": "Salut" },
            "session": { "expiry_hook": "hook", "idle_timeout": 15 },
            "signup": { "email_confirm_body_en_GB": "Body", "callback_service_list": ["a", "b"] },
            "user_address_list": { "a": "*", "b": "", "c": ["10.1.2.3/8", "::1", "::ffff:10.0.0.1"], "d": [] },
            "throttle": { "backoff": 5 },
        }));
        for c in [Config::default(), Config::strict(), custom] {
            let j = c.to_json();
            assert_eq!(ok(j.clone()), c, "{j}");
        }
        let j = Config::default().to_json();
        assert_eq!(j["password"]["reject_list"].as_array().map(Vec::len), Some(24));
        assert_eq!(j["password_reset"]["user_search_by"], "username");
        assert_eq!(j["main"]["smtp_conn"], Value::Null);
        let j = ok(json!({ "user_address_list": { "c": "10.1.2.3/8, 2001:db8::1/32" } })).to_json();
        assert_eq!(j["user_address_list"]["c"], json!(["10.0.0.0/8", "2001:db8::/32"]));
    }

    /// Every key of every section, with values of every JSON type: an error or a config,
    /// never a panic.
    #[test]
    fn no_panic_on_any_value() {
        let mut deep = json!([]);
        for _ in 0..64 {
            deep = json!([deep]);
        }
        let samples = [
            Value::Null,
            json!(true),
            json!(false),
            json!(0),
            json!(1),
            json!(-1),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(0.5),
            json!(-0.0),
            json!(1e300),
            json!(-1e300),
            json!(f64::MAX),
            json!(4294967296u64),
            json!(""),
            json!(" "),
            json!("*"),
            json!("\n\n,"),
            json!("x".repeat(10_000)),
            json!("\u{0}\u{1b}[31m"),
            json!([]),
            json!([""]),
            json!(["a", 1]),
            json!({}),
            json!({ "k": "v" }),
            deep,
        ];
        let defaults = Config::default().to_json();
        let Value::Object(sections) = &defaults else { panic!("to_json gives an object") };
        for (name, section) in sections {
            let _ = Config::from_json(&json!({ name: section.clone() }));
            for sample in &samples {
                let _ = Config::from_json(&json!({ name: sample.clone() }));
                let keys: Vec<String> = match section {
                    Value::Object(m) => m.keys().cloned().chain(["unknown".to_string(), "email_title_x".into(), "email_confirm_x".into()]).collect(),
                    _ => vec![],
                };
                for key in keys {
                    let _ = Config::from_json(&json!({ name: { key: sample.clone() } }));
                }
                let _ = Config::from_json(&json!({ "user_address_list": { "u": sample.clone() } }));
            }
        }
        for sample in &samples {
            let _ = Config::from_json(sample);
            let _ = Config::from_json(&json!({ "profile": sample.clone() }));
        }
    }
}
