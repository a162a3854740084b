//! Zato's identifier and secret formats (spec §0.1, §2.4), drawn from 128 random bits where
//! Zato used a UUIDv4's 122 (OWASP ASVS 5 §7.2.3 asks ≥ 128 bits for session tokens).

use base64::Engine;
use zeroize::{Zeroize, Zeroizing};

use super::{random_bytes, CryptoError};

/// Crockford's alphabet, already lower-cased because Zato lower-cases the result.
const CROCKFORD: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const RFC4648: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Longest base-32 text we decode: far above any real TOTP key, low enough to bound the work.
const MAX_BASE32_LEN: usize = 1024;

/// 128 random bits in lower-case Crockford base-32, leading zeros dropped (usually 26 chars).
pub fn crockford_id() -> Result<String, CryptoError> {
    let mut b = [0u8; 16];
    random_bytes(&mut b)?;
    let id = crockford(u128::from_be_bytes(b));
    // A session token is built from these bits.
    b.zeroize();
    Ok(id)
}

fn crockford(mut n: u128) -> String {
    if n == 0 {
        return "0".into();
    }
    // Digits are produced least significant first, then reversed: no indexing that could
    // panic whatever the input.
    let mut digits = Vec::with_capacity(26);
    while n > 0 {
        digits.push(CROCKFORD.get((n % 32) as usize).copied().unwrap_or(b'0') as char);
        n /= 32;
    }
    digits.iter().rev().collect()
}

/// A new user id: `zusr` and a random Crockford id.
pub fn new_user_id() -> Result<String, CryptoError> {
    Ok(format!("zusr{}", crockford_id()?))
}

/// A new internal UST: `zust` and a random Crockford id (clients only see it sealed).
pub fn new_ust() -> Result<String, CryptoError> {
    Ok(format!("zust{}", crockford_id()?))
}

/// A new password-reset key: `zprtrkey` and a random Crockford id.
pub fn new_reset_key() -> Result<String, CryptoError> {
    Ok(format!("zprtrkey{}", crockford_id()?))
}

/// Password-reset tokens are shown publicly, so they carry no prefix (spec §2.4).
pub fn new_prt_token() -> Result<String, CryptoError> {
    crockford_id()
}

/// URL-safe base64, with padding, of `bits / 8` random bytes (192 bits → 32 characters,
/// 256 → 44), as Zato's `secret()` writes it.
pub fn secret(bits: usize) -> Result<String, CryptoError> {
    let mut b = Zeroizing::new(vec![0u8; bits / 8]);
    random_bytes(&mut b)?;
    Ok(base64::engine::general_purpose::URL_SAFE.encode(&*b))
}

/// A TOTP key: 160 random bits as 32 RFC 4648 base-32 characters.
pub fn totp_key() -> Result<String, CryptoError> {
    let mut b = [0u8; 20];
    random_bytes(&mut b)?;
    let key = base32_encode(&b);
    b.zeroize();
    Ok(key)
}

/// RFC 4648 base-32, upper case, no padding.
pub(crate) fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = ((acc << 8) | u32::from(b)) & 0xFFFF;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(RFC4648.get(((acc >> bits) & 31) as usize).copied().unwrap_or(b'A') as char);
        }
    }
    if bits > 0 {
        out.push(RFC4648.get(((acc << (5 - bits)) & 31) as usize).copied().unwrap_or(b'A') as char);
    }
    out
}

/// RFC 4648 base-32, case-insensitive. Whitespace, `-` and `=` are skipped because
/// authenticator apps and people show keys in groups, with or without padding. Leftover
/// bits are dropped, as Python's decoder does for Zato's unpadded keys.
pub(crate) fn base32_decode(s: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if s.len() > MAX_BASE32_LEN {
        return Err(CryptoError::Malformed);
    }
    // Sized up front so the buffer never reallocates and leaves an unzeroed copy behind.
    let mut out = Zeroizing::new(Vec::with_capacity(s.len() * 5 / 8 + 1));
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| !(c.is_ascii_whitespace() || matches!(c, '-' | '='))) {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return Err(CryptoError::Malformed),
        };
        acc = ((acc << 5) | v) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    acc.zeroize();
    if out.is_empty() {
        return Err(CryptoError::Malformed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_crockford(s: &str) -> bool {
        !s.is_empty() && s.len() <= 26 && s.bytes().all(|b| CROCKFORD.contains(&b))
    }

    #[test]
    fn crockford_encoding() {
        // Expected values from Python, encoding the integer as Zato does.
        assert_eq!(crockford(0x0123456789abcdef0123456789abcdef), "14d2pf2dbsqqg28t5cy4tqkff");
        assert_eq!(crockford(u128::MAX), "7zzzzzzzzzzzzzzzzzzzzzzzzz");
        assert_eq!(crockford(31), "z");
        assert_eq!(crockford(32), "10");
        assert_eq!(crockford(0), "0");
    }

    #[test]
    fn formats() {
        for _ in 0..200 {
            let id = crockford_id().unwrap();
            assert!(is_crockford(&id), "{id}");
            assert!(id.len() >= 20, "{id}"); // shorter only with probability 2^-25
        }
        let uid = new_user_id().unwrap();
        assert!(uid.starts_with("zusr") && is_crockford(&uid[4..]), "{uid}");
        let ust = new_ust().unwrap();
        assert!(ust.starts_with("zust") && is_crockford(&ust[4..]), "{ust}");
        let rk = new_reset_key().unwrap();
        assert!(rk.starts_with("zprtrkey") && is_crockford(&rk[8..]), "{rk}");
        assert!(is_crockford(&new_prt_token().unwrap()));
        assert_ne!(new_ust().unwrap(), new_ust().unwrap());
    }

    #[test]
    fn secrets() {
        for (bits, len) in [(192, 32), (256, 44), (128, 24), (8, 4), (0, 0)] {
            let s = secret(bits).unwrap();
            assert_eq!(s.len(), len, "{bits} bits");
            assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b)), "{s}");
        }
        assert!(secret(256).unwrap().ends_with('='));
        assert_ne!(secret(192).unwrap(), secret(192).unwrap());
        let k = totp_key().unwrap();
        assert_eq!(k.len(), 32);
        assert!(k.bytes().all(|b| RFC4648.contains(&b)), "{k}");
        assert_eq!(base32_decode(&k).unwrap().len(), 20);
        assert_ne!(totp_key().unwrap(), k);
    }

    #[test]
    fn base32_round_trip_and_rfc_vectors() {
        assert_eq!(base32_encode(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(&**base32_decode("gezdgnbvgy3tqojqgezdgnbvgy3tqojq").unwrap(), b"12345678901234567890");
        // RFC 4648 §10, padded and unpadded.
        for (plain, enc) in
            [("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======")]
        {
            assert_eq!(base32_encode(plain.as_bytes()), enc.trim_end_matches('='));
            assert_eq!(&**base32_decode(enc).unwrap(), plain.as_bytes());
            assert_eq!(&**base32_decode(enc.trim_end_matches('=')).unwrap(), plain.as_bytes());
        }
        assert_eq!(&**base32_decode("mzxw 6ytb\toi").unwrap(), b"foobar");
        assert_eq!(base32_decode("KMCLCWN4YPMD2WO3").unwrap().len(), 10);
        for bad in ["", "=", "   ", "1", "A", "not base32!", "MZXW6YTB0I", "MZXW6YTBOÏ", "８"] {
            assert!(base32_decode(bad).is_err(), "{bad:?}");
        }
        assert!(base32_decode(&"A".repeat(MAX_BASE32_LEN + 1)).is_err());
    }
}
