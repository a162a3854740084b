//! Optional host callbacks where Zato calls a service: the session expiry hook (§4.4), the
//! sign-up validator and callbacks (§3.2), and password-reset delivery (§3.16).

use serde_json::Value;

/// A host callback failed; the text is its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookError(pub String);

/// A host validator's verdict on a sign-up (spec §3.2 step 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupVerdict {
    /// True: the sign-up may go on.
    pub is_valid: bool,
    /// Codes to report when invalid; empty means "not allowed" without detail.
    pub sub_status: Vec<String>,
}

/// Host callbacks (see the module docs); each method's default is "no such hook".
#[allow(async_fn_in_trait)]
pub trait Hooks {
    /// Session lifetime in minutes for `{ current_app, username, default_expiry }`; None keeps
    /// the default (also when the hook fails).
    async fn session_expiry(&self, _ctx: &Value) -> Option<i64> {
        None
    }
    /// A host sign-up validator, run after the built-in one. None: there is none.
    async fn validate_signup(&self, _ctx: &Value) -> Result<Option<SignupVerdict>, HookError> {
        Ok(None)
    }
    /// Called after a successful sign-up, with the context minus the password.
    async fn signup_callback(&self, _ctx: &Value) -> Result<(), HookError> {
        Ok(())
    }
    /// A host check of a new password (e.g. a k-anonymity breach lookup): false refuses it.
    async fn password_check(&self, _password: &str) -> Result<bool, HookError> {
        Ok(true)
    }
    /// Delivers a password-reset message. `Ok(false)`: there is no delivery hook.
    async fn send_password_reset(&self, _msg: &Value) -> Result<bool, HookError> {
        Ok(false)
    }
}

/// No host callbacks.
pub struct NoHooks;

impl Hooks for NoHooks {}
