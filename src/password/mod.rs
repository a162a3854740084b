//! Password policy (spec §5) and the password fields of a user record (§3.11).

pub mod change;

use crate::config::Config;
use crate::error::{Code, SsoError, SsoResult};

/// Checks P2–P4 in order (P1, zxcvbn, is refused at configuration time: see config).
/// Lengths are counted in Unicode code points; the reject list matches lower-cased substrings.
pub fn validate_password(config: &Config, password: &str) -> SsoResult<()> {
    let reveal = config.password.inform_if_invalid;
    // Count at most max_length + 1 characters: a 10 MB password costs no more than a long one.
    let max = config.password.max_length;
    let len = password.chars().take(max.saturating_add(1).max(config.password.min_length)).count();
    if len < config.password.min_length {
        return Err(SsoError::new(Code::PasswordTooShort, reveal, format!("the password is shorter than {} characters", config.password.min_length)));
    }
    if len > max {
        return Err(SsoError::new(Code::PasswordTooLong, reveal, format!("the password is longer than {max} characters")));
    }
    let lower = password.to_lowercase();
    if config.password.reject_list.iter().any(|entry| !entry.is_empty() && lower.contains(entry.as_str())) {
        return Err(SsoError::new(Code::PasswordInvalid, reveal, "the password contains a word from the reject list"));
    }
    if config.password.common_list && common_passwords().contains(lower.as_str()) {
        return Err(SsoError::new(Code::PasswordInvalid, reveal, "the password is one of the most common passwords"));
    }
    Ok(())
}

/// The 3,000 most common passwords (tools/gen-common-passwords.mjs), front-coded: each line
/// is one character ('0' + n) for the prefix shared with the previous line, then the rest.
static COMMON_PASSWORDS: &str = include_str!("common_passwords.fc");

fn common_passwords() -> &'static std::collections::BTreeSet<String> {
    static SET: std::sync::OnceLock<std::collections::BTreeSet<String>> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let mut set = std::collections::BTreeSet::new();
        let mut prev = String::new();
        for line in COMMON_PASSWORDS.lines() {
            let mut chars = line.chars();
            let shared = chars.next().map(|c| (c as usize).saturating_sub('0' as usize)).unwrap_or(0);
            let mut word: String = prev.chars().take(shared).collect();
            word.push_str(chars.as_str());
            set.insert(word.clone());
            prev = word;
        }
        set
    })
}

use crate::audit::Audit;
use crate::crypto::password::{self as pw, Verification};
use crate::hooks::Hooks;
use crate::sso::Sso;
use crate::store::Store;
use crate::time::{self, Timestamp};
use crate::user::record::{purpose, UserRecord};

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Argon2id PHC string of `password`, sealed when `main.encrypt_password`. Returns the
    /// stored form and whether it is sealed.
    pub(crate) fn seal_password_hash(&self, password: &str) -> SsoResult<(String, bool)> {
        let phc = pw::hash_password(password, &self.argon2).map_err(|_| SsoError::internal("the password could not be hashed"))?;
        if self.config.main.encrypt_password {
            let sealed =
                self.keys.seal(purpose::PASSWORD, phc.as_bytes()).map_err(|_| SsoError::internal("the password hash could not be sealed"))?;
            Ok((sealed, true))
        } else {
            Ok((phc, false))
        }
    }

    /// A stored hash that cannot be opened or parsed matches nothing.
    pub(crate) fn verify_user_password(&self, user: &UserRecord, password: &str) -> Verification {
        let phc = if user.password_sealed {
            match self.keys.open_string(purpose::PASSWORD, &user.password) {
                Ok(p) => p,
                Err(_) => return Verification::Mismatch,
            }
        } else {
            user.password.clone()
        };
        pw::verify_password(password, &phc, &self.argon2).unwrap_or(Verification::Mismatch)
    }

    /// The policy, then the host's `passwordCheck` hook (a breached-password lookup, say).
    pub(crate) async fn check_new_password(&self, password: &str) -> SsoResult<()> {
        validate_password(&self.config, password)?;
        match self.hooks.password_check(password).await {
            Ok(true) => Ok(()),
            Ok(false) => {
                Err(SsoError::new(Code::PasswordInvalid, self.config.password.inform_if_invalid, "the password was refused by the password check"))
            }
            Err(e) => Err(SsoError::internal(format!("the password check failed: {}", e.0.chars().take(120).collect::<String>()))),
        }
    }

    /// A new password's hash on a record: `password_is_set`, `password_last_set`,
    /// `password_expiry = now + days` (the configured default when `expiry_days` is None),
    /// `password_must_change` when given, and a new security stamp, which ends every session
    /// made before (OWASP ASVS 7.4.3). The caller persists.
    pub(crate) fn set_password_hash(
        &self,
        user: &mut UserRecord,
        (stored, sealed): (String, bool),
        must_change: Option<bool>,
        expiry_days: Option<i64>,
        now: &Timestamp,
    ) -> SsoResult<()> {
        user.password = stored;
        user.password_sealed = sealed;
        user.password_is_set = true;
        user.password_last_set = *now;
        user.password_expiry = time::add_days(now, expiry_days.unwrap_or(self.config.password.expiry));
        if let Some(must_change) = must_change {
            user.password_must_change = must_change;
        }
        user.stamp = crate::user::write::new_stamp()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_list_decodes_and_refuses_exact_matches_only() {
        let set = common_passwords();
        assert!(set.len() > 2950, "{}", set.len());
        for common in ["123456", "password", "dragon", "qwertyuiop", "1qaz2wsx"] {
            assert!(set.contains(common), "{common}");
        }
        let mut c = Config::default();
        c.password.reject_list.clear();
        c.password.common_list = true;
        assert_eq!(validate_password(&c, "Baseball").unwrap_err().sub_status, vec![Code::PasswordInvalid]);
        assert!(validate_password(&c, "baseball and a long tail").is_ok());
    }

    #[test]
    fn policy_checks_run_in_spec_order() {
        let mut c = Config::default();
        assert!(validate_password(&c, "correct horse").is_ok());
        // P2 before P4: "qwerty" is both too short and on the reject list.
        assert_eq!(validate_password(&c, "qwerty").unwrap_err().sub_status, vec![Code::PasswordTooShort]);
        assert_eq!(validate_password(&c, &"x".repeat(257)).unwrap_err().sub_status, vec![Code::PasswordTooLong]);
        assert_eq!(validate_password(&c, "MyPassword99").unwrap_err().sub_status, vec![Code::PasswordInvalid]);
        // Code points, not bytes: eight 4-byte characters are eight characters.
        assert!(validate_password(&c, "🔑🔑🔑🔑🔑🔑🔑🔑").is_ok());
        c.password.inform_if_invalid = false;
        assert!(!validate_password(&c, "short").unwrap_err().reveal);
    }
}
