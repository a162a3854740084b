//! Creating users: `create_user` and `create_super_user` (spec §3.1, §2.1, §2.4, §2.5, §8.4).

use serde_json::{Map, Value};

use crate::audit::Audit;
use crate::caller::SessionCaller;
use crate::crypto::{ids, totp};
use crate::error::bad;
use crate::error::{Code, SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::search::search_fold;
use crate::sso::{encode, Request, Sso};
use crate::store::{digest, keys, Commit, Store};
use crate::time::{self, Timestamp};
pub use crate::user::create_data::CREATE_KEYS;
use crate::user::create_data::{CreateUser, CreatedUser};
use crate::user::read::UsernameClaim;
use crate::user::record::{self, purpose, ApprovalStatus, SignUpStatus, UserRecord, DEFAULT_LABEL, FINAL};

/// `create_user`'s keyword arguments.
#[derive(Debug, Clone, Copy, Default)]
pub struct CreateOptions {
    /// Approve the user at once instead of following `signup.is_approval_needed`.
    pub auto_approve: bool,
}

/// Longest name, label or rate-limit string accepted.
pub const MAX_TEXT: usize = 1024;
/// Longest user id a caller may supply (Zato's column width).
pub const MAX_USER_ID: usize = 191;
/// A claim on a username whose user never appeared is taken back after this long.
const STALE_CLAIM_MS: i64 = 60_000;

/// Who is creating the user and how (spec §3.1 keyword arguments).
pub(crate) struct Creation<'a> {
    pub creator: &'a str,
    pub is_super_user: bool,
    pub auto_approve: bool,
    /// The sign-up confirm token to store (its digest); generated when None.
    pub confirm_token: Option<String>,
    /// The token goes back to the caller (sign-up): `confirmSignup` must find it whatever the
    /// sign-up status, so that a final one is E005007, not an unknown token.
    pub token_handed_out: bool,
    /// Sign-up only: the email's claim key and its value as the validator read it. The
    /// creation checks it is unchanged and takes it, so that of simultaneous sign-ups with
    /// one email exactly one succeeds.
    pub email_claim: Option<(String, Option<String>)>,
}

fn non_empty(s: &str) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

/// The search copy of a name (Zato's upper-case copy; see `search_fold`).
pub(crate) fn fold(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|s| !s.is_empty()).map(|s| search_fold(s))
}

/// Username rules applied to every creation (spec §10 O-21, decided: length and whitespace,
/// revealed; reserved words are a sign-up rule only, so an administrator may create `admin`).
pub(crate) fn check_username_syntax(config: &crate::config::Config, username: &str) -> SsoResult<()> {
    if username.chars().count() > config.signup.max_length_username {
        return Err(SsoError::shown(Code::UsernameTooLong, format!("the username is longer than {} characters", config.signup.max_length_username)));
    }
    let prepared = crate::username::prepare(username).map_err(|d| {
        SsoError::shown(Code::UsernameInvalid, format!("the username contains a control, invisible or look-alike character (U+{:04X})", d.0 as u32))
    })?;
    if prepared.chars().any(char::is_whitespace) {
        return Err(SsoError::shown(Code::UsernameHasWhitespace, "the username contains whitespace"));
    }
    Ok(())
}

/// Email rules applied to every creation (spec §10 O-21): length and whitespace, revealed.
pub(crate) fn check_email_syntax(config: &crate::config::Config, email: &str) -> SsoResult<()> {
    if email.chars().count() > config.signup.max_length_email {
        return Err(SsoError::shown(Code::EmailTooLong, format!("the email is longer than {} characters", config.signup.max_length_email)));
    }
    if email.chars().any(char::is_whitespace) {
        return Err(SsoError::shown(Code::EmailHasWhitespace, "the email contains whitespace"));
    }
    Ok(())
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Spec §3.1: a super-user creates a regular user. `data` is enriched in place on success
    /// (and `password` removed from it); on failure it is left as it was.
    pub async fn create_user(&self, caller: &SessionCaller<'_>, data: &mut Map<String, Value>, opts: CreateOptions) -> SsoResult<()> {
        let req = self.request(&caller.origin())?;
        self.audit(&req, "user.create_user", None, vec![]).await?;
        let current = self.resolve_session(&req, caller.ust, true).await?;
        let creation = Creation {
            creator: &current.user.user_id,
            is_super_user: false,
            auto_approve: opts.auto_approve,
            confirm_token: None,
            token_handed_out: false,
            email_claim: None,
        };
        self.create_user_record(&req, data, creation).await.map(|_| ())
    }

    /// The trusted bootstrap with the CLI's semantics (spec §8.4): no UST, auto-approved,
    /// sign-up final, creator `auto`. Returns the new user_id; `data` is enriched as above.
    pub async fn create_super_user(&self, cid: Option<&str>, data: &mut Map<String, Value>) -> SsoResult<String> {
        let req = self.internal_request(cid, "zato-cli")?;
        self.audit(&req, "user.create_super_user", None, vec![]).await?;
        self.create_trusted(&req, data, true).await
    }

    /// The creation of the CLI's `create-user` / `create-super-user`, once the call is audited:
    /// sign-up final, auto-approved, creator `auto`, confirm token `cli.<secret>`.
    pub(crate) async fn create_trusted(&self, req: &Request, data: &mut Map<String, Value>, is_super_user: bool) -> SsoResult<String> {
        data.insert("sign_up_status".into(), Value::String(FINAL.into()));
        let token = ids::secret(256).map(|s| format!("cli.{s}")).map_err(|_| SsoError::internal("no randomness available"))?;
        let creation =
            Creation { creator: "auto", is_super_user, auto_approve: true, confirm_token: Some(token), token_handed_out: false, email_claim: None };
        let result = self.create_user_record(req, data, creation).await;
        if result.is_err() {
            data.remove("sign_up_status");
        }
        result
    }

    /// Steps 2–7 of spec §3.1, after the caller has been authorised.
    pub(crate) async fn create_user_record(&self, req: &Request, data: &mut Map<String, Value>, c: Creation<'_>) -> SsoResult<String> {
        // Types first: a wrong type is bad input whatever else is wrong.
        let input = CreateUser::parse(data)?;
        let (user_id, created) = self.create_from(req, input, c).await?;
        created.write_into(data);
        Ok(user_id)
    }

    /// Steps 2–7 of spec §3.1 on data whose types are checked; returns the new user's id and
    /// what the caller is told of it.
    async fn create_from(&self, req: &Request, input: CreateUser, c: Creation<'_>) -> SsoResult<(String, CreatedUser)> {
        let CreateUser {
            username,
            password,
            password_must_change: must_change,
            display_name,
            first_name,
            middle_name,
            last_name,
            email,
            is_locked,
            sign_up_status,
            is_totp_enabled,
            totp_key,
            totp_label,
            user_id,
            is_rate_limit_active,
            rate_limit_type,
            rate_limit_def,
            rate_limit_check_parent_def,
            creation_ctx,
        } = input;
        // Step 2
        let approval_status =
            if c.auto_approve || !self.config.signup.is_approval_needed { ApprovalStatus::Approved } else { ApprovalStatus::BeforeDecision };
        // Step 3
        if username.is_empty() {
            return Err(SsoError::shown(Code::UsernameInvalid, "a username is required"));
        }
        check_username_syntax(&self.config, &username)?;
        // Step 4: the name's claim (and a chosen user_id's record), in one round trip. The
        // creation's commit checks the claim again, which settles races.
        let mut batch = vec![keys::username(&username)];
        if let Some(id) = &user_id {
            batch.push(keys::user(id));
        }
        let mut read = self.get_many_raw(&batch).await?.into_iter();
        let claim_raw = read.next().flatten();
        let id_taken = read.next().flatten().is_some();
        let claim_raw = match claim_raw {
            None => None,
            Some(raw) if self.stale_claim(&username, &raw, &req.now).await? => Some(raw),
            Some(_) => return Err(SsoError::hidden(Code::UsernameExists, "the username is taken")),
        };
        // Step 5 (spec §10 O-21: the value is validated)
        let sign_up_status = match sign_up_status {
            None => SignUpStatus::Final,
            Some(s) => SignUpStatus::parse(&s).ok_or_else(|| bad("sign_up_status must be 'final' or 'before_confirmation'"))?,
        };
        // Step 6
        if let Some(e) = &email {
            check_email_syntax(&self.config, e)?;
        }
        let password = match password.filter(|p| !p.is_empty()) {
            Some(p) => {
                self.check_new_password(&p).await?;
                p
            }
            // Never shown to anyone: the account needs a password reset or set before use.
            None => ids::secret(192).map_err(|_| SsoError::internal("no randomness available"))?,
        };
        let totp_key = match totp_key {
            Some(k) => {
                // A key an authenticator cannot use would lock the user out.
                totp::totp_code(&k, 0).map_err(|_| bad("totp_key is not valid base-32"))?;
                k
            }
            None => ids::totp_key().map_err(|_| SsoError::internal("no randomness available"))?,
        };
        if id_taken {
            return Err(bad("a user with this user_id exists"));
        }
        let user_id = match user_id {
            Some(id) => id,
            None => ids::new_user_id().map_err(|_| SsoError::internal("no randomness available"))?,
        };
        let token_handed_out = c.token_handed_out;
        let confirm_token = match c.confirm_token {
            Some(t) => t,
            None => ids::secret(192).map_err(|_| SsoError::internal("no randomness available"))?,
        };

        // Spec §2.5: strip, derive display_name, null empty names, upper-case copies
        // (of the final display_name too: spec §10 O-8).
        let strip = |s: &Option<String>| s.as_deref().unwrap_or("").trim().to_string();
        let (first, middle, last) = (strip(&first_name), strip(&middle_name), strip(&last_name));
        let mut display = strip(&display_name);
        if display.is_empty() {
            display = [&first, &middle, &last].iter().filter(|s| !s.is_empty()).map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
        }
        let (first, middle, last) = (non_empty(&first), non_empty(&middle), non_empty(&last));

        let now = req.now;
        let (password_hash, password_sealed) = self.seal_password_hash(&password)?;
        let seal = |purpose: &str, v: &str| self.keys.seal(purpose, v.as_bytes()).map_err(|_| SsoError::internal("a value could not be sealed"));
        let label = totp_label.clone().unwrap_or_else(|| DEFAULT_LABEL.to_string());
        let (email_stored, email_sealed) = match &email {
            Some(e) if self.config.main.encrypt_email => (Some(seal(purpose::EMAIL, e)?), true),
            other => (other.clone(), false),
        };
        let user = UserRecord {
            user_id: user_id.clone(),
            username: username.clone(),
            password: password_hash,
            password_sealed,
            password_is_set: true,
            password_last_set: now,
            password_expiry: time::add_days(&now, self.config.password.expiry),
            password_must_change: must_change,
            email: email_stored,
            email_sealed,
            display_name_fold: fold(&Some(display.clone())),
            display_name: Some(display.clone()),
            first_name_fold: fold(&first),
            middle_name_fold: fold(&middle),
            last_name_fold: fold(&last),
            first_name: first.clone(),
            middle_name: middle.clone(),
            last_name: last.clone(),
            is_active: true,
            is_internal: false,
            is_super_user: c.is_super_user,
            is_locked,
            locked_time: None,
            locked_by: None,
            approval_status,
            approval_status_mod_time: now,
            approval_status_mod_by: c.creator.to_string(),
            approv_rej_time: None,
            approv_rej_by: None,
            sign_up_status,
            sign_up_time: now,
            sign_up_confirm_token_digest: digest("confirm", &confirm_token),
            sign_up_confirm_time: None,
            is_totp_enabled,
            totp_key: seal(purpose::TOTP_KEY, &totp_key)?,
            totp_label: seal(purpose::TOTP_LABEL, &label)?,
            creation_ctx,
            is_rate_limit_active,
            rate_limit_type: Some(rate_limit_type),
            rate_limit_def,
            rate_limit_check_parent_def,
            totp_last_step: None,
            stamp: crate::user::write::new_stamp()?,
            rev: 0,
            original_username: Some(username.clone()),
            imported: false,
        };

        // Step 7: claim the name, then write the record; undo the claim if the write fails,
        // so a failed create never leaves the name taken.
        // One commit: the user, its name's claim, its lookups and confirm token, all or nothing.
        let mut commit = Commit::default();
        let user_key = keys::user(&user_id);
        let claim_key = keys::username(&username);
        commit.check(user_key.clone(), None).put(user_key.clone(), encode(&user)?, None);
        commit.check(claim_key.clone(), claim_raw.as_deref());
        commit.put(claim_key, encode(&UsernameClaim { user_id: user_id.clone(), claimed_at_ms: now.and_utc().timestamp_millis() })?, None);
        if let Some((key, raw)) = &c.email_claim {
            commit.check(key.clone(), raw.as_deref()).put(key.clone(), user_id.clone(), None);
        }
        if sign_up_status == SignUpStatus::BeforeConfirmation || token_handed_out {
            commit.put(keys::confirm_token(&confirm_token), user_id.clone(), None);
        }
        if let Some(k) = self.email_link(&user) {
            commit.put(k, "", None);
        }
        for k in crate::search::index::index_keys(&user) {
            commit.put(k, "", None);
        }
        let mut created = false;
        for _ in 0..crate::sso::MAX_ATTEMPTS {
            if self.commit(&commit).await? {
                created = true;
                break;
            }
            // Who won: the name, the id, or (sign-up) the email. When none of them changed
            // (a backend may refuse a commit for a change that left the value as it was) the
            // same commit is tried again.
            let mut keys_now = vec![keys::username(&username), user_key.clone()];
            if let Some((key, _)) = &c.email_claim {
                keys_now.push(key.clone());
            }
            let now_raw = self.get_many_raw(&keys_now).await?;
            if now_raw.first().cloned().flatten() != claim_raw {
                return Err(SsoError::hidden(Code::UsernameExists, "the username is taken"));
            }
            if now_raw.get(1).is_some_and(Option::is_some) {
                return Err(bad("a user with this user_id exists"));
            }
            if let Some((_, seen)) = &c.email_claim {
                if now_raw.get(2).cloned().flatten() != *seen {
                    let s = &self.config.signup;
                    return Err(SsoError::new(Code::EmailExists, s.inform_if_email_exists, "the email is taken"));
                }
            }
        }
        if !created {
            return Err(crate::sso::gave_up("the username"));
        }

        let created = CreatedUser {
            user_id: user_id.clone(),
            username,
            display_name: display,
            first_name: first,
            middle_name: middle,
            last_name: last,
            is_locked,
            is_super_user: c.is_super_user,
            approval_status,
            approval_status_mod_time: time::format_zato(&now),
            approval_status_mod_by: c.creator.into(),
            password_last_set: time::format_zato(&user.password_last_set),
            password_must_change: must_change,
            password_expiry: time::format_zato(&user.password_expiry),
            sign_up_status,
            sign_up_time: time::format_zato(&now),
            is_totp_enabled,
            totp_label: totp_label.map(|l| record::shown_label(&l)).unwrap_or_default(),
        };
        Ok((user_id, created))
    }

    /// The user record is new by construction (a fresh random id); where the caller supplied
    /// the id, the atomic create also refuses to overwrite someone else's.
    /// A claim left behind by an interrupted create on a store without atomic commits: older
    /// than a minute and pointing at no user of that name.
    pub(crate) async fn stale_claim(&self, username: &str, raw: &str, now: &Timestamp) -> SsoResult<bool> {
        let Ok(old) = serde_json::from_str::<UsernameClaim>(raw) else { return Ok(true) };
        Ok(now.and_utc().timestamp_millis().saturating_sub(old.claimed_at_ms) > STALE_CLAIM_MS
            && self.load_user(&old.user_id).await?.filter(|u| crate::username::same(&u.username, username)).is_none())
    }
}
