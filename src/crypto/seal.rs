//! Sealing with XChaCha20-Poly1305 and a key ring: values are sealed with the newest key and
//! opened with whichever key sealed them (found by its key id), so keys can be rotated.
//!
//! Format: `es1.<kid>.<base64url-no-pad(nonce || ciphertext)>`. The purpose (`"ust"`,
//! `"email"`, …) is the associated data, so a value sealed for one field does not open as
//! another (a sealed email cannot be replayed as a UST). Random 24-byte nonces make nonce
//! reuse negligible without any counter state, which an edge worker could not keep.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::{random_bytes, CryptoError};

const PREFIX: &str = "es1.";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const KID_LEN: usize = 8;
/// Nothing we seal comes near this; anything longer is refused before any work, and `seal`
/// refuses to produce what `open` would refuse.
const MAX_SEALED_LEN: usize = 64 * 1024;

struct Key {
    kid: String,
    bytes: [u8; 32],
}

impl Drop for Key {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

/// One or more 32-byte keys, newest first.
pub struct KeyRing {
    keys: Vec<Key>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").field("kids", &self.keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>()).finish()
    }
}

/// Public and stable: a hash of the key under a domain label, truncated to 48 bits, which
/// names the key without helping anyone find it.
fn kid_for(bytes: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"edge-sso key id");
    h.update(bytes);
    let d = h.finalize();
    b64().encode(d.get(..6).unwrap_or_default())
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

fn cipher_for(key: &Key) -> Result<XChaCha20Poly1305, CryptoError> {
    XChaCha20Poly1305::new_from_slice(&key.bytes).map_err(|_| CryptoError::BadKey("a key has the wrong length".into()))
}

fn sealed_len(plaintext_len: usize) -> usize {
    let blob = NONCE_LEN.saturating_add(plaintext_len).saturating_add(TAG_LEN);
    let body = blob / 3 * 4
        + match blob % 3 {
            0 => 0,
            1 => 2,
            _ => 3,
        };
    (PREFIX.len() + KID_LEN + 1).saturating_add(body)
}

impl KeyRing {
    /// For tests and hosts that hold raw keys; the caller's copies are wiped.
    pub fn from_raw(mut keys: Vec<[u8; 32]>) -> KeyRing {
        let ring = KeyRing { keys: keys.iter().map(|bytes| Key { kid: kid_for(bytes), bytes: *bytes }).collect() };
        keys.zeroize();
        ring
    }

    /// Keys as standard or URL-safe base64 (padding optional) of exactly 32 bytes each,
    /// newest first. Errors name the key by position only.
    pub fn from_base64_keys(keys: &[String]) -> Result<KeyRing, CryptoError> {
        if keys.is_empty() {
            return Err(CryptoError::BadKey("at least one key is required".into()));
        }
        let mut raw: Zeroizing<Vec<[u8; 32]>> = Zeroizing::new(Vec::with_capacity(keys.len()));
        for (i, k) in keys.iter().enumerate() {
            let cleaned: Zeroizing<String> = Zeroizing::new(k.trim().trim_end_matches('=').replace('+', "-").replace('/', "_"));
            let bytes = Zeroizing::new(b64().decode(cleaned.as_bytes()).map_err(|_| CryptoError::BadKey(format!("key {i} is not base64")))?);
            let arr: [u8; 32] =
                bytes.as_slice().try_into().map_err(|_| CryptoError::BadKey(format!("key {i} decodes to {} bytes, not 32", bytes.len())))?;
            raw.push(arr);
        }
        Ok(KeyRing { keys: raw.iter().map(|bytes| Key { kid: kid_for(bytes), bytes: *bytes }).collect() })
    }

    /// Keyed digests of `value` under every key, newest first: lookup keys for values that
    /// must not be guessable from the store (emails), still found after a key rotation.
    pub fn lookup_digests(&self, purpose: &str, value: &str) -> Vec<String> {
        use hmac::{Hmac, Mac};
        self.keys
            .iter()
            .filter_map(|k| {
                let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&k.bytes).ok()?;
                mac.update(purpose.as_bytes());
                mac.update(&[0]);
                mac.update(value.as_bytes());
                Some(b64().encode(mac.finalize().into_bytes()))
            })
            .collect()
    }

    /// The id of the key `seal` uses; a value whose `kid_of` differs should be re-sealed.
    pub fn newest_kid(&self) -> &str {
        self.keys.first().map(|k| k.kid.as_str()).unwrap_or("")
    }

    /// The key id a sealed value names, if it is in our format. Says nothing about whether
    /// the value opens.
    pub fn kid_of(sealed: &str) -> Option<&str> {
        let rest = sealed.strip_prefix(PREFIX)?;
        let (kid, _) = rest.split_once('.')?;
        (!kid.is_empty()).then_some(kid)
    }

    /// Seals `plaintext` under the newest key, bound to `purpose`: `es1.<kid>.<base64 nonce and ciphertext>`.
    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> Result<String, CryptoError> {
        if sealed_len(plaintext.len()) > MAX_SEALED_LEN {
            return Err(CryptoError::Malformed);
        }
        let key = self.keys.first().ok_or_else(|| CryptoError::BadKey("the key ring is empty".into()))?;
        let cipher = cipher_for(key)?;
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce)?;
        let ct = cipher.encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: purpose.as_bytes() }).map_err(|_| CryptoError::Malformed)?;
        let mut blob = Vec::with_capacity(NONCE_LEN + ct.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ct);
        Ok(format!("{PREFIX}{}.{}", key.kid, b64().encode(&blob)))
    }

    /// Opens a value sealed for `purpose` with whichever key of the ring its key id names.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() > MAX_SEALED_LEN || !sealed.is_ascii() {
            return Err(CryptoError::Malformed);
        }
        let rest = sealed.strip_prefix(PREFIX).ok_or(CryptoError::Malformed)?;
        let (kid, body) = rest.split_once('.').ok_or(CryptoError::Malformed)?;
        if kid.len() != KID_LEN {
            return Err(CryptoError::Malformed);
        }
        let blob = b64().decode(body.as_bytes()).map_err(|_| CryptoError::Malformed)?;
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Malformed);
        }
        let key = self.keys.iter().find(|k| k.kid == kid).ok_or(CryptoError::WrongKeyOrTampered)?;
        let cipher = cipher_for(key)?;
        let (nonce, ct) = blob.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| CryptoError::Malformed)?;
        cipher.decrypt(&nonce, Payload { msg: ct, aad: purpose.as_bytes() }).map_err(|_| CryptoError::WrongKeyOrTampered)
    }

    /// Opens a value sealed for `purpose` and reads it as UTF-8 text.
    pub fn open_string(&self, purpose: &str, sealed: &str) -> Result<String, CryptoError> {
        String::from_utf8(self.open(purpose, sealed)?).map_err(|e| {
            // The bytes were secret even if they are not text.
            e.into_bytes().zeroize();
            CryptoError::Malformed
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

    #[test]
    fn round_trip_and_format() {
        let ring = KeyRing::from_raw(vec![[1; 32]]);
        for msg in [&b""[..], b"a@b.c", &[0u8, 255, 10, 13], &[7u8; 1000]] {
            let sealed = ring.seal("email", msg).unwrap();
            assert_eq!(ring.open("email", &sealed).unwrap(), msg);
            assert_eq!(sealed.len(), sealed_len(msg.len()));
            let mut parts = sealed.split('.');
            assert_eq!(parts.next(), Some("es1"));
            assert_eq!(parts.next(), Some(ring.newest_kid()));
            let body = parts.next().unwrap();
            assert!(parts.next().is_none());
            assert_eq!(URL_SAFE_NO_PAD.decode(body).unwrap().len(), NONCE_LEN + msg.len() + TAG_LEN);
        }
        assert_eq!(ring.newest_kid().len(), KID_LEN);
        assert_ne!(ring.seal("email", b"x").unwrap(), ring.seal("email", b"x").unwrap(), "random nonce");
        assert_eq!(ring.open_string("email", &ring.seal("email", "zäh".as_bytes()).unwrap()).unwrap(), "zäh");
        assert_eq!(ring.open_string("email", &ring.seal("email", &[0xff, 0xfe]).unwrap()), Err(CryptoError::Malformed));
    }

    #[test]
    fn kid_is_sha256_of_label_and_key() {
        let mut h = Sha256::new();
        h.update(b"edge-sso key id");
        h.update([1u8; 32]);
        let expected = URL_SAFE_NO_PAD.encode(&h.finalize()[..6]);
        assert_eq!(KeyRing::from_raw(vec![[1; 32]]).newest_kid(), expected);
        assert_ne!(KeyRing::from_raw(vec![[2; 32]]).newest_kid(), expected);
    }

    #[test]
    fn purpose_is_bound() {
        let ring = KeyRing::from_raw(vec![[1; 32]]);
        let sealed = ring.seal("email", b"a@b.c").unwrap();
        assert_eq!(ring.open("ust", &sealed), Err(CryptoError::WrongKeyOrTampered));
        assert_eq!(ring.open("", &sealed), Err(CryptoError::WrongKeyOrTampered));
        assert_eq!(ring.open("email ", &sealed), Err(CryptoError::WrongKeyOrTampered));
    }

    #[test]
    fn rotation() {
        let old = KeyRing::from_raw(vec![[1; 32]]);
        let sealed = old.seal("email", b"a@b.c").unwrap();
        let rotated = KeyRing::from_raw(vec![[2; 32], [1; 32]]);
        assert_eq!(rotated.open("email", &sealed).unwrap(), b"a@b.c");
        assert_eq!(KeyRing::kid_of(&sealed), Some(old.newest_kid()));
        assert_ne!(KeyRing::kid_of(&sealed), Some(rotated.newest_kid()), "needs re-sealing");
        let fresh = rotated.seal("email", b"x").unwrap();
        assert_eq!(KeyRing::kid_of(&fresh), Some(rotated.newest_kid()));
        assert_eq!(old.open("email", &fresh), Err(CryptoError::WrongKeyOrTampered));
        // Once the old key is dropped from the ring its values no longer open.
        let only_new = KeyRing::from_raw(vec![[2; 32]]);
        assert_eq!(only_new.open("email", &sealed), Err(CryptoError::WrongKeyOrTampered));
        assert_eq!(KeyRing::kid_of("es1.abcdefgh.xyz"), Some("abcdefgh"));
        for s in ["", "es1.", "es1..x", "es1.abc", "gAAAAAB", "zust123"] {
            assert_eq!(KeyRing::kid_of(s), None, "{s:?}");
        }
    }

    #[test]
    fn tampering_is_detected() {
        let ring = KeyRing::from_raw(vec![[3; 32]]);
        let sealed = ring.seal("ust", b"zust1").unwrap();
        let body_start = PREFIX.len() + KID_LEN + 1;
        // Every byte of nonce, ciphertext and tag, flipped through the decoded blob.
        let blob = URL_SAFE_NO_PAD.decode(&sealed[body_start..]).unwrap();
        for i in 0..blob.len() {
            for bit in [0x01, 0x80] {
                let mut b = blob.clone();
                b[i] ^= bit;
                let t = format!("{}{}", &sealed[..body_start], URL_SAFE_NO_PAD.encode(&b));
                assert_eq!(ring.open("ust", &t), Err(CryptoError::WrongKeyOrTampered), "byte {i}");
            }
        }
        // Truncated or extended.
        let mut short = blob.clone();
        short.pop();
        assert_eq!(ring.open("ust", &format!("{}{}", &sealed[..body_start], URL_SAFE_NO_PAD.encode(&short))), Err(CryptoError::WrongKeyOrTampered));
        let mut long = blob.clone();
        long.push(0);
        assert_eq!(ring.open("ust", &format!("{}{}", &sealed[..body_start], URL_SAFE_NO_PAD.encode(&long))), Err(CryptoError::WrongKeyOrTampered));
        // Another kid of the right shape.
        let other = format!("es1.AAAAAAAA.{}", &sealed[body_start..]);
        assert_eq!(ring.open("ust", &other), Err(CryptoError::WrongKeyOrTampered));
    }

    #[test]
    fn malformed_inputs() {
        let ring = KeyRing::from_raw(vec![[4; 32]]);
        let kid = ring.newest_kid().to_string();
        let good = ring.seal("ust", b"zust1").unwrap();
        let body = good.rsplit('.').next().unwrap().to_string();
        for s in [
            String::new(),
            "es1.".into(),
            "es1..".into(),
            format!("es1.{kid}"),
            format!("es1.{kid}."),
            format!("es1.{kid}.AAAA"),
            format!("es1.{kid}.{}", "A".repeat(53)), // 39 bytes: one short of nonce + tag
            format!("es2.{kid}.{body}"),
            format!("ES1.{kid}.{body}"),
            format!("es1.{kid}.{body}="),
            format!("es1.{kid}.{body}.x"),
            format!("es1.{kid}x.{body}"),
            format!("es1.{kid}.+{}", &body[1..]),
            format!(" {good}"),
            format!("{good}\n"),
            format!("es1.{kid}.{body}é"),
            "gAAAAABgarbage".into(),
            "zust0123".into(),
            format!("es1.{kid}.{}", "A".repeat(MAX_SEALED_LEN)),
        ] {
            assert_eq!(ring.open("ust", &s), Err(CryptoError::Malformed), "{s:?}");
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let ring = KeyRing::from_raw(vec![[4; 32]]);
        let kid = ring.newest_kid().to_string();
        let fixed = ["é", "es1.é.é", "\u{0}\u{0}", "es1.\u{0}.\u{0}", "...", "es1.........", "\u{FEFF}es1.", "𝕖𝕤𝟙."];
        for s in fixed {
            assert!(ring.open("ust", s).is_err(), "{s:?}");
        }
        assert!(ring.open("ust", &"é".repeat(100_000)).is_err());
        assert!(ring.open("ust", &"A".repeat(10_000_000)).is_err());
        // xorshift, deterministic so a failure reproduces.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        const CHARS: &[u8] = b"es1.-_+/=ABCxyz019\x00\xff";
        for len in 0..400 {
            let bytes: Vec<u8> = (0..len).map(|_| CHARS[(next() % CHARS.len() as u64) as usize]).collect();
            let s = String::from_utf8_lossy(&bytes).into_owned();
            let _ = ring.open("ust", &s);
            let _ = ring.open_string("ust", &format!("es1.{kid}.{s}"));
            let _ = KeyRing::kid_of(&s);
            // Random bytes in the body of a well-formed value.
            let raw: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let t = format!("es1.{kid}.{}", URL_SAFE_NO_PAD.encode(&raw));
            let r = ring.open("ust", &t);
            assert!(matches!(r, Err(CryptoError::Malformed) | Err(CryptoError::WrongKeyOrTampered)), "{r:?}");
        }
    }

    #[test]
    fn size_limit_is_consistent() {
        let ring = KeyRing::from_raw(vec![[5; 32]]);
        let mut n = 0;
        while sealed_len(n + 1) <= MAX_SEALED_LEN {
            n += 1;
        }
        let biggest = ring.seal("attr", &vec![1u8; n]).unwrap();
        assert!(biggest.len() <= MAX_SEALED_LEN);
        assert_eq!(ring.open("attr", &biggest).unwrap().len(), n);
        assert_eq!(ring.seal("attr", &vec![1u8; n + 1]), Err(CryptoError::Malformed));
        assert!(n > 48_000, "{n}");
    }

    #[test]
    fn empty_ring() {
        let ring = KeyRing::from_raw(vec![]);
        assert_eq!(ring.newest_kid(), "");
        assert!(matches!(ring.seal("ust", b"x"), Err(CryptoError::BadKey(_))));
        let other = KeyRing::from_raw(vec![[1; 32]]).seal("ust", b"x").unwrap();
        assert_eq!(ring.open("ust", &other), Err(CryptoError::WrongKeyOrTampered));
    }

    #[test]
    fn keys_from_base64() {
        let key = [0xfb_u8; 32]; // encodes with '+' / '-' and '/' / '_'
        let ref_kid = KeyRing::from_raw(vec![key]).newest_kid().to_string();
        for enc in [
            STANDARD.encode(key),
            STANDARD_NO_PAD.encode(key),
            URL_SAFE.encode(key),
            URL_SAFE_NO_PAD.encode(key),
            format!(" {} \n", STANDARD.encode(key)),
        ] {
            let ring = KeyRing::from_base64_keys(std::slice::from_ref(&enc)).unwrap();
            assert_eq!(ring.newest_kid(), ref_kid, "{enc}");
            let dbg = format!("{ring:?}");
            assert!(dbg.contains(&ref_kid) && !dbg.contains(&enc.trim()[..20]) && !dbg.contains("251"), "{dbg}");
        }
        let two = KeyRing::from_base64_keys(&[STANDARD.encode([9; 32]), STANDARD.encode(key)]).unwrap();
        assert_eq!(two.newest_kid(), KeyRing::from_raw(vec![[9; 32]]).newest_kid());
        let sealed_old = KeyRing::from_raw(vec![key]).seal("x", b"y").unwrap();
        assert_eq!(two.open("x", &sealed_old).unwrap(), b"y");

        let short = STANDARD.encode([1; 16]);
        let long = STANDARD.encode([1; 33]);
        for bad in [
            vec![],
            vec![short.clone()],
            vec![long.clone()],
            vec!["not base64!!".into()],
            vec![String::new()],
            vec![STANDARD.encode(key), "%%%%".into()],
        ] {
            let e = KeyRing::from_base64_keys(&bad).unwrap_err();
            assert!(matches!(e, CryptoError::BadKey(_)), "{e:?}");
            for k in &bad {
                if !k.is_empty() {
                    assert!(!e.to_string().contains(k.as_str()) && !format!("{e:?}").contains(k.as_str()), "{e}");
                }
            }
        }
    }
}
