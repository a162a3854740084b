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
use std::num::NonZeroU32;

use serde_json::{json, Map, Value};

use crate::net::{self, IpNet};

/// Why a config was refused: `path` is `section.key` (or `section`, or empty for the whole
/// value), `problem` says what was expected. Never holds more than ~40 characters of input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The key at fault: `section.key`, `section`, or empty for the whole value.
    pub path: String,
    /// What was expected, and what was given (shortened).
    pub problem: String,
}

impl ConfigError {
    /// A refusal of the value at `path`.
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

/// `n` as a `NonZeroU32`, for a default written in this file (none is 0; 0 would give 1).
const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

/// Declares a section once: each key's field (with its doc), its default (Zato's template)
/// and how it is read (`bool`, `string`, `opt_string`, `set`, `vec(lower)`, `u32(min, max)`,
/// `nonzero_u32(max)`, `i64(min, max)`, `usize(min, max)`, or `custom`: read by the section's `SectionExtra`).
/// From it come the struct, its `Default`, the keys the section accepts and their reading.
macro_rules! section {
    ($(#[$doc:meta])* $ty:ident {
        $( $(#[$fdoc:meta])* $field:ident : $fty:ty = $default:expr => $kind:ident $(($($arg:expr),*))? ; )*
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        #[allow(non_snake_case)]
        pub struct $ty {
            $( $(#[$fdoc])* pub $field: $fty, )*
        }

        impl Default for $ty {
            fn default() -> Self {
                $ty { $( $field: $default, )* }
            }
        }

        impl SectionValues for $ty {
            fn known(key: &str) -> bool {
                $( (key == stringify!($field) && stringify!($kind) != "internal") || )* Self::EXTRA_KEYS.contains(&key)
                    || Self::PREFIXES.iter().any(|p| key.len() > p.len() && key.starts_with(p))
            }
            fn apply(&mut self, s: &Section) -> Result<(), ConfigError> {
                s.check_keys(Self::known)?;
                $( s.$kind(stringify!($field), &mut self.$field $(, $($arg),*)?)?; )*
                self.extra(s)
            }
            fn to_json(&self) -> Value {
                let mut m = Map::new();
                $( if stringify!($kind) != "internal" { m.insert(stringify!($field).into(), json!(self.$field)); } )*
                self.extra_json(&mut m);
                Value::Object(m)
            }
        }
    };
}

/// What a section reads beyond its declared keys (prefixed keys, enums, normalisation).
trait SectionExtra {
    /// Keys read by `extra` only.
    const EXTRA_KEYS: &'static [&'static str] = &[];
    /// Key prefixes read by `extra` (`email_title_<locale>`).
    const PREFIXES: &'static [&'static str] = &[];
    fn extra(&mut self, _s: &Section) -> Result<(), ConfigError> {
        Ok(())
    }
    /// What `extra` reads, written back.
    fn extra_json(&self, _m: &mut Map<String, Value>) {}
}

/// A section of the config object, as `Config::from_json` applies it and `to_json` writes it.
trait SectionValues: SectionExtra {
    fn known(key: &str) -> bool;
    fn apply(&mut self, s: &Section) -> Result<(), ConfigError>;
    fn to_json(&self) -> Value;
}

section! {
    /// `[main]`: what is sealed at rest and the site's name.
    MainConfig {
        /// Seal emails at rest; also turns off search by email and sign-up's email-required check.
        encrypt_email: bool = true => bool;
        /// Seal password hashes at rest.
        encrypt_password: bool = true => bool;
        /// Never empty: an empty value is `site`.
        site_name: String = "site".into() => string;
        /// Zato's SMTP connection for reset emails; not read by the core (the host's reset hook delivers).
        smtp_conn: Option<String> = None => opt_string;
        /// Zato's service that delivers reset emails; not read by the core (the host's reset hook delivers).
        email_service: Option<String> = None => opt_string;
    }
}

impl SectionExtra for MainConfig {
    fn extra(&mut self, _s: &Section) -> Result<(), ConfigError> {
        if self.site_name.trim().is_empty() {
            self.site_name = "site".into();
        }
        Ok(())
    }
}

section! {
    /// `[hash_secret]`: Zato's PBKDF2 settings; not read by the core (a migrated hash carries its own).
    HashSecretConfig {
        /// PBKDF2-SHA512 iterations (1 ..= 10,000,000).
        rounds: u32 = 120_000 => u32(1, 10_000_000);
        /// Bytes (8 ..= 1024).
        salt_size: u32 = 64 => u32(8, 1024);
    }
}
impl SectionExtra for HashSecretConfig {}

section! {
    /// Not in Zato: the Argon2id parameters of new password hashes.
    Argon2Config {
        /// KiB (8 ..= 1,048,576, and at least 8 × `p_cost`).
        m_cost: u32 = 19_456 => u32(8, 1 << 20);
        /// Passes (1 ..= 100).
        t_cost: u32 = 2 => u32(1, 100);
        /// Lanes (1 ..= 16).
        p_cost: u32 = 1 => u32(1, 16);
    }
}
impl SectionExtra for Argon2Config {}

section! {
    /// `[apps]`: the applications requests may come from, and which may do what.
    AppsConfig {
        /// Never empty.
        all: BTreeSet<String> = set(&["CRM"]) => set;
        /// The app an external (linked-auth) session gets when the request names none.
        default: String = "CRM".into() => string;
        /// The HTTP header the JS layer reads `current_app` from for external-auth requests.
        http_header: String = "X-Zato-SSO-Current-App".into() => string;
        /// Apps through which users may sign up; empty: any app.
        signup_allowed: BTreeSet<String> = BTreeSet::new() => set;
        /// Apps through which users may log in (L4).
        login_allowed: BTreeSet<String> = set(&["CRM"]) => set;
        /// Apps that may send an explicit `remote_addr` or `user_agent` at login (C7).
        login_metadata_allowed: BTreeSet<String> = BTreeSet::new() => set;
        /// Reveal E004001 for an unknown or disallowed app, instead of E005001.
        inform_if_app_invalid: bool = true => bool;
        /// Not in Zato: the apps super-users may log in and act from; empty: any app.
        super_user_allowed: BTreeSet<String> = BTreeSet::new() => set;
    }
}
impl SectionExtra for AppsConfig {}

section! {
    /// `[login]`: who may log in, and which refusals are revealed.
    LoginConfig {
        /// Refuse users who have no entry in `[user_address_list]`.
        reject_if_not_listed: bool = false => bool;
        /// Reveal E005002 for a locked user, instead of E005001.
        inform_if_locked: bool = true => bool;
        /// Reveal E005003 for an unconfirmed sign-up, instead of E005001.
        inform_if_not_confirmed: bool = true => bool;
        /// Reveal E005004 for a user not approved, instead of E005001.
        inform_if_not_approved: bool = true => bool;
        /// Reveal E005008 for a missing TOTP code, instead of a hidden E005001.
        inform_if_totp_missing: bool = true => bool;
    }
}
impl SectionExtra for LoginConfig {}

/// `password_reset.user_search_by`: how a PRT request finds its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserSearchBy {
    /// By username.
    Username,
    /// By email, through the keyed email index (sealed emails too).
    Email,
    /// By username first, then by email.
    UsernameOrEmail,
}

impl UserSearchBy {
    /// The value as written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            UserSearchBy::Username => "username",
            UserSearchBy::Email => "email",
            UserSearchBy::UsernameOrEmail => "username_or_email",
        }
    }

    /// The variant `s` names, if any.
    pub fn parse(s: &str) -> Option<UserSearchBy> {
        match s {
            "username" => Some(UserSearchBy::Username),
            "email" => Some(UserSearchBy::Email),
            "username_or_email" => Some(UserSearchBy::UsernameOrEmail),
            _ => None,
        }
    }
}

section! {
    /// `[password_reset]`: password-reset tokens (PRTs) and their emails.
    PasswordResetConfig {
        /// Minutes (1 ..= 525,600): the PRT lifetime (§10 O-33: read here, not from `[prt]`).
        valid_for: i64 = 1440 => i64(1, 525_600);
        /// Seconds (1 ..= 31,536,000) a reset key stays usable after the PRT is accessed.
        password_change_session_duration: i64 = 1800 => i64(1, 31_536_000);
        /// How a reset request finds its user (`username`, `email` or `username_or_email`).
        user_search_by: UserSearchBy = UserSearchBy::Username => custom;
        /// Sender of reset emails, passed to the host's reset hook.
        email_from: String = "hello@example.com".into() => string;
        /// From the key `email_title_en_GB`; other `email_title_<locale>` keys are accepted and
        /// ignored.
        email_title_en_GB: String = "Password reset".into() => custom;
        /// Not in Zato: a TOTP user must give the current code to reset a password (ASVS 5.0 6.4.3).
        require_totp: bool = false => bool;
        /// Not in Zato (spec §10 O-34): a reset ends every session of the user. Off by default, as
        /// in Zato, whose clients may go on with a session opened before the reset.
        end_sessions: bool = false => bool;
    }
}

impl SectionExtra for PasswordResetConfig {
    const PREFIXES: &'static [&'static str] = &["email_title_"];
    fn extra(&mut self, s: &Section) -> Result<(), ConfigError> {
        if let Some(v) = s.map.get("user_search_by") {
            self.user_search_by = v
                .as_str()
                .and_then(UserSearchBy::parse)
                .ok_or_else(|| s.err("user_search_by", format!("expected \"username\", \"email\" or \"username_or_email\", got {}", describe(v))))?;
        }
        for k in s.map.keys().filter(|k| k.starts_with("email_title_")) {
            let mut title = String::new();
            s.string(k, &mut title)?;
            if k == "email_title_en_GB" {
                self.email_title_en_GB = title;
            }
        }
        Ok(())
    }
}

section! {
    /// `[session]`: how long sessions live.
    SessionConfig {
        /// Minutes (1 ..= 5,256,000).
        expiry: i64 = 60 => i64(1, 5_256_000);
        /// Zato's expiry-hook service; not read by the core (the host's `session_expiry` hook is asked).
        expiry_hook: Option<String> = None => opt_string;
        /// Not in Zato. Minutes from login after which a session ends whatever renewals say;
        /// 0: no limit.
        max_lifetime: i64 = 0 => i64(0, 5_256_000);
        /// Not in Zato. Minutes without use after which a session ends; 0: no limit.
        idle_timeout: i64 = 0 => i64(0, 5_256_000);
    }
}
impl SectionExtra for SessionConfig {}

section! {
    /// Not in Zato: throttling of failed logins (OWASP ASVS 2.2.1, NIST SP 800-63B §5.2.2).
    ThrottleConfig {
        /// Whether failed logins are throttled.
        enabled: bool = true => bool;
        /// Failures of one username from one address before that pair is blocked.
        per_user_address: u32 = 10 => u32(1, 1_000_000);
        /// Failures from one address (any usernames) before the address is blocked.
        per_address: u32 = 100 => u32(1, 1_000_000);
        /// Failures of one username (any addresses) before the username is blocked.
        per_user: u32 = 100 => u32(1, 1_000_000);
        /// Seconds a failure counts for.
        window: i64 = 3600 => i64(1, 31_536_000);
        /// Seconds of the first block; each further block doubles it, up to `max_backoff`.
        backoff: i64 = 60 => i64(1, 31_536_000);
        /// Seconds: the longest block.
        max_backoff: i64 = 3600 => i64(1, 31_536_000);
        /// Failures of one username after which the account is locked (`locked_by = "auto"`);
        /// 0: never.
        lock_user_after: u32 = 0 => u32(0, 1_000_000);
        /// Wrong TOTP codes for one username (login, `validateCode`, reset together) before its
        /// codes are refused for a while.
        totp_per_user: u32 = 5 => u32(1, 1_000_000);
        /// Wrong TOTP codes from one address (any usernames) before the address is blocked for codes.
        totp_per_address: u32 = 50 => u32(1, 1_000_000);
    }
}
impl SectionExtra for ThrottleConfig {}

section! {
    /// `[password]`: password expiry and policy.
    PasswordConfig {
        /// Days (1 ..= 3,650,000).
        expiry: i64 = 730 => i64(1, 3_650_000);
        /// Reveal E003004 for an expired password, instead of E005001.
        inform_if_expired: bool = false => bool;
        /// Reveal W003005 (or E003006) for a password about to expire.
        inform_if_about_to_expire: bool = true => bool;
        /// Reveal E003007 when the password must be changed, instead of E005001.
        inform_if_must_be_changed: bool = true => bool;
        /// Reveal the password-policy codes (E003xxx) when a new password is refused.
        inform_if_invalid: bool = true => bool;
        /// Days (0 ..= 3,650,000).
        about_to_expire_threshold: i64 = 30 => i64(0, 3_650_000);
        /// Log in with a warning when the password is about to expire; false: refuse the login (E003006).
        log_in_if_about_to_expire: bool = true => bool;
        /// Unicode code points (0 ..= 4096, at most `max_length`).
        min_length: usize = 8 => usize(0, 4096);
        /// Unicode code points (1 ..= 4096).
        max_length: usize = 256 => usize(1, 4096);
        /// Only 0 is accepted: zxcvbn is not built in (README "Differences from Zato").
        min_complexity: u32 = 0 => custom;
        /// Zato's complexity algorithm name; informational only.
        min_complexity_algorithm: String = "zxcvbn".into() => string;
        /// Trimmed, lower-cased, blank lines dropped (spec §10 O-47).
        reject_list: Vec<String> = split_list(DEFAULT_REJECT_LIST, true) => vec(true);
        /// Not in Zato: refuse the 3,000 most common passwords (exact match, case-insensitive).
        common_list: bool = false => bool;
    }
}

impl SectionExtra for PasswordConfig {
    // zxcvbn's dictionaries would triple the wasm; see README "Differences".
    fn extra(&mut self, s: &Section) -> Result<(), ConfigError> {
        if let Some(v) = s.map.get("min_complexity") {
            s.u32("min_complexity", &mut self.min_complexity, 0, 4)?;
            if self.min_complexity != 0 {
                return Err(s.err("min_complexity", format!("only 0 is supported (zxcvbn is not built in), got {}", describe(v))));
            }
        }
        Ok(())
    }
}

section! {
    /// `[signup]`: what sign-up requires, and which refusals it reveals.
    SignupConfig {
        /// New users start `before_decision` and need a super-user's approval; false: `approved` at once.
        is_approval_needed: bool = true => bool;
        /// Characters (1 ..= 191).
        max_length_username: usize = 128 => usize(1, 191);
        /// Characters (3 ..= 1024).
        max_length_email: usize = 128 => usize(3, 1024);
        /// Zato's older key; not read (`is_email_required` is).
        email_required: bool = true => bool;
        /// Sign-up needs an email (checked only where emails are stored in clear).
        is_email_required: bool = true => bool;
        /// Zato's key, not read by Zato either.
        password_allow_whitespace: bool = true => bool;
        /// Return the confirm token in the REST sign-up response; false: only the host's hooks see it.
        always_return_confirm_token: bool = true => bool;
        /// Zato's callback services; not read (the host's `signup_callback` hook is called).
        callback_service_list: Vec<String> = Vec::new() => vec(false);
        /// Reveal E001002 when the username is taken.
        inform_if_user_exists: bool = false => bool;
        /// Reveal the username's format and length codes (E001xxx).
        inform_if_user_invalid: bool = false => bool;
        /// Reveal E002002 when the email is taken.
        inform_if_email_exists: bool = false => bool;
        /// Reveal the email's format, length and missing codes (E002xxx).
        inform_if_email_invalid: bool = false => bool;
        /// Reveal E004001 or E004002 when a sign-up names an unknown app or comes from one without sign-up.
        inform_if_app_invalid: bool = false => bool;
        /// `email_confirm_*` / `email_welcome_*` keys: kept as given, not read by the core.
        templates: BTreeMap<String, String> = BTreeMap::new() => internal;
    }
}

impl SectionExtra for SignupConfig {
    const PREFIXES: &'static [&'static str] = &["email_confirm_", "email_welcome_"];
    fn extra(&mut self, s: &Section) -> Result<(), ConfigError> {
        for k in s.map.keys().filter(|k| Self::PREFIXES.iter().any(|p| k.starts_with(p))) {
            let mut v = String::new();
            s.string(k, &mut v)?;
            self.templates.insert(k.clone(), v);
        }
        Ok(())
    }
    fn extra_json(&self, m: &mut Map<String, Value>) {
        for (k, v) in &self.templates {
            m.insert(k.clone(), Value::String(v.clone()));
        }
    }
}

section! {
    /// `[user_validation]`: the reserved words sign-up refuses.
    UserValidationConfig {
        /// Trimmed (service names keep their case).
        service: Vec<String> = vec!["zato.sso.signup.validate".into()] => vec(false);
        /// Trimmed and lower-cased.
        reject_username: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect() => vec(true);
        /// Trimmed and lower-cased.
        reject_email: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect() => vec(true);
    }
}
impl SectionExtra for UserValidationConfig {}

section! {
    /// Not in Zato: how `sso.fetch` serves browsers (README "Web apps").
    HttpConfig {
        /// REST login and renew set the UST in an HttpOnly cookie instead of the body; a request
        /// without a `ust` input or bearer header uses the cookie. Off: Zato's clients see no change.
        cookie_sessions: bool = false => bool;
        /// The cookie's name; the `__Host-` prefix makes browsers refuse it unless it is Secure,
        /// for the whole host and with no Domain.
        cookie_name: String = "__Host-zato-ust".into() => string;
        /// Exact origins (`https://app.example.com`) allowed to call across origins with
        /// credentials: CORS is answered for them only, and cookie-authenticated state changes
        /// from any other origin are refused.
        allowed_origins: Vec<String> = Vec::new() => vec(false);
        /// `GET /zato/sso/openapi.json` answers the API's OpenAPI 3.1 document (the package ships
        /// it as `edge-sso/openapi.json` either way). Off: the path is 404.
        openapi: bool = false => bool;
    }
}

impl SectionExtra for HttpConfig {
    fn extra(&mut self, s: &Section) -> Result<(), ConfigError> {
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if self.cookie_name.is_empty() || !self.cookie_name.chars().all(token) {
            return Err(s.err("cookie_name", "expected a cookie name (letters, digits and !#$%&'*+-.^_`|~)".into()));
        }
        // Without the prefix a sibling subdomain could set a cookie of that name for us.
        if self.cookie_sessions && !self.cookie_name.starts_with("__Host-") {
            return Err(s.err("cookie_name", "expected a name starting with __Host- (a browser then refuses one set by another host)".into()));
        }
        for o in &self.allowed_origins {
            if !is_exact_origin(o) {
                return Err(s.err(
                    "allowed_origins",
                    format!(
                        "expected exact origins as browsers send them, such as https://app.example.com (lower case, no wildcard, path or default port; http only for localhost), got {}",
                        net::shown(o)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// `scheme://host[:port]` exactly as a browser sends it as `Origin`: lower case, no path, no
/// default port; plain `http` only for the loopback host (anyone on the path of a plain-HTTP
/// page could use it to pass the CSRF check).
fn is_exact_origin(o: &str) -> bool {
    let Some((scheme, rest)) = o.split_once("://") else { return false };
    let host = rest.rsplit_once(':').filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit())).map_or(rest, |(h, _)| h);
    let default_port = (scheme == "https" && rest.ends_with(":443")) || (scheme == "http" && rest.ends_with(":80"));
    let loopback = host == "localhost" || host == "127.0.0.1" || host == "[::1]";
    (scheme == "https" || (scheme == "http" && loopback))
        && !rest.is_empty()
        && !default_port
        && rest.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.:[]".contains(c))
        && !rest.starts_with(':')
}

section! {
    /// `[search]`: page sizes of `search`.
    SearchConfig {
        /// 1 ..= 10,000, at most `max_page_size`. Never zero, by its type: search divides by it.
        default_page_size: NonZeroU32 = nonzero(50) => nonzero_u32(10_000);
        /// 1 ..= 10,000. Never zero, by its type.
        max_page_size: NonZeroU32 = nonzero(100) => nonzero_u32(10_000);
    }
}
impl SectionExtra for SearchConfig {}

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
    /// Whether a request from `addrs` passes this rule.
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

/// Declares the sections once: the `Config` struct, its defaults, and the dispatch of a
/// section's name to its reading.
macro_rules! config {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty ),* $(,)?) => {
        /// The whole `sso.conf`, merged over the defaults of its profile.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Config {
            /// `zato` (Zato's defaults) or `strict` (see [`Config::strict`]).
            pub profile: String,
            $( $(#[$doc])* pub $name: $ty, )*
        }

        impl Default for Config {
            /// Zato's defaults (spec §9), plus the defaults of our own sections and keys.
            fn default() -> Self {
                Config { profile: "zato".into(), $( $name: Default::default(), )* }
            }
        }

        impl Config {
            /// Every key, as `from_json` reads it: `from_json(&c.to_json())` gives `c` back.
            /// Holds no secret.
            pub fn to_json(&self) -> Value {
                json!({ "profile": self.profile, $( stringify!($name): self.$name.to_json(), )* })
            }

            /// Reads section `name` (a key of the top-level object) over the current values.
            fn apply_section(&mut self, name: &str, map: &Map<String, Value>) -> Result<bool, ConfigError> {
                match name {
                    $( stringify!($name) => {
                        self.$name.apply(&Section { name: stringify!($name), map })?;
                        Ok(true)
                    } )*
                    _ => Ok(false),
                }
            }
        }
    };
}

config! {
    /// `[main]`.
    main: MainConfig,
    /// `[hash_secret]`.
    hash_secret: HashSecretConfig,
    /// Not in Zato.
    argon2: Argon2Config,
    /// `[apps]`.
    apps: AppsConfig,
    /// `[login]`.
    login: LoginConfig,
    /// `[password_reset]`.
    password_reset: PasswordResetConfig,
    /// `[session]`.
    session: SessionConfig,
    /// `[password]`.
    password: PasswordConfig,
    /// `[signup]`.
    signup: SignupConfig,
    /// `[user_validation]`.
    user_validation: UserValidationConfig,
    /// Spec §4.3: username to its address rule.
    user_address_list: UserAddressList,
    /// `[search]`.
    search: SearchConfig,
    /// Not in Zato.
    throttle: ThrottleConfig,
    /// Not in Zato.
    http: HttpConfig,
}

/// `[user_address_list]`: every key is a username, every value its rule.
impl SectionExtra for UserAddressList {}

impl SectionValues for UserAddressList {
    fn known(_: &str) -> bool {
        true
    }
    fn to_json(&self) -> Value {
        let rules = self.iter().map(|(user, rule)| {
            let v = match rule {
                AddressRule::Any => json!("*"),
                AddressRule::Deny => json!(""),
                AddressRule::Networks(nets) => json!(nets.iter().map(|n| n.to_string()).collect::<Vec<_>>()),
            };
            (user.clone(), v)
        });
        Value::Object(rules.collect())
    }
    fn apply(&mut self, s: &Section) -> Result<(), ConfigError> {
        for (user, v) in s.map {
            let rule = parse_address_rule(v).map_err(|problem| s.err(user, problem))?;
            self.insert(user.clone(), rule);
        }
        Ok(())
    }
}

/// The template's `password.reject_list`, one entry per line.
pub const DEFAULT_REJECT_LIST: &str = "111111\n123123\n123321\n123456\n123qwe\n1q2w3e\n1q2w3e4r\n1q2w3e4r5t\n222222\n333333\n444444\n555555\n654321\n666666\n777777\n888888\n999999\n987654321\ngoogle\nletmein\nmynoob\npassword\nqwerty\nzxcvbnm";

const RESERVED: [&str; 5] = ["zato", "admin", "root", "system", "sso"];

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
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

    /// Every key must be one the section knows.
    fn check_keys(&self, known: impl Fn(&str) -> bool) -> Result<(), ConfigError> {
        match self.map.keys().find(|k| !known(k)) {
            Some(k) => Err(self.err(k, "unknown key".into())),
            None => Ok(()),
        }
    }

    /// A key its section reads itself (`SectionExtra`).
    fn custom<T>(&self, _key: &str, _target: &mut T) -> Result<(), ConfigError> {
        Ok(())
    }

    /// Not a key: a value the section derives from other keys.
    fn internal<T>(&self, _key: &str, _target: &mut T) -> Result<(), ConfigError> {
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
            Value::Number(n) => n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .or_else(|| n.as_f64().filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30).map(|f| f as i128)),
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

    /// A JSON integer from 1 to `max`, for a count that something is divided by.
    fn nonzero_u32(&self, key: &str, target: &mut NonZeroU32, max: u32) -> Result<(), ConfigError> {
        if let Some(n) = self.int(key, 1, i64::from(max))?.and_then(|n| u32::try_from(n).ok()).and_then(NonZeroU32::new) {
            *target = n;
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
            let map = match v {
                Value::Object(m) => m,
                Value::Null if c.apply_section(name, &Map::new())? => continue,
                v => {
                    let empty = Map::new();
                    if !c.apply_section(name, &empty)? {
                        return Err(ConfigError::new(key_shown(name), "unknown section"));
                    }
                    return Err(ConfigError::new(key_shown(name), format!("expected an object, got {}", describe(v))));
                }
            };
            if !c.apply_section(name, map)? {
                return Err(ConfigError::new(key_shown(name), "unknown section"));
            }
        }
        c.validate()?;
        Ok(c)
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
mod tests;
