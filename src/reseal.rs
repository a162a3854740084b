//! Key rotation: with `secretKey` a list (newest first) new values are sealed with the newest
//! key and old ones still open. `reseal` moves what is stored to the newest key, so that the
//! old key can then be removed (USTs held by clients cannot be re-sealed: they stop working
//! when their key is removed, which ends those sessions).

use serde::Serialize;

use crate::audit::Audit;
use crate::crypto::seal::KeyRing;
use crate::error::{SsoError, SsoResult};
use crate::hooks::Hooks;
use crate::sso::Sso;
use crate::store::{keys, Store};
use crate::user::record::{purpose, UserRecord};

/// What `reseal` moved to the newest key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResealReport {
    /// User records that were rewritten.
    pub users: u64,
    /// Sealed values re-sealed (passwords, emails, TOTP keys and labels).
    pub values: u64,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// Re-seals a value under the newest key when another key sealed it.
    fn reseal_value(&self, purpose: &str, sealed: &str, count: &mut u64) -> SsoResult<String> {
        if KeyRing::kid_of(sealed) == Some(self.keys.newest_kid()) {
            return Ok(sealed.to_string());
        }
        let plain = self.keys.open(purpose, sealed).map_err(|_| SsoError::internal("a stored value does not open with any key"))?;
        *count += 1;
        self.keys.seal(purpose, &plain).map_err(|_| SsoError::internal("a value could not be sealed"))
    }

    /// Trusted: re-seals every user's sealed fields (password hash, email, TOTP key and label)
    /// and encrypted attributes, and writes their email lookups under the newest key.
    pub async fn reseal(&self) -> SsoResult<ResealReport> {
        let req = self.internal_request(Some("reseal"), "")?;
        self.audit(&req, "admin.reseal", None, vec![]).await?;
        let mut report = ResealReport::default();
        for key in self.list_all(keys::USER_PREFIX).await? {
            let Some(old) = self.get_record::<UserRecord>(&key).await? else { continue };
            let mut user = old.clone();
            let before = report.values;
            if user.password_sealed {
                user.password = self.reseal_value(purpose::PASSWORD, &user.password, &mut report.values)?;
            }
            if let (Some(email), true) = (&user.email, user.email_sealed) {
                user.email = Some(self.reseal_value(purpose::EMAIL, email, &mut report.values)?);
            }
            user.totp_key = self.reseal_value(purpose::TOTP_KEY, &user.totp_key, &mut report.values)?;
            user.totp_label = self.reseal_value(purpose::TOTP_LABEL, &user.totp_label, &mut report.values)?;
            if report.values > before {
                self.put_user(&user).await?;
                report.users += 1;
            }
            // The email lookup under the newest key (relink writes it when it differs).
            if let Some(email) = user.open_email(&self.keys).filter(|e| !e.is_empty()) {
                if let Some(newest) = self.email_digests(&email).first() {
                    self.put_raw(&keys::email(newest, &user.user_id), "", None).await?;
                }
            }
        }
        report.values += self.reseal_attrs().await?;
        Ok(report)
    }
}
