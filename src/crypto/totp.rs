//! TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, the current step only (spec §0.1).

use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::ids::base32_decode;
use super::CryptoError;

const STEP_SECS: u64 = 30;
const DIGITS: u8 = 6;

/// The RFC 6238 time step (30 seconds) that `unix_secs` falls in.
pub fn totp_step(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

/// Keys shorter than RFC 4226's 128 bits are accepted (Zato's documented test key has 80),
/// hence the non-compliant builder; the fixed parameters above are the ones that matter.
fn totp_for(key_base32: &str) -> Result<Totp, CryptoError> {
    let secret = base32_decode(key_base32)?;
    // Copied into an exact-size allocation that `Secret` wipes on drop; `secret` wipes itself.
    Ok(Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(0)
        .with_step_duration(STEP_SECS)
        .with_secret(Secret::from(secret.as_slice()))
        .build_noncompliant())
}

/// The 6-digit code of the step containing `unix_secs`.
pub fn totp_code(key_base32: &str, unix_secs: u64) -> Result<String, CryptoError> {
    Ok(totp_for(key_base32)?.generate(unix_secs).to_string())
}

/// Current step only (Zato accepts no window); false for any malformed key or code. totp-rs
/// compares the codes in constant time and refuses anything but exactly 6 ASCII digits.
pub fn verify_totp(key_base32: &str, code: &str, unix_secs: u64) -> bool {
    match totp_for(key_base32) {
        Ok(totp) => totp.check(code, unix_secs).is_some(),
        Err(_) => false,
    }
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 15] {
                out.push(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0') as char);
            }
        }
    }
    out
}

/// The `otpauth://` URI authenticator apps scan (Google Authenticator key-URI format). The
/// key is shown as apps expect it: upper case, without spaces or padding.
pub fn provisioning_uri(key_base32: &str, account: &str, issuer: &str) -> String {
    let key: String = key_base32.chars().filter(|c| !(c.is_ascii_whitespace() || matches!(c, '-' | '='))).map(|c| c.to_ascii_uppercase()).collect();
    let issuer = percent_encode(issuer);
    format!("otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period=30", percent_encode(account), percent_encode(&key))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 seed, "12345678901234567890", in base-32.
    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    /// Zato's 80-bit test key.
    const ZATO_KEY: &str = "KMCLCWN4YPMD2WO3";

    #[test]
    fn rfc6238_appendix_b_sha1() {
        // The RFC lists 8-digit codes; these are their last 6 digits.
        for (t, code) in
            [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"), (2000000000, "279037"), (20000000000, "353130")]
        {
            assert_eq!(totp_code(RFC_KEY, t).unwrap(), code, "t={t}");
            assert!(verify_totp(RFC_KEY, code, t), "t={t}");
        }
    }

    #[test]
    fn steps() {
        assert_eq!(totp_step(0), 0);
        assert_eq!(totp_step(29), 0);
        assert_eq!(totp_step(30), 1);
        assert_eq!(totp_step(59), 1);
        assert_eq!(totp_step(1111111109), 37037036);
        assert_eq!(totp_step(u64::MAX), u64::MAX / 30);
        // The code is the same throughout a step.
        assert_eq!(totp_code(RFC_KEY, 30).unwrap(), totp_code(RFC_KEY, 59).unwrap());
    }

    #[test]
    fn current_step_only() {
        // Expected codes from Python's hmac/hashlib (RFC 6238 by hand).
        let now = 1_700_000_015;
        for (key, cur, prev, next) in [(RFC_KEY, "732303", "921300", "136087"), (ZATO_KEY, "857699", "462597", "348908")] {
            assert_eq!(totp_code(key, now).unwrap(), cur);
            assert_eq!(totp_code(key, now - 30).unwrap(), prev);
            assert!(verify_totp(key, cur, now));
            // The step containing `now` runs from 1_700_000_010 to 1_700_000_039.
            assert!(verify_totp(key, cur, now - 5) && verify_totp(key, cur, now + 24), "same step");
            assert!(!verify_totp(key, prev, now), "previous step refused");
            assert!(!verify_totp(key, next, now), "next step refused");
            assert!(!verify_totp(key, cur, now + 25), "step over");
            assert!(!verify_totp(key, cur, now - 6), "step not begun");
        }
    }

    #[test]
    fn key_forms() {
        let now = 1_700_000_015;
        let code = totp_code(ZATO_KEY, now).unwrap();
        for k in ["kmclcwn4ypmd2wo3", "KMCL CWN4 YPMD 2WO3", "KMCLCWN4YPMD2WO3======", " kmclcwn4ypmd2wo3\n"] {
            assert_eq!(totp_code(k, now).unwrap(), code, "{k:?}");
            assert!(verify_totp(k, &code, now));
        }
    }

    #[test]
    fn odd_input() {
        let now = 1_700_000_015;
        let code = totp_code(RFC_KEY, now).unwrap();
        for bad in [
            "",
            "12345",
            "1234567",
            "abcdef",
            "+73230",
            "-73230",
            " 732303",
            "732303 ",
            "７３２３０３",
            "73230\u{0}",
            "0x1234",
            "999999999999999999999",
        ] {
            assert!(!verify_totp(RFC_KEY, bad, now), "{bad:?}");
        }
        let long = "A".repeat(5000);
        for bad_key in ["", "=", "not base32!", "1", "A", "GEZDGNBVGY3TQOJ0", "ĞEZDGNBV", long.as_str()] {
            assert!(!verify_totp(bad_key, &code, now), "{bad_key:?}");
            assert_eq!(totp_code(bad_key, now), Err(CryptoError::Malformed), "{bad_key:?}");
        }
        for t in [0, 1, u64::MAX - 1, u64::MAX] {
            assert_eq!(totp_code(RFC_KEY, t).unwrap().len(), 6);
            let _ = verify_totp(RFC_KEY, "000000", t);
        }
    }

    #[test]
    fn uri() {
        assert_eq!(
            provisioning_uri("JBSWY3DPEHPK3PXP", "alice@example.com", "Edge SSO"),
            "otpauth://totp/Edge%20SSO:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Edge%20SSO&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(
            provisioning_uri("kmcl cwn4 ypmd 2wo3", "a:b/c?d&e=f#g ü", "Acme & Co.~_-"),
            "otpauth://totp/Acme%20%26%20Co.~_-:a%3Ab%2Fc%3Fd%26e%3Df%23g%20%C3%BC?secret=KMCLCWN4YPMD2WO3&issuer=Acme%20%26%20Co.~_-&algorithm=SHA1&digits=6&period=30"
        );
    }
}
