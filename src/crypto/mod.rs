//! Cryptography: identifiers and secrets (spec §2.4), sealing with XChaCha20-Poly1305 and a
//! key ring, password hashing (Argon2id; Zato's PBKDF2 hashes verify for migration), TOTP.
//!
//! Nothing here panics on input, and no error, `Debug` or `Display` output carries secret
//! material: errors end up in logs and API responses.

pub mod argon2id;
pub mod ids;
pub mod password;
pub mod seal;
pub mod totp;

use std::fmt;

/// Why a cryptographic step failed; never carries secret material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// The platform gave no randomness.
    Random,
    /// The input is not in the expected format.
    Malformed,
    /// Authenticated decryption failed: another key, another purpose, or tampering.
    WrongKeyOrTampered,
    /// A key could not be used; the message never holds key material.
    BadKey(String),
    /// Password hashing could not run (for example invalid Argon2 parameters).
    Hash(String),
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CryptoError::Random => f.write_str("no randomness available"),
            CryptoError::Malformed => f.write_str("malformed input"),
            CryptoError::WrongKeyOrTampered => f.write_str("sealed with another key or purpose, or tampered with"),
            CryptoError::BadKey(m) => write!(f, "bad key: {m}"),
            CryptoError::Hash(m) => write!(f, "hashing failed: {m}"),
        }
    }
}

impl std::error::Error for CryptoError {}

/// Cryptographically secure random bytes from the platform (`crypto.getRandomValues` in wasm).
pub fn random_bytes(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Random)
}

/// Constant-time equality of two byte strings (their lengths are not secret).
///
/// `black_box` keeps the optimiser from turning the accumulation into an early exit.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut acc = 0u8;
    for (x, y) in a.iter().zip(b) {
        acc = core::hint::black_box(acc | (x ^ y));
    }
    core::hint::black_box(acc) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_eq_works() {
        assert!(ct_eq(b"", b""));
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }

    #[test]
    fn random_bytes_are_random() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        random_bytes(&mut a).unwrap();
        random_bytes(&mut b).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
        random_bytes(&mut []).unwrap();
    }
}
