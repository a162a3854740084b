//! Secondary indexes for search (spec §6), kept as store keys so that a query lists keys
//! instead of loading users:
//!
//! - `sso/idx/sort/<display_name>.<username>.<sign_up_time>/<user_id>`: every user, in the
//!   result order of spec §6 (the store lists keys in byte order);
//! - `sso/idx/f/<field>/<value>.<user_id>`: one per searchable field with a value.
//!
//! Values are lower-case hex of their UTF-8 bytes: hex keeps byte (= code point) order, `.`
//! sorts before every hex digit so a shorter value sorts first, and no value can contain the
//! separator. Values longer than [`MAX_VALUE_BYTES`] are cut; a match on a cut value is
//! checked against the user record.

use crate::time;
use crate::user::record::UserRecord;

/// Prefix of the sort index: one key per user, in search result order.
pub const SORT_PREFIX: &str = "sso/idx/sort/";
/// Prefix of the field indexes: `sso/idx/f/<field>/…`.
pub const FIELD_PREFIX: &str = "sso/idx/f/";
/// Longest value a field-index key holds, in bytes; longer values are cut.
pub const MAX_VALUE_BYTES: usize = 120;
const MAX_SORT_NAME_BYTES: usize = 80;
const MAX_SORT_USERNAME_BYTES: usize = 64;

/// The searchable fields and their short names in keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `display_name`, case-folded.
    DisplayName,
    /// `first_name`, case-folded.
    FirstName,
    /// `middle_name`, case-folded.
    MiddleName,
    /// `last_name`, case-folded.
    LastName,
    /// `sign_up_status`.
    SignUpStatus,
    /// `approval_status`.
    ApprovalStatus,
    /// `email`, indexed only while emails are stored in clear.
    Email,
}

impl Field {
    /// The field's short name in index keys (`dn`, `fn`, …).
    pub fn key(self) -> &'static str {
        match self {
            Field::DisplayName => "dn",
            Field::FirstName => "fn",
            Field::MiddleName => "mn",
            Field::LastName => "ln",
            Field::SignUpStatus => "sus",
            Field::ApprovalStatus => "aps",
            Field::Email => "em",
        }
    }
    /// Every searchable field.
    pub const ALL: [Field; 7] =
        [Field::DisplayName, Field::FirstName, Field::MiddleName, Field::LastName, Field::SignUpStatus, Field::ApprovalStatus, Field::Email];
}

/// Lower-case hex of the first `max_bytes` bytes of `s`.
pub fn hex(s: &str, max_bytes: usize) -> String {
    let bytes = s.as_bytes();
    bytes.iter().take(max_bytes).map(|b| format!("{b:02x}")).collect()
}

/// Reverses `hex`; `None` for text that is not hex. A character cut by `hex` is dropped.
pub fn unhex(s: &str) -> Option<String> {
    if s.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    // A cut value may end inside a character: keep the whole characters.
    bytes.map(|b| String::from_utf8_lossy(&b).trim_end_matches('\u{fffd}').to_string())
}

/// Prefix of the keys of one field's index.
pub fn field_prefix(field: Field) -> String {
    format!("{FIELD_PREFIX}{}/", field.key())
}

/// The index key saying `user_id` has `value` in `field`.
pub fn field_key(field: Field, value: &str, user_id: &str) -> String {
    format!("{}{}.{}", field_prefix(field), hex(value, MAX_VALUE_BYTES), user_id)
}

/// What a field-index key says: the (possibly cut) value, whether it was cut, the user id.
pub fn parse_field_key(key: &str, field: Field) -> Option<(String, bool, String)> {
    let rest = key.strip_prefix(&field_prefix(field))?;
    let (value_hex, user_id) = rest.split_once('.')?;
    let cut = value_hex.len() >= MAX_VALUE_BYTES * 2;
    Some((unhex(value_hex)?, cut, user_id.to_string()))
}

/// The case-insensitive form names are stored and searched in. Zato compares upper-cased
/// copies (spec §2.5: `ß` becomes `SS`). Full upper-casing would ship a second Unicode case
/// table in the wasm (about 7 KB gzipped) beside the lower-casing the spec needs elsewhere, so
/// this lower-cases, then folds the letters whose lower-case form would miss their upper-case
/// twins: `ß` and `ss`, `ſ` and `s`, final `ς` and `σ`, `µ` and `μ`, the symbol forms of Greek
/// letters, the Latin ligatures. Names match as Zato's upper-case copies do, but for a few rare
/// letters (README "Differences from Zato").
pub fn search_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().chars() {
        let folded = match c {
            'ß' => "ss",
            'ſ' => "s",
            'ı' => "i",
            'ς' => "σ",
            'µ' => "μ",
            'ϐ' => "β",
            'ϑ' => "θ",
            'ϕ' => "φ",
            'ϖ' => "π",
            'ϰ' => "κ",
            'ϱ' => "ρ",
            'ϵ' => "ε",
            'ﬀ' => "ff",
            'ﬁ' => "fi",
            'ﬂ' => "fl",
            'ﬃ' => "ffi",
            'ﬄ' => "ffl",
            'ﬅ' | 'ﬆ' => "st",
            'ŉ' => "ʼn",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(folded);
    }
    out
}

/// The user's key in the sort index.
pub fn sort_key(user: &UserRecord) -> String {
    sort_key_of(user.display_name.as_deref().unwrap_or(""), &user.username, &user.sign_up_time, &user.user_id)
}

fn sort_key_of(display_name: &str, username: &str, sign_up_time: &time::Timestamp, user_id: &str) -> String {
    // The time at a fixed width (microseconds always written), so that byte order is time order.
    let mut signed_up = time::format_zato(sign_up_time);
    if !signed_up.contains('.') {
        signed_up.push_str(".000000");
    }
    // The user_id comes last, after a '/' it cannot contain ('.' it may).
    format!("{SORT_PREFIX}{}.{}.{}/{}", hex(display_name, MAX_SORT_NAME_BYTES), hex(username, MAX_SORT_USERNAME_BYTES), signed_up, user_id)
}

/// The user id at the end of a sort-index key.
pub fn user_id_of_sort_key(key: &str) -> Option<&str> {
    key.strip_prefix(SORT_PREFIX)?.rsplit_once('/').map(|(_, id)| id).filter(|id| !id.is_empty())
}

/// The value a user has for a field, as the index stores it.
pub fn field_value(user: &UserRecord, field: Field, emails_in_clear: bool) -> Option<String> {
    match field {
        Field::DisplayName => user.display_name_fold.clone(),
        Field::FirstName => user.first_name_fold.clone(),
        Field::MiddleName => user.middle_name_fold.clone(),
        Field::LastName => user.last_name_fold.clone(),
        Field::SignUpStatus => Some(user.sign_up_status.as_str().to_string()),
        Field::ApprovalStatus => Some(user.approval_status.as_str().to_string()),
        Field::Email if emails_in_clear && !user.email_sealed => user.email.clone(),
        Field::Email => None,
    }
    .filter(|v| !v.is_empty())
}

/// Every index key of a user.
pub fn index_keys(user: &UserRecord) -> Vec<String> {
    let mut keys = vec![sort_key(user)];
    for f in Field::ALL {
        if let Some(v) = field_value(user, f, true) {
            keys.push(field_key(f, &v, &user.user_id));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_order_equal_names_by_sign_up_time() {
        let at = |ms: i64| sort_key_of("Jo", "same", &time::from_millis(ms).unwrap_or_default(), "zusr1");
        // A whole second sorts before a later instant of the same second.
        assert!(at(1_700_000_000_000) < at(1_700_000_000_123));
        assert!(at(1_700_000_000_999) < at(1_700_000_001_000));
    }

    #[test]
    fn the_fold_matches_where_zatos_upper_case_copies_match() {
        // Pairs whose Python upper() agree must fold alike; pairs that differ must not.
        for (a, b) in [
            ("Straße", "STRASSE"),
            ("ſ", "S"),
            ("ΟΔΟΣ", "οδος"),
            ("οδος", "οδοσ"),
            ("µ", "μ"),
            ("ﬁne", "FINE"),
            ("Kowalski", "kowalski"),
            ("ÅNGSTRÖM", "ångström"),
            ("ПЁТР", "пётр"),
            ("ı", "I"),
            ("ϑ", "Θ"),
        ] {
            assert_eq!(search_fold(a), search_fold(b), "{a} ~ {b}");
        }
        for (a, b) in [("Strase", "Straße"), ("ab", "a b"), ("é", "e")] {
            assert_ne!(search_fold(a), search_fold(b), "{a} !~ {b}");
        }
    }

    #[test]
    fn hex_keeps_order_and_shorter_first() {
        let mut names = vec!["b", "a", "ab", "", "Z", "é", "aa"];
        let mut keyed: Vec<String> = names.iter().map(|n| format!("{}.", hex(n, 100))).collect();
        keyed.sort();
        names.sort();
        let decoded: Vec<String> = keyed.iter().map(|k| unhex(k.trim_end_matches('.')).unwrap()).collect();
        assert_eq!(decoded, names);
        assert_eq!(unhex(&hex("Straße", 5)).unwrap(), "Stra", "a cut inside a character keeps whole ones");
    }
}
