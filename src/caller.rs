//! Who calls an operation and from where: the context every client-facing operation takes,
//! instead of a positional `cid, …, ust, current_app, remote_addr` chain.
//!
//! Two types, so that a signature says whether an operation acts through a session:
//!
//! - [`Caller`]: the correlation id, the application and the client's addresses. Operations
//!   that need no session take it: login, sign-up and its confirmation, the password-reset
//!   steps, TOTP code validation, linked external sessions, the trusted `set_password`.
//! - [`SessionCaller`]: the same, with the UST of the caller's own session (Zato's
//!   `current_ust`). Every operation that resolves the caller's session first takes it.
//!
//! A UST an operation acts *on* (the target of `verify_session`, `get_session`, a session's
//! attributes) stays an argument of its own: only the caller's UST lives here, so the two can
//! no longer be swapped by position.
//!
//! Only the text as given is held; `Sso::request` checks it (cid length, app length, the
//! address list) before anything else runs, as it always has.

use std::fmt;

/// Where a request comes from, for operations that need no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller<'a> {
    /// The caller's correlation id; `None` (or empty) makes a new one (spec §1.5).
    pub cid: Option<&'a str>,
    /// The application the request comes from (Zato's `current_app`, spec §1.3).
    pub current_app: &'a str,
    /// The client's addresses as given: a comma-separated list, possibly empty (spec §1.4).
    pub remote_addr: &'a str,
}

impl<'a> Caller<'a> {
    /// The same caller, presenting the UST of its session.
    pub fn with_ust(self, ust: &'a str) -> SessionCaller<'a> {
        SessionCaller { cid: self.cid, ust, current_app: self.current_app, remote_addr: self.remote_addr }
    }
}

/// Where a request comes from and the session it acts through: for every operation that
/// resolves the caller's session (spec §3.0) before it does anything else.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SessionCaller<'a> {
    /// The caller's correlation id; `None` (or empty) makes a new one (spec §1.5).
    pub cid: Option<&'a str>,
    /// The UST of the caller's own session (Zato's `current_ust`, or `ust` where the caller
    /// acts on itself). A secret: `Debug` does not show it.
    pub ust: &'a str,
    /// The application the request comes from (Zato's `current_app`, spec §1.3).
    pub current_app: &'a str,
    /// The client's addresses as given: a comma-separated list, possibly empty (spec §1.4).
    pub remote_addr: &'a str,
}

impl<'a> SessionCaller<'a> {
    /// Where the request comes from, without the session.
    pub fn origin(&self) -> Caller<'a> {
        Caller { cid: self.cid, current_app: self.current_app, remote_addr: self.remote_addr }
    }
}

/// A UST is a working credential: Debug says whether one was given, never what it is.
impl fmt::Debug for SessionCaller<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCaller")
            .field("cid", &self.cid)
            .field("has_ust", &!self.ust.is_empty())
            .field("current_app", &self.current_app)
            .field("remote_addr", &self.remote_addr)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_ust() {
        let caller = Caller { cid: Some("c1"), current_app: "CRM", remote_addr: "10.0.0.1" }.with_ust("gAAAA-secret-ust");
        let shown = format!("{caller:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("has_ust: true") && shown.contains("CRM") && shown.contains("10.0.0.1") && shown.contains("c1"), "{shown}");
        assert_eq!(caller.origin(), Caller { cid: Some("c1"), current_app: "CRM", remote_addr: "10.0.0.1" });
    }
}
