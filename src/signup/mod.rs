//! Self-service sign-up (spec §3.2, with the built-in validator V1–V12) and its confirmation
//! (§3.3).

use serde_json::{json, Map, Value};

use crate::audit::Audit;
use crate::caller::Caller;
use crate::crypto::ids;
use crate::error::bad;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::{Request, Sso};
use crate::store::{digest, keys, Store};
use crate::user::create::Creation;
use crate::user::record::{SignUpStatus, BEFORE_CONFIRMATION};
use crate::user::write::Change;

/// The keys a sign-up context may hold; any other is refused.
pub const SIGNUP_KEYS: [&str; 5] = ["username", "email", "password", "app_list", "sign_up_status"];

/// The sign-up context, typed.
struct SignupCtx {
    username: String,
    email: String,
    password: String,
    app_list: Vec<String>,
    sign_up_status: String,
}

fn parse(ctx: &Map<String, Value>) -> SsoResult<SignupCtx> {
    if let Some(k) = ctx.keys().find(|k| !SIGNUP_KEYS.contains(&k.as_str())) {
        return Err(bad(format!("unknown key in the sign-up data: {}", crate::input::shown_key(k))));
    }
    let text = |k: &str| -> SsoResult<String> {
        match ctx.get(k) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(bad(format!("{k} must be a string"))),
        }
    };
    let app_list = match ctx.get("app_list") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) if a.len() <= 100 => {
            a.iter().map(|v| v.as_str().map(str::to_string).ok_or_else(|| bad("app_list must be a list of strings"))).collect::<SsoResult<_>>()?
        }
        Some(_) => return Err(bad("app_list must be a list of at most 100 strings")),
    };
    let sign_up_status = text("sign_up_status")?;
    Ok(SignupCtx {
        username: text("username")?,
        email: text("email")?,
        password: text("password")?,
        app_list,
        sign_up_status: if sign_up_status.is_empty() { BEFORE_CONFIRMATION.into() } else { sign_up_status },
    })
}

fn reserved(list: &[String], value: &str) -> bool {
    // Spec §10 O-20: both sides lower-cased; the value in its comparison form (full-width
    // letters folded), so that a look-alike of a reserved word is caught too.
    let v = crate::username::comparable(value).to_lowercase();
    list.iter().any(|w| !w.is_empty() && v.contains(w.as_str()))
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Resolves the confirm token (the only time it is ever shown).
    pub async fn signup(&self, caller: &Caller<'_>, ctx: &Map<String, Value>) -> SsoResult<String> {
        let req = self.request(caller)?;
        self.audit(&req, "user.signup", None, vec![]).await?;
        if !self.config.apps.all.contains(&req.current_app) {
            return Err(SsoError::hidden(Code::AppListInvalid, "current_app is not a known application"));
        }
        let c = parse(ctx)?;
        let token = ids::secret(192).map_err(|_| SsoError::internal("no randomness available"))?;
        // Spec §3.2: the built-in validator lists a code only where its reveal flag is on; with
        // the flag off its list is empty, which the transport answers as E005001. So a withheld
        // code is E005001 here too (hidden), the reason only in the detail.
        let email_claim = self.validate_signup(&req, &c).await.map_err(|e| {
            if e.reveal || e.is_host_failure() {
                e
            } else {
                SsoError::hidden(Code::AuthNotAllowed, e.detail)
            }
        })?;
        let public_ctx = json!({
            "username": c.username, "email": c.email, "app_list": c.app_list, "current_app": req.current_app,
        });
        if let Some(verdict) =
            self.hooks.validate_signup(&public_ctx).await.map_err(|e| SsoError::internal(format!("the sign-up validator failed: {}", e.0)))?
        {
            if !verdict.is_valid {
                let codes: Vec<Code> = verdict.sub_status.iter().filter_map(|s| code_from_str(s)).collect();
                return Err(SsoError::many(
                    if codes.is_empty() { vec![Code::AuthNotAllowed] } else { codes },
                    false,
                    "the sign-up validator refused",
                ));
            }
        }
        let mut data = Map::new();
        data.insert("username".into(), Value::String(c.username.clone()));
        data.insert("password".into(), Value::String(c.password.clone()));
        if !c.email.is_empty() {
            data.insert("email".into(), Value::String(c.email.clone()));
        }
        data.insert("sign_up_status".into(), Value::String(c.sign_up_status.clone()));
        let creation = Creation {
            creator: "auto",
            is_super_user: false,
            auto_approve: false,
            confirm_token: Some(token.clone()),
            token_handed_out: true,
            email_claim,
        };
        let user_id = self.create_user_record(&req, &mut data, creation).await.map_err(|e| {
            if e.reveal || e.is_host_failure() {
                e
            } else {
                SsoError::hidden(Code::AuthNotAllowed, e.detail)
            }
        })?;
        // Spec §10 O-56: callbacks never see the password.
        let mut callback_ctx = public_ctx;
        if let Some(m) = callback_ctx.as_object_mut() {
            m.insert("user_id".into(), Value::String(user_id));
            m.insert("confirm_token".into(), Value::String(token.clone()));
        }
        if let Err(e) = self.hooks.signup_callback(&callback_ctx).await {
            // The user exists: a failed notification is recorded, not turned into a failure.
            self.audit_result(&req, "user.signup_callback", "error", vec![("error", Value::String(e.0.chars().take(160).collect()))]).await?;
        }
        Ok(token)
    }

    /// The built-in validator, V1–V12 in order; each code revealed per its config flag.
    /// Returns the email's claim as read (see `Creation::email_claim`).
    async fn validate_signup(&self, req: &Request, c: &SignupCtx) -> SsoResult<Option<(String, Option<String>)>> {
        let s = &self.config.signup;
        let user_exists = !c.username.is_empty() && self.find_user_by_username(&c.username).await?.is_some();
        let email_claim = match self.email_digests(&c.email).first() {
            Some(d) if !c.email.is_empty() => {
                let key = keys::email_claim(d);
                let raw = self.get_raw(&key).await?;
                Some((key, raw))
            }
            _ => None,
        };
        // A claim whose owner no longer has the email is taken over (under a check of its
        // value); the email links say who has it now.
        let email_exists = !c.email.is_empty() && !self.user_ids_by_email(&c.email).await?.is_empty();
        // Every check runs, and the answer is the union of the codes whose reveal flag is on
        // (Zato's validator): so a request that fails anyway gets the same answer whether or not
        // its name or email is registered. Nothing failed visibly but something did: E005001.
        let mut failed: Vec<(Code, bool)> = Vec::new();
        if user_exists {
            failed.push((Code::UsernameExists, s.inform_if_user_exists));
        }
        if email_exists {
            failed.push((Code::EmailExists, s.inform_if_email_exists));
        }
        if c.username.chars().count() > s.max_length_username {
            failed.push((Code::UsernameTooLong, s.inform_if_user_invalid));
        }
        if c.username.chars().any(char::is_whitespace) {
            failed.push((Code::UsernameHasWhitespace, s.inform_if_user_invalid));
        }
        // Look-alike characters, or a reserved word (in the folded form).
        if crate::username::prepare(&c.username).is_err() || reserved(&self.config.user_validation.reject_username, &c.username) {
            failed.push((Code::UsernameInvalid, s.inform_if_user_invalid));
        }
        if let Err(e) = self.check_new_password(&c.password).await {
            if e.is_host_failure() {
                return Err(e);
            }
            failed.extend(e.sub_status.iter().map(|code| (*code, e.reveal)));
        }
        // Zato checks presence only where emails are stored in clear; it never fires there
        // (spec §10 O-19), and sign-ups without an email must keep working by default.
        if c.email.is_empty() && s.is_email_required && !self.config.main.encrypt_email {
            failed.push((Code::EmailMissing, s.inform_if_email_invalid));
        }
        if !c.email.is_empty() {
            if c.email.chars().count() > s.max_length_email {
                failed.push((Code::EmailTooLong, s.inform_if_email_invalid));
            }
            if c.email.chars().any(char::is_whitespace) {
                failed.push((Code::EmailHasWhitespace, s.inform_if_email_invalid));
            }
            if reserved(&self.config.user_validation.reject_email, &c.email) {
                failed.push((Code::EmailInvalid, s.inform_if_email_invalid));
            }
        }
        // V12 (spec §10 O-18, decided): run, with an empty apps.signup_allowed allowing all.
        if c.app_list.iter().any(|a| !self.config.apps.all.contains(a)) {
            failed.push((Code::AppListInvalid, s.inform_if_app_invalid));
        }
        if !self.config.apps.signup_allowed.is_empty() && !self.config.apps.signup_allowed.contains(&req.current_app) {
            failed.push((Code::AppListNoSignup, s.inform_if_app_invalid));
        }
        if !failed.is_empty() {
            // The reasons stay in the detail, for the host's logs (never shown over REST).
            let detail = format!("the sign-up was refused: {}", failed.iter().map(|(code, _)| code.name()).collect::<Vec<_>>().join(", "));
            let shown: Vec<Code> = failed.iter().filter(|(_, reveal)| *reveal).map(|(code, _)| *code).collect();
            return Err(if shown.is_empty() { SsoError::hidden(Code::AuthNotAllowed, detail) } else { SsoError::many(shown, true, detail) });
        }
        Ok(email_claim)
    }

    /// Spec §3.3: confirm tokens do not expire; confirming does not approve.
    pub async fn confirm_signup(&self, caller: &Caller<'_>, confirm_token: &str) -> SsoResult<()> {
        let req = self.request(caller)?;
        self.audit(&req, "user.confirm_signup", None, vec![]).await?;
        if !self.config.apps.all.contains(&req.current_app) {
            return Err(SsoError::hidden(Code::AppListInvalid, "current_app is not a known application"));
        }
        let no_token = || SsoError::hidden(Code::AuthNoSuchSignUpToken, "no such sign-up token");
        if confirm_token.is_empty() || confirm_token.len() > 1024 {
            return Err(no_token());
        }
        // Consumed atomically: the confirmation is a write conditional on the record as read
        // (still before confirmation), so of concurrent confirmations exactly one succeeds.
        // The token's key stays, so that a second use is E005007, not an unknown token.
        let token_key = keys::confirm_token(confirm_token);
        let token_raw = self.get_raw(&token_key).await?.ok_or_else(no_token)?;
        let user_id = token_raw.clone();
        let first = self.load_user_versioned(&user_id).await?;
        let confirmed = self
            .modify_user(
                &user_id,
                crate::user::write::Writer::System,
                first,
                |old| {
                    if old.sign_up_confirm_token_digest != digest("confirm", confirm_token) {
                        return Err(no_token());
                    }
                    if old.sign_up_status != SignUpStatus::BeforeConfirmation {
                        return Err(SsoError::hidden(Code::AuthSignUpConfirmed, "the sign-up is already confirmed"));
                    }
                    let mut user = old.clone();
                    user.sign_up_status = SignUpStatus::Final;
                    user.sign_up_confirm_time = Some(req.now);
                    Ok(Change::Write(user))
                },
                |commit, _, _| {
                    commit.check(token_key.clone(), Some(&token_raw));
                    Ok(())
                },
            )
            .await;
        match confirmed {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(no_token()),
            Err(e) => Err(e),
        }
    }
}

/// A code a host validator returned, if it is one of ours.
pub fn code_from_str(s: &str) -> Option<Code> {
    crate::error::Code::parse(s)
}
