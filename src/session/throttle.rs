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
use crate::sso::{encode, gave_up, Request, Sso, MAX_ATTEMPTS};
use crate::store::{digest, join_all, Commit, Store};

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

/// The address a throttle counts: IPv4 as it is, IPv6 by its /64 (one subscriber's prefix:
/// counting /128s would give one attacker 2^64 fresh addresses). An IPv4-mapped address
/// counts as the IPv4 one.
pub(crate) fn address_of(req: &Request) -> String {
    match req.remote_addr.first() {
        None => "none".into(),
        Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:04x}:{:04x}:{:04x}:{:04x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        Some(ip) => net::exploded(ip),
    }
}

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Password attempts of one username from one address.
    Pair,
    /// Password attempts from one address.
    Addr,
    /// Password attempts of one username (skipped for a client with a device token).
    User,
    /// TOTP codes checked for one username, wherever (login, `validateCode`, reset).
    TotpUser,
    /// TOTP codes checked from one address.
    TotpAddr,
}

impl Slot {
    pub(crate) fn is_totp(self) -> bool {
        matches!(self, Slot::TotpUser | Slot::TotpAddr)
    }
}

/// An attempt's hold on its counters: what it wrote when it counted itself, so that a success
/// (or an attempt that never reached its check) can be given back with a write conditional
/// on that.
pub(crate) struct Attempt {
    /// (key, text written, slot); empty when throttling is off.
    written: Vec<(String, String, Slot)>,
    /// The user's failures reached `lock_user_after` with this attempt: lock if it fails.
    pub lock_if_failed: bool,
}

impl<S: Store, A: Audit, H: Hooks> Sso<S, A, H> {
    /// The counters of an attempt by `username`: the password's (pair, address and, unless
    /// `skip_user`, user) and, with `totp`, the TOTP code's (user and address).
    pub(crate) fn throttle_slots(&self, req: &Request, username: &str, password: bool, skip_user: bool, totp: bool) -> Vec<(String, u32, Slot)> {
        let t = &self.config.throttle;
        let addr = address_of(req);
        // Case and width variants of a name share its counters.
        let username = &crate::username::comparable(username);
        let mut slots = Vec::new();
        if password {
            slots.push((format!("sso/throttle/pair/{}", digest("throttle-pair", &format!("{username}\u{0}{addr}"))), t.per_user_address, Slot::Pair));
            slots.push((format!("sso/throttle/addr/{}", digest("throttle-addr", &addr)), t.per_address, Slot::Addr));
            if !skip_user {
                slots.push((format!("sso/throttle/user/{}", digest("throttle-user", username)), t.per_user, Slot::User));
            }
        }
        if totp {
            slots.push((format!("sso/throttle/totp-user/{}", digest("throttle-totp-user", username)), t.totp_per_user, Slot::TotpUser));
            slots.push((format!("sso/throttle/totp-addr/{}", digest("throttle-totp-addr", &addr)), t.totp_per_address, Slot::TotpAddr));
        }
        slots
    }

    /// The keys of `slots`, to read in a batch.
    pub(crate) fn slot_keys(slots: &[(String, u32, Slot)]) -> Vec<String> {
        slots.iter().map(|(k, _, _)| k.clone()).collect()
    }

    /// Whether counters as read refuse an attempt now (the check before anything else).
    pub(crate) fn is_blocked(&self, req: &Request, raws: &[Option<String>]) -> bool {
        let now = req.now.and_utc().timestamp_millis();
        self.config.throttle.enabled
            && raws.iter().flatten().filter_map(|r| serde_json::from_str::<Counter>(r).ok()).any(|c| c.blocked_until_ms > now)
    }

    /// Counts an attempt **before** its check (password or TOTP code), so that N attempts in
    /// flight at once reach the check at most as often as the limits allow. Each counter is
    /// its own conditional write, all of them side by side: a counter never needs another's
    /// value, and on a partitioned store they may live apart. `first` holds the counters as
    /// just read (in the operation's first batch). `Ok(None)`: a counter is blocked, the
    /// attempt is refused (what it counted elsewhere is given back).
    pub(crate) async fn reserve_attempt(
        &self,
        req: &Request,
        slots: &[(String, u32, Slot)],
        first: Vec<Option<String>>,
    ) -> SsoResult<Option<Attempt>> {
        let t = &self.config.throttle;
        if !t.enabled || slots.is_empty() {
            return Ok(Some(Attempt { written: Vec::new(), lock_if_failed: false }));
        }
        let mut first = first.into_iter();
        let counted = join_all(slots.iter().map(|slot| self.count_one(req, slot, first.next().flatten())).collect()).await;
        let mut written = Vec::new();
        let mut blocked = false;
        let mut failure = None;
        let mut lock_if_failed = false;
        for (result, (key, _, slot)) in counted.into_iter().zip(slots.iter()) {
            match result {
                Ok(Some((text, lock))) => {
                    lock_if_failed |= lock;
                    written.push((key.clone(), text, *slot));
                }
                Ok(None) => blocked = true,
                Err(e) => failure = Some(e),
            }
        }
        let attempt = Attempt { written, lock_if_failed };
        if blocked || failure.is_some() {
            // Refused: what it counted elsewhere is taken back, never cleared (a pair's block
            // stays; clearing is a success's privilege).
            self.take_back(&attempt.written, false).await?;
            return match failure {
                Some(e) => Err(e),
                None => Ok(None),
            };
        }
        Ok(Some(attempt))
    }

    /// Reads the counters of `slots` and counts an attempt on them: the whole pre-check of an
    /// operation whose counters are not read in a batch of its own (login's are). `Ok(None)`:
    /// refused, a counter is blocked (nothing is written when one is blocked already).
    pub(crate) async fn count_attempt(&self, req: &Request, slots: &[(String, u32, Slot)]) -> SsoResult<Option<Attempt>> {
        let counters = self.get_many_raw(&Self::slot_keys(slots)).await?;
        if self.is_blocked(req, &counters) {
            return Ok(None);
        }
        self.reserve_attempt(req, slots, counters).await
    }

    /// One counter's share of `reserve_attempt`: the text written and whether the user's
    /// `lock_user_after` was reached, or None when the counter is blocked.
    async fn count_one(&self, req: &Request, (key, limit, slot): &(String, u32, Slot), first: Option<String>) -> SsoResult<Option<(String, bool)>> {
        let t = &self.config.throttle;
        let now = req.now.and_utc().timestamp_millis();
        let mut raw = first;
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                raw = self.get_raw(key).await?;
            }
            // A counter that does not parse is started afresh.
            let mut c: Counter = raw.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or_default();
            if c.blocked_until_ms > now {
                return Ok(None);
            }
            // Counters come from the store: saturating arithmetic, whatever values they hold.
            if now.saturating_sub(c.window_start_ms) > t.window.saturating_mul(1000) {
                c.failures = 0;
                c.window_start_ms = now;
            }
            c.failures = c.failures.saturating_add(1);
            c.total = c.total.saturating_add(1);
            if c.failures >= *limit {
                let exp = c.blocks.min(20);
                let secs = t.backoff.saturating_mul(1i64 << exp).min(t.max_backoff);
                c.blocks = c.blocks.saturating_add(1);
                c.blocked_until_ms = now.saturating_add(secs.saturating_mul(1000));
                c.failures = 0;
                c.window_start_ms = now;
            }
            let lock = *slot == Slot::User && t.lock_user_after > 0 && c.total >= t.lock_user_after;
            c.last_ms = now;
            let text = encode(&c)?;
            let mut commit = Commit::default();
            commit.check(key.clone(), raw.as_deref()).put(key.clone(), text.clone(), Some(counter_ttl(t)));
            if self.commit(&commit).await? {
                return Ok(Some((text, lock)));
            }
        }
        Err(gave_up("the throttle"))
    }

    /// Gives an attempt back on the counters `which` selects, each on its own: a pair's
    /// counter goes, the others lose the attempt they counted in advance.
    /// Only after the check passed: a pair's counter is cleared, block and all.
    pub(crate) async fn release_attempt(&self, attempt: &Attempt, which: impl Fn(Slot) -> bool) -> SsoResult<()> {
        let held: Vec<(String, String, Slot)> = attempt.written.iter().filter(|(_, _, slot)| which(*slot)).cloned().collect();
        self.take_back(&held, true).await
    }

    /// Takes an attempt off its counters, each on its own; `succeeded` clears a pair's counter.
    async fn take_back(&self, held: &[(String, String, Slot)], succeeded: bool) -> SsoResult<()> {
        let done = join_all(held.iter().map(|(key, text, slot)| self.release_one(key, text, *slot == Slot::Pair && succeeded)).collect()).await;
        done.into_iter().collect::<SsoResult<Vec<()>>>().map(|_| ())
    }

    async fn release_one(&self, key: &str, written: &str, clear: bool) -> SsoResult<()> {
        let mut raw = Some(written.to_string());
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                raw = self.get_raw(key).await?;
            }
            let mut commit = Commit::default();
            commit.check(key, raw.as_deref());
            if clear {
                commit.delete(key);
            } else {
                let Some(mut c) = raw.as_deref().and_then(|r| serde_json::from_str::<Counter>(r).ok()) else { return Ok(()) };
                c.failures = c.failures.saturating_sub(1);
                c.total = c.total.saturating_sub(1);
                if c.failures == 0 && c.total == 0 && c.blocks == 0 {
                    // Nothing left to remember: no counter, as before the attempt.
                    commit.delete(key);
                } else {
                    commit.put(key, encode(&c)?, Some(counter_ttl(&self.config.throttle)));
                }
            }
            if self.commit(&commit).await? {
                return Ok(());
            }
        }
        Err(gave_up("the throttle"))
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
}
