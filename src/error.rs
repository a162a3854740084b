//! Status and sub-status codes (spec §7) and the error every operation returns.
//!
//! Errors are data: a list of codes, the reveal flag the spec attaches to them, and a short
//! message that names the problem. The message is written by this crate only and never holds
//! a secret (password, UST, TOTP key or code, reset key, confirm token).

use std::fmt;

/// Declares every code once: its variant, its string and Zato's name for it. The enum,
/// `ALL_CODES`, `as_str`, `name` and `Code::parse` all come from this one list (as rustls'
/// `enum_builder!` does), so a code cannot be added in one place and forgotten in another.
macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $name:literal; )*) => {
        /// A sub-status code of spec §7.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* #[doc = concat!("`", $code, "` (`", $name, "`)")] $variant, )*
        }

        /// Every code, in the order of spec §7.
        pub const ALL_CODES: &[Code] = &[$(Code::$variant),*];

        impl Code {
            /// The code as Zato writes it: `E005001`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The name Zato gives the code (spec §7), used in messages.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }
        }
    };
}

codes! {
    UsernameInvalid = "E001001", "username.invalid";
    UsernameExists = "E001002", "username.exists";
    UsernameTooLong = "E001003", "username.too_long";
    UsernameHasWhitespace = "E001004", "username.has_whitespace";
    EmailInvalid = "E002001", "email.invalid";
    EmailExists = "E002002", "email.exists";
    EmailTooLong = "E002003", "email.too_long";
    EmailHasWhitespace = "E002004", "email.has_whitespace";
    EmailMissing = "E002005", "email.missing";
    PasswordInvalid = "E003001", "password.invalid";
    PasswordTooShort = "E003002", "password.too_short";
    PasswordTooLong = "E003003", "password.too_long";
    PasswordExpired = "E003004", "password.expired";
    /// A warning, not an error: the login succeeds.
    PasswordWAboutToExp = "W003005", "password.w_about_to_exp";
    PasswordEAboutToExp = "E003006", "password.e_about_to_exp";
    PasswordMustSendNew = "E003007", "password.must_send_new";
    PasswordNotComplex = "E003008", "password.not_complex_enough";
    AppListInvalid = "E004001", "app_list.invalid";
    AppListNoSignup = "E004002", "app_list.no_signup";
    AuthNotAllowed = "E005001", "auth.not_allowed";
    AuthLocked = "E005002", "auth.locked";
    AuthInvalidSignupStatus = "E005003", "auth.invalid_signup_status";
    AuthNotApproved = "E005004", "auth.not_approved";
    AuthSuperUserRequired = "E005005", "auth.super_user_required";
    AuthNoSuchSignUpToken = "E005006", "auth.no_such_sign_up_token";
    AuthSignUpConfirmed = "E005007", "auth.sign_up_confirmed";
    AuthTotpMissing = "E005008", "auth.totp_missing";
    MetadataNotAllowed = "E006001", "metadata.not_allowed";
    SessionNoSuchSession = "E007001", "session.no_such_session";
    SessionExpired = "E007002", "session.expired";
    InvalidOperation = "E008001", "common.invalid_operation";
    InvalidInput = "E008002", "common.invalid_input";
    MissingInput = "E008003", "common.missing_input";
    InternalError = "E008004", "common.internal_error";
    /// A record kept changing under a conditional write: the operation gave up, nothing written.
    Conflict = "E008005", "common.conflict";
    /// A cookie-authenticated request that changes state came from another site (CSRF).
    CrossSite = "E008006", "common.cross_site";
    AttrAlreadyExists = "E009001", "attr.already_exists";
    AttrNoSuchAttr = "E009002", "attr.no_such_attr";
    PasswordResetCouldNotAccess = "E010001", "password_reset.could_not_access";
}

impl Code {
    /// The code written `s` (`E005001`), if there is one.
    pub fn parse(s: &str) -> Option<Code> {
        ALL_CODES.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejection: `status` is always `error`, `sub_status` lists the codes in order, `reveal`
/// says whether a transport may show them (false: show `E005001` instead).
#[derive(Clone, PartialEq, Eq)]
pub struct SsoError {
    /// The codes, in the order they were found (Zato's `sub_status`).
    pub sub_status: Vec<Code>,
    /// Whether a transport may show the codes (false: it shows `E005001`).
    pub reveal: bool,
    /// What went wrong, for humans; never a secret.
    pub detail: String,
}

impl SsoError {
    /// An error with one code.
    pub fn new(code: Code, reveal: bool, detail: impl Into<String>) -> Self {
        SsoError { sub_status: vec![code], reveal, detail: detail.into() }
    }
    /// An error with several codes (e.g. every password-policy rule a password broke).
    pub fn many(codes: Vec<Code>, reveal: bool, detail: impl Into<String>) -> Self {
        SsoError { sub_status: codes, reveal, detail: detail.into() }
    }
    /// Revealed code.
    pub fn shown(code: Code, detail: impl Into<String>) -> Self {
        Self::new(code, true, detail)
    }
    /// Hidden code: a transport that honours reveal shows `E005001`.
    pub fn hidden(code: Code, detail: impl Into<String>) -> Self {
        Self::new(code, false, detail)
    }
    /// Bad input from the caller (wrong type, unknown key, oversize value).
    pub fn invalid_input(detail: impl Into<String>) -> Self {
        Self::hidden(Code::InvalidInput, detail)
    }
    /// The host (store, audit callback, clock) failed.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::hidden(Code::InternalError, detail)
    }
    /// The record kept changing under this operation's conditional writes.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::shown(Code::Conflict, detail)
    }
    /// The host failed (store, audit, clock) or the operation lost every retry of a
    /// conditional write: not an answer about the caller's input, so never turned into one.
    pub fn is_host_failure(&self) -> bool {
        self.has(Code::InternalError) || self.has(Code::Conflict)
    }
    /// Always `error` (Zato's `status` of a failed call).
    pub fn status(&self) -> &'static str {
        "error"
    }
    /// The codes as Zato writes them (`E005001`), in order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.sub_status.iter().map(|c| c.as_str()).collect()
    }
    /// Whether the error carries `code`.
    pub fn has(&self, code: Code) -> bool {
        self.sub_status.contains(&code)
    }
    /// The codes a transport that honours the reveal flag may show.
    pub fn public_codes(&self) -> Vec<&'static str> {
        if self.reveal && !self.sub_status.is_empty() {
            self.codes()
        } else {
            vec![Code::AuthNotAllowed.as_str()]
        }
    }
    /// The message given to JavaScript: the codes with their names, then the detail.
    pub fn message(&self) -> String {
        let names: Vec<String> = self.sub_status.iter().map(|c| format!("{} {}", c.as_str(), c.name())).collect();
        if self.detail.is_empty() {
            names.join(", ")
        } else {
            format!("{}: {}", names.join(", "), self.detail)
        }
    }
}

impl fmt::Debug for SsoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SsoError({}, reveal={})", self.message(), self.reveal)
    }
}

impl fmt::Display for SsoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for SsoError {}

/// The result every operation returns.
pub type SsoResult<T> = Result<T, SsoError>;

/// Bad input (E008002, hidden): the one constructor every module uses for it.
pub(crate) fn bad(detail: impl Into<String>) -> SsoError {
    SsoError::invalid_input(detail)
}
