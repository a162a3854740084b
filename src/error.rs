//! Status and sub-status codes (spec §7) and the error every operation returns.
//!
//! Errors are data: a list of codes, the reveal flag the spec attaches to them, and a short
//! message that names the problem. The message is written by this crate only and never holds
//! a secret (password, UST, TOTP key or code, reset key, confirm token).

use std::fmt;

/// A sub-status code of spec §7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    UsernameInvalid,        // E001001
    UsernameExists,         // E001002
    UsernameTooLong,        // E001003
    UsernameHasWhitespace,  // E001004
    EmailInvalid,           // E002001
    EmailExists,            // E002002
    EmailTooLong,           // E002003
    EmailHasWhitespace,     // E002004
    EmailMissing,           // E002005
    PasswordInvalid,        // E003001
    PasswordTooShort,       // E003002
    PasswordTooLong,        // E003003
    PasswordExpired,        // E003004
    PasswordWAboutToExp,    // W003005
    PasswordEAboutToExp,    // E003006
    PasswordMustSendNew,    // E003007
    PasswordNotComplex,     // E003008
    AppListInvalid,         // E004001
    AppListNoSignup,        // E004002
    AuthNotAllowed,         // E005001
    AuthLocked,             // E005002
    AuthInvalidSignupStatus, // E005003
    AuthNotApproved,        // E005004
    AuthSuperUserRequired,  // E005005
    AuthNoSuchSignUpToken,  // E005006
    AuthSignUpConfirmed,    // E005007
    AuthTotpMissing,        // E005008
    MetadataNotAllowed,     // E006001
    SessionNoSuchSession,   // E007001
    SessionExpired,         // E007002
    InvalidOperation,       // E008001
    InvalidInput,           // E008002
    MissingInput,           // E008003
    InternalError,          // E008004
    /// A record kept changing under a conditional write: the operation gave up, nothing written.
    Conflict,               // E008005
    AttrAlreadyExists,      // E009001
    AttrNoSuchAttr,         // E009002
    PasswordResetCouldNotAccess, // E010001
}

/// Every code, for parsing codes that come back from host callbacks.
pub const ALL_CODES: [Code; 38] = {
    use Code::*;
    [
        UsernameInvalid, UsernameExists, UsernameTooLong, UsernameHasWhitespace, EmailInvalid, EmailExists, EmailTooLong,
        EmailHasWhitespace, EmailMissing, PasswordInvalid, PasswordTooShort, PasswordTooLong, PasswordExpired,
        PasswordWAboutToExp, PasswordEAboutToExp, PasswordMustSendNew, PasswordNotComplex, AppListInvalid, AppListNoSignup,
        AuthNotAllowed, AuthLocked, AuthInvalidSignupStatus, AuthNotApproved, AuthSuperUserRequired, AuthNoSuchSignUpToken,
        AuthSignUpConfirmed, AuthTotpMissing, MetadataNotAllowed, SessionNoSuchSession, SessionExpired, InvalidOperation,
        InvalidInput, MissingInput, InternalError, Conflict, AttrAlreadyExists, AttrNoSuchAttr, PasswordResetCouldNotAccess,
    ]
};

impl Code {
    pub fn as_str(self) -> &'static str {
        use Code::*;
        match self {
            UsernameInvalid => "E001001",
            UsernameExists => "E001002",
            UsernameTooLong => "E001003",
            UsernameHasWhitespace => "E001004",
            EmailInvalid => "E002001",
            EmailExists => "E002002",
            EmailTooLong => "E002003",
            EmailHasWhitespace => "E002004",
            EmailMissing => "E002005",
            PasswordInvalid => "E003001",
            PasswordTooShort => "E003002",
            PasswordTooLong => "E003003",
            PasswordExpired => "E003004",
            PasswordWAboutToExp => "W003005",
            PasswordEAboutToExp => "E003006",
            PasswordMustSendNew => "E003007",
            PasswordNotComplex => "E003008",
            AppListInvalid => "E004001",
            AppListNoSignup => "E004002",
            AuthNotAllowed => "E005001",
            AuthLocked => "E005002",
            AuthInvalidSignupStatus => "E005003",
            AuthNotApproved => "E005004",
            AuthSuperUserRequired => "E005005",
            AuthNoSuchSignUpToken => "E005006",
            AuthSignUpConfirmed => "E005007",
            AuthTotpMissing => "E005008",
            MetadataNotAllowed => "E006001",
            SessionNoSuchSession => "E007001",
            SessionExpired => "E007002",
            InvalidOperation => "E008001",
            InvalidInput => "E008002",
            MissingInput => "E008003",
            InternalError => "E008004",
            Conflict => "E008005",
            AttrAlreadyExists => "E009001",
            AttrNoSuchAttr => "E009002",
            PasswordResetCouldNotAccess => "E010001",
        }
    }

    /// The name Zato gives the code (spec §7), used in messages.
    pub fn name(self) -> &'static str {
        use Code::*;
        match self {
            UsernameInvalid => "username.invalid",
            UsernameExists => "username.exists",
            UsernameTooLong => "username.too_long",
            UsernameHasWhitespace => "username.has_whitespace",
            EmailInvalid => "email.invalid",
            EmailExists => "email.exists",
            EmailTooLong => "email.too_long",
            EmailHasWhitespace => "email.has_whitespace",
            EmailMissing => "email.missing",
            PasswordInvalid => "password.invalid",
            PasswordTooShort => "password.too_short",
            PasswordTooLong => "password.too_long",
            PasswordExpired => "password.expired",
            PasswordWAboutToExp => "password.w_about_to_exp",
            PasswordEAboutToExp => "password.e_about_to_exp",
            PasswordMustSendNew => "password.must_send_new",
            PasswordNotComplex => "password.not_complex_enough",
            AppListInvalid => "app_list.invalid",
            AppListNoSignup => "app_list.no_signup",
            AuthNotAllowed => "auth.not_allowed",
            AuthLocked => "auth.locked",
            AuthInvalidSignupStatus => "auth.invalid_signup_status",
            AuthNotApproved => "auth.not_approved",
            AuthSuperUserRequired => "auth.super_user_required",
            AuthNoSuchSignUpToken => "auth.no_such_sign_up_token",
            AuthSignUpConfirmed => "auth.sign_up_confirmed",
            AuthTotpMissing => "auth.totp_missing",
            MetadataNotAllowed => "metadata.not_allowed",
            SessionNoSuchSession => "session.no_such_session",
            SessionExpired => "session.expired",
            InvalidOperation => "common.invalid_operation",
            InvalidInput => "common.invalid_input",
            MissingInput => "common.missing_input",
            InternalError => "common.internal_error",
            Conflict => "common.conflict",
            AttrAlreadyExists => "attr.already_exists",
            AttrNoSuchAttr => "attr.no_such_attr",
            PasswordResetCouldNotAccess => "password_reset.could_not_access",
        }
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
    pub sub_status: Vec<Code>,
    pub reveal: bool,
    /// What went wrong, for humans; never a secret.
    pub detail: String,
}

impl SsoError {
    pub fn new(code: Code, reveal: bool, detail: impl Into<String>) -> Self {
        SsoError { sub_status: vec![code], reveal, detail: detail.into() }
    }
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
    pub fn status(&self) -> &'static str {
        "error"
    }
    pub fn codes(&self) -> Vec<&'static str> {
        self.sub_status.iter().map(|c| c.as_str()).collect()
    }
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
        let names: Vec<String> =
            self.sub_status.iter().map(|c| format!("{} {}", c.as_str(), c.name())).collect();
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

pub type SsoResult<T> = Result<T, SsoError>;
