//! Throttling of failed logins (OWASP ASVS 2.2.1 / 6.3.1, NIST SP 800-63B §5.2.2): counters in
//! the store per (username, address), per address and per username. Reaching a limit blocks
//! for `backoff` seconds, doubling with each further block. One address can only ever block
//! its own pair and itself, so an attacker cannot lock a user out from everywhere; a username
//! is blocked for all addresses only after `per_user` failures, and only for a while.

use serde::{Deserialize, Serialize};

use crate::audit::Audit;
use crate::error::SsoResult;
use crate::hooks::Hooks;
use crate::net;
use crate::sso::{Request, Sso};
use crate::store::{digest, Store};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Counter {
    failures: u32,
    window_start_ms: i64,
    blocked_until_ms: i64,
    blocks: u32,
    /// Failures since the record was created (for `lock_user_after`).
    total: u32,
    /// When the counter was last written: it lives `counter_ttl` seconds from then.
    #[serde(default)]
    last_ms: i64,
}

const THROTTLE_PREFIX: &str = "sso/throttle/";

/// Seconds a counter outlives its last failure (the store's TTL for it).
fn counter_ttl(t: &crate::config::ThrottleConfig) -> u64 {
    (t.window.max(t.max_backoff) as u64).saturating_add(60)
}

fn address_of(req: &Request) -> String {
    req.remote_addr.first().map(net::exploded).unwrap_or_else(|| "none".into())
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    fn throttle_keys(&self, req: &Request, username: &str) -> [(String, u32); 3] {
        let t = &self.config.throttle;
        let addr = address_of(req);
        [
            (format!("sso/throttle/pair/{}", digest("throttle-pair", &format!("{username}\u{0}{addr}"))), t.per_user_address),
            (format!("sso/throttle/addr/{}", digest("throttle-addr", &addr)), t.per_address),
            (format!("sso/throttle/user/{}", digest("throttle-user", username)), t.per_user),
        ]
    }

    /// Whether this attempt is refused before any password work.
    pub(crate) async fn login_blocked(&self, req: &Request, username: &str) -> SsoResult<bool> {
        if !self.config.throttle.enabled {
            return Ok(false);
        }
        let now = req.now.and_utc().timestamp_millis();
        for (key, _) in self.throttle_keys(req, username) {
            if let Ok(Some(c)) = self.get_record::<Counter>(&key).await {
                if c.blocked_until_ms > now {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Counts a failed attempt; returns true when the username reached `lock_user_after`.
    pub(crate) async fn login_failed(&self, req: &Request, username: &str) -> SsoResult<bool> {
        let t = &self.config.throttle;
        if !t.enabled {
            return Ok(false);
        }
        let now = req.now.and_utc().timestamp_millis();
        let ttl = counter_ttl(t);
        let mut lock = false;
        for (i, (key, limit)) in self.throttle_keys(req, username).into_iter().enumerate() {
            // A counter that does not parse is started afresh.
            let mut c: Counter = self.get_record(&key).await.ok().flatten().unwrap_or_default();
            // Counters come from the store: saturating arithmetic, whatever values they hold.
            if now.saturating_sub(c.window_start_ms) > t.window.saturating_mul(1000) {
                c.failures = 0;
                c.window_start_ms = now;
            }
            c.failures = c.failures.saturating_add(1);
            c.total = c.total.saturating_add(1);
            if c.failures >= limit && c.blocked_until_ms <= now {
                let exp = c.blocks.min(20);
                let secs = t.backoff.saturating_mul(1i64 << exp).min(t.max_backoff);
                c.blocks = c.blocks.saturating_add(1);
                c.blocked_until_ms = now.saturating_add(secs.saturating_mul(1000));
                c.failures = 0;
                c.window_start_ms = now;
            }
            if i == 2 && t.lock_user_after > 0 && c.total >= t.lock_user_after {
                lock = true;
            }
            c.last_ms = now;
            self.put_record(&key, &c, Some(ttl)).await?;
        }
        Ok(lock)
    }

    /// For `cleanup`, on stores without TTLs of their own: deletes the counters past their TTL
    /// (and any that do not parse). Returns how many went.
    pub(crate) async fn expire_throttle_counters(&self, now_ms: i64) -> SsoResult<u64> {
        let ttl_ms = i64::try_from(counter_ttl(&self.config.throttle)).unwrap_or(i64::MAX).saturating_mul(1000);
        let mut gone = 0;
        for key in self.list_all(THROTTLE_PREFIX).await? {
            let stale = match self.get_record::<Counter>(&key).await {
                Ok(Some(c)) => now_ms.saturating_sub(c.last_ms) > ttl_ms && c.blocked_until_ms <= now_ms,
                Ok(None) => false,
                Err(_) => true,
            };
            if stale {
                self.delete_key(&key).await?;
                gone += 1;
            }
        }
        Ok(gone)
    }

    /// A successful login clears its pair's counter (the others decay on their own).
    pub(crate) async fn login_succeeded(&self, req: &Request, username: &str) -> SsoResult<()> {
        if !self.config.throttle.enabled {
            return Ok(());
        }
        let [(pair, _), _, _] = self.throttle_keys(req, username);
        self.delete_key(&pair).await
    }
}
