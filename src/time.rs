//! Timestamps: naive UTC, written the way Python's `isoformat()` writes them (spec §0):
//! `YYYY-MM-DDTHH:MM:SS`, with `.ffffff` only when the microseconds are non-zero.

use chrono::{DateTime, NaiveDateTime, TimeDelta};

/// A UTC instant without a zone, as Zato stores it.
pub type Timestamp = NaiveDateTime;

/// The fields that hold a timestamp in results: the package turns them into `Date`s.
pub const TIME_FIELDS: &[&str] = &[
    "approval_status_mod_time",
    "last_login_time",
    "locked_time",
    "password_expiry",
    "password_last_set",
    "sign_up_time",
    "approv_rej_time",
    "creation_time",
    "expiration_time",
    "sign_up_confirm_time",
    "last_modified",
    "timestamp_utc",
];

/// The latest instant a record holds: Zato's text format has four-digit years, and a
/// timestamp it cannot write back would make its record unreadable.
pub fn latest() -> Timestamp {
    NaiveDateTime::new(
        chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDateTime::MAX.date()),
        chrono::NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap_or(NaiveDateTime::MAX.time()),
    )
}

/// The earliest such instant (year 1).
pub fn earliest() -> Timestamp {
    chrono::NaiveDate::from_ymd_opt(1, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or(NaiveDateTime::MIN)
}

/// Within the years Zato's format can write (1–9999).
fn clamp(t: Timestamp) -> Timestamp {
    t.clamp(earliest(), latest())
}

/// Milliseconds since the Unix epoch (the host clock's unit) to a timestamp.
pub fn from_millis(ms: i64) -> Option<Timestamp> {
    DateTime::from_timestamp_millis(ms).map(|t| clamp(t.naive_utc()))
}

/// Seconds since the Unix epoch.
pub fn unix_secs(t: &Timestamp) -> i64 {
    t.and_utc().timestamp()
}

// Written by hand rather than with chrono's strftime: the formatter and parser it would pull
// in cost more of the wasm than everything here.
/// Writes a timestamp in Zato's format (`2024-05-01T12:00:00`, `.ffffff` only when non-zero).
pub fn format_zato(t: &Timestamp) -> String {
    use chrono::{Datelike, Timelike};
    let micros = t.and_utc().timestamp_subsec_micros();
    let base = format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second());
    if micros == 0 {
        base
    } else {
        format!("{base}.{micros:06}")
    }
}

/// A timestamp as Zato's database driver writes it (a space between date and time), or in
/// Zato's own format: what a migration reads.
pub fn parse_zato_db(s: &str) -> Option<Timestamp> {
    parse_zato(&s.replacen(' ', "T", 1))
}

/// Parses Zato's format; also accepts a trailing `Z` or `+00:00` (what JS and REST clients send).
pub fn parse_zato(s: &str) -> Option<Timestamp> {
    if s.len() > 40 || !s.is_ascii() {
        return None;
    }
    let s = s.strip_suffix('Z').or_else(|| s.strip_suffix("+00:00")).unwrap_or(s);
    let (main, frac) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    let b = main.as_bytes();
    let at = |i: usize| b.get(i).copied();
    if b.len() != 19 || at(4) != Some(b'-') || at(7) != Some(b'-') || at(10) != Some(b'T') || at(13) != Some(b':') || at(16) != Some(b':') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = main.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let micros = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|c| c.is_ascii_digit()) => {
            let padded = format!("{f:0<9}");
            padded.get(..6)?.parse().ok()?
        }
        Some(_) => return None,
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let time = chrono::NaiveTime::from_hms_micro_opt(num(11..13)?, num(14..16)?, num(17..19)?, micros)?;
    Some(NaiveDateTime::new(date, time))
}

/// `t + delta`, saturating at the ends of the writable range (years 1–9999) instead of
/// overflowing or producing a date no record could store.
fn saturating_add(t: &Timestamp, delta: Option<TimeDelta>, forward: bool) -> Timestamp {
    clamp(delta.and_then(|d| t.checked_add_signed(d)).unwrap_or(if forward { NaiveDateTime::MAX } else { NaiveDateTime::MIN }))
}

/// `t` plus `days` (negative: minus), kept within years 1–9999.
pub fn add_days(t: &Timestamp, days: i64) -> Timestamp {
    saturating_add(t, TimeDelta::try_days(days), days >= 0)
}

/// `t` plus `minutes` (negative: minus), kept within years 1–9999.
pub fn add_minutes(t: &Timestamp, minutes: i64) -> Timestamp {
    saturating_add(t, TimeDelta::try_minutes(minutes), minutes >= 0)
}

/// `t` plus `secs` (negative: minus), kept within years 1–9999.
pub fn add_seconds(t: &Timestamp, secs: i64) -> Timestamp {
    saturating_add(t, TimeDelta::try_seconds(secs), secs >= 0)
}

/// serde helpers so records store timestamps in Zato's text format.
pub mod serde_ts {
    use super::*;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    /// Writes the timestamp as Zato's text.
    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_zato(t))
    }
    /// Reads Zato's text (see `parse_zato`); anything else is an error.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        parse_zato(&s).ok_or_else(|| D::Error::custom("bad timestamp"))
    }
}

/// serde helpers for optional timestamps: Zato's text, or null.
pub mod serde_opt_ts {
    use super::*;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    /// Writes Zato's text, or null for `None`.
    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_zato(t)),
            None => s.serialize_none(),
        }
    }
    /// Reads Zato's text or null; other text is an error.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse_zato(&s).map(Some).ok_or_else(|| D::Error::custom("bad timestamp")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python_isoformat() {
        let t = from_millis(1_700_000_000_000).unwrap();
        assert_eq!(format_zato(&t), "2023-11-14T22:13:20");
        let t = from_millis(1_700_000_000_123).unwrap();
        assert_eq!(format_zato(&t), "2023-11-14T22:13:20.123000");
        assert_eq!(parse_zato("2023-11-14T22:13:20.123000"), Some(t));
        assert_eq!(parse_zato("2023-11-14T22:13:20.123Z"), Some(t));
        assert_eq!(parse_zato("2345-12-27T11:22:33").map(|t| format_zato(&t)).as_deref(), Some("2345-12-27T11:22:33"));
        assert_eq!(parse_zato("not a date"), None);
        assert_eq!(parse_zato("2023-13-01T00:00:00"), None);
        assert_eq!(parse_zato("2023-01-01T00:00:00."), None);
        assert_eq!(parse_zato("2023-01-01 00:00:00"), None);
        assert_eq!(parse_zato("+023-01-01T00:00:00"), None);
        assert_eq!(format_zato(&parse_zato("0999-01-02T03:04:05.000007").unwrap()), "0999-01-02T03:04:05.000007");
        assert_eq!(parse_zato("2023-01-01T00:00:00.123456789"), parse_zato("2023-01-01T00:00:00.123456"));
    }

    #[test]
    fn date_arithmetic_saturates() {
        let t = from_millis(0).unwrap();
        assert_eq!(add_days(&t, i64::MAX), latest());
        assert_eq!(add_minutes(&t, i64::MIN), earliest());
        // Whatever the arithmetic, the result can be written and read back.
        for far in [
            add_days(&t, 3_000_000),
            add_days(&t, -3_000_000),
            add_seconds(&t, i64::MAX),
            from_millis(300_000_000_000_000).unwrap(),
            from_millis(-100_000_000_000_000).unwrap(),
        ] {
            assert_eq!(parse_zato(&format_zato(&far)), Some(far), "{far}");
        }
        assert_eq!(format_zato(&add_days(&t, 3_000_000)), "9999-12-31T23:59:59.999999");
    }
}
