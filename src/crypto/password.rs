//! Password hashing: Argon2id in PHC string format (computed by `super::argon2id`). Zato's passlib `$pbkdf2-sha512$` hashes
//! verify too, so a migrated Zato database keeps working (and is upgraded at the next login).
//!
//! A stored hash is treated as untrusted input: it may come from a migrated or tampered
//! database, so parsing never panics and its cost parameters are bounded.

use argon2::Params;
use base64::Engine;
use zeroize::{Zeroize, Zeroizing};

use super::{argon2id, ct_eq, random_bytes, CryptoError};

/// Argon2id cost parameters (the `argon2` config section).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Params {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Passes over the memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

/// OWASP's Argon2id minimum: 19 MiB, two passes, one lane.
impl Default for Argon2Params {
    fn default() -> Self {
        Argon2Params { m_cost: 19_456, t_cost: 2, p_cost: 1 }
    }
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// `needs_rehash`: the password is right but the stored hash is not Argon2id with the
    /// configured parameters; the caller should store a fresh `hash_password`.
    Match {
        /// The stored hash is not Argon2id with the configured parameters: store a fresh one.
        needs_rehash: bool,
    },
    /// The password is wrong.
    Mismatch,
}

/// Bounds on the cost a stored hash may demand, so that one forged record cannot stall or
/// exhaust a worker. The configured parameters are always allowed, even above these, or an
/// operator who raises them could no longer verify the hashes they produce.
const MAX_M_COST: u32 = 1 << 20; // KiB, 1 GiB
const MAX_T_COST: u32 = 100;
const MAX_P_COST: u32 = 16;
/// Memory × passes, in KiB: what actually decides the time (1 GiB × 4 passes).
const MAX_WORK: u64 = 1 << 22;
const MAX_PBKDF2_ROUNDS: u32 = 10_000_000;
const MAX_STORED_LEN: usize = 1024;

const SALT_LEN: usize = 16;
const OUTPUT_LEN: usize = 32;
/// passlib's pbkdf2_sha512 checksum is the full SHA-512 output.
const PBKDF2_LEN: usize = 64;
/// Fixed and public: `dummy_verify` only has to cost what a real verification costs.
const DUMMY_SALT: &[u8; SALT_LEN] = b"edge-sso/dummy!!";

/// PHC strings use standard base64 without padding.
fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD_NO_PAD
}

/// Raw Argon2id: parameters validated by the `argon2` crate, computed by our SIMD-capable
/// implementation (`super::argon2id`, cross-checked against the crate in its tests).
fn argon2_raw(password: &[u8], salt: &[u8], p: &Argon2Params, out_len: usize) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let params = Params::new(p.m_cost, p.t_cost, p.p_cost, Some(out_len)).map_err(|e| CryptoError::Hash(e.to_string()))?;
    let mut out = Zeroizing::new(vec![0u8; out_len]);
    argon2id::hash_into(&params, &[], password, salt, &mut out).map_err(|e| CryptoError::Hash(e.to_string()))?;
    Ok(out)
}

/// Hashes a password with Argon2id and a fresh random salt, as a PHC string.
pub fn hash_password(password: &str, params: &Argon2Params) -> Result<String, CryptoError> {
    let mut salt = [0u8; SALT_LEN];
    random_bytes(&mut salt)?;
    let out = argon2_raw(password.as_bytes(), &salt, params, OUTPUT_LEN)?;
    Ok(format!("$argon2id$v=19$m={},t={},p={}${}${}", params.m_cost, params.t_cost, params.p_cost, b64().encode(salt), b64().encode(&*out)))
}

/// Checks a password against a stored PHC string (Argon2id, or Zato's PBKDF2-SHA512); a malformed or over-costly hash is an error.
pub fn verify_password(password: &str, stored: &str, params: &Argon2Params) -> Result<Verification, CryptoError> {
    if stored.len() > MAX_STORED_LEN {
        return Err(CryptoError::Malformed);
    }
    if let Some(rest) = stored.strip_prefix("$argon2id$") {
        verify_argon2id(password, rest, params)
    } else if let Some(rest) = stored.strip_prefix("$pbkdf2-sha512$") {
        verify_pbkdf2(password, rest)
    } else {
        Err(CryptoError::Malformed)
    }
}

/// Strict decimal: no sign, no empty string (Rust's `parse` accepts a leading `+`).
fn parse_u32(s: &str) -> Result<u32, CryptoError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::Malformed);
    }
    s.parse().map_err(|_| CryptoError::Malformed)
}

fn within_limits(got: &Argon2Params, configured: &Argon2Params) -> bool {
    let work = |p: &Argon2Params| u64::from(p.m_cost) * u64::from(p.t_cost);
    got.m_cost <= MAX_M_COST.max(configured.m_cost)
        && got.t_cost <= MAX_T_COST.max(configured.t_cost)
        && got.p_cost <= MAX_P_COST.max(configured.p_cost)
        && work(got) <= MAX_WORK.max(work(configured))
}

/// `v=19$m=..,t=..,p=..$<salt>$<hash>` (after `$argon2id$`).
fn verify_argon2id(password: &str, rest: &str, params: &Argon2Params) -> Result<Verification, CryptoError> {
    let mut parts = rest.split('$');
    let (Some(version), Some(ps), Some(salt), Some(hash), None) = (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(CryptoError::Malformed);
    };
    // Argon2 1.0 (v=16) hashes are not produced by anything we migrate from.
    if version != "v=19" {
        return Err(CryptoError::Malformed);
    }
    let (mut m, mut t, mut p) = (None, None, None);
    for kv in ps.split(',') {
        let (k, v) = kv.split_once('=').ok_or(CryptoError::Malformed)?;
        let slot = match k {
            "m" => &mut m,
            "t" => &mut t,
            "p" => &mut p,
            _ => return Err(CryptoError::Malformed),
        };
        if slot.replace(parse_u32(v)?).is_some() {
            return Err(CryptoError::Malformed);
        }
    }
    let (Some(m_cost), Some(t_cost), Some(p_cost)) = (m, t, p) else { return Err(CryptoError::Malformed) };
    let got = Argon2Params { m_cost, t_cost, p_cost };
    if !within_limits(&got, params) {
        return Err(CryptoError::Malformed);
    }
    let salt = b64().decode(salt).map_err(|_| CryptoError::Malformed)?;
    let expected = b64().decode(hash).map_err(|_| CryptoError::Malformed)?;
    if !(argon2::MIN_SALT_LEN..=64).contains(&salt.len()) || !(16..=64).contains(&expected.len()) {
        return Err(CryptoError::Malformed);
    }
    // Parameters argon2 itself refuses (m < 8 p, zero passes, …) make the hash unusable.
    let out = argon2_raw(password.as_bytes(), &salt, &got, expected.len()).map_err(|_| CryptoError::Malformed)?;
    if ct_eq(&out, &expected) {
        Ok(Verification::Match { needs_rehash: got != *params || expected.len() != OUTPUT_LEN })
    } else {
        Ok(Verification::Mismatch)
    }
}

/// passlib's "ab64": standard base64 with `.` for `+`, no padding.
fn ab64_decode(s: &str) -> Result<Vec<u8>, CryptoError> {
    if s.contains('+') {
        return Err(CryptoError::Malformed);
    }
    b64().decode(s.replace('.', "+")).map_err(|_| CryptoError::Malformed)
}

/// `<rounds>$<salt ab64>$<checksum ab64>` after `$pbkdf2-sha512$` (Zato's `hash_secret`).
fn verify_pbkdf2(password: &str, rest: &str) -> Result<Verification, CryptoError> {
    let mut parts = rest.split('$');
    let (Some(rounds), Some(salt), Some(checksum), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(CryptoError::Malformed);
    };
    let rounds = parse_u32(rounds)?;
    if rounds == 0 || rounds > MAX_PBKDF2_ROUNDS {
        return Err(CryptoError::Malformed);
    }
    let salt = ab64_decode(salt)?;
    let expected = ab64_decode(checksum)?;
    if expected.len() != PBKDF2_LEN || salt.is_empty() {
        return Err(CryptoError::Malformed);
    }
    let mut out = [0u8; PBKDF2_LEN];
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), &salt, rounds, &mut out);
    let ok = ct_eq(&out, &expected);
    out.zeroize();
    // Always upgraded: PBKDF2 is only accepted to migrate away from it.
    Ok(if ok { Verification::Match { needs_rehash: true } } else { Verification::Mismatch })
}

/// Prepares the memory Argon2id with `params` uses (see `argon2id::reserve`), so that the first
/// login in a fresh instance does not pay for it. Invalid parameters prepare nothing: hashing
/// reports them.
pub fn reserve_memory(params: &Argon2Params) {
    if let Ok(p) = Params::new(params.m_cost, params.t_cost, params.p_cost, Some(OUTPUT_LEN)) {
        let _ = argon2id::reserve(&p);
    }
}

/// One Argon2id computation with `params`, result discarded: an unknown user costs the same
/// time as a known one, so timing does not reveal whether a username exists (spec §10 O-1).
pub fn dummy_verify(password: &str, params: &Argon2Params) {
    let out = argon2_raw(password.as_bytes(), DUMMY_SALT, params, OUTPUT_LEN);
    // Compared like a real hash so that step is not skipped either; the answer is unused.
    if let Ok(out) = out {
        core::hint::black_box(ct_eq(&out, &[0u8; OUTPUT_LEN]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: Argon2Params = Argon2Params { m_cost: 64, t_cost: 1, p_cost: 1 };

    #[test]
    fn default_is_owasp() {
        assert_eq!(Argon2Params::default(), Argon2Params { m_cost: 19_456, t_cost: 2, p_cost: 1 });
    }

    #[test]
    fn argon2id_round_trip() {
        let phc = hash_password("hunter2 hunter2", &FAST).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        let parts: Vec<&str> = phc.split('$').collect();
        assert_eq!(parts.len(), 6);
        assert_eq!(b64().decode(parts[4]).unwrap().len(), SALT_LEN);
        assert_eq!(b64().decode(parts[5]).unwrap().len(), OUTPUT_LEN);
        assert_eq!(verify_password("hunter2 hunter2", &phc, &FAST).unwrap(), Verification::Match { needs_rehash: false });
        assert_eq!(verify_password("hunter2 hunter3", &phc, &FAST).unwrap(), Verification::Mismatch);
        assert_eq!(verify_password("", &phc, &FAST).unwrap(), Verification::Mismatch);
        assert_ne!(hash_password("same", &FAST).unwrap(), hash_password("same", &FAST).unwrap(), "salted");
        let unicode = hash_password("pässwörd 🔑", &FAST).unwrap();
        assert_eq!(verify_password("pässwörd 🔑", &unicode, &FAST).unwrap(), Verification::Match { needs_rehash: false });
        let empty = hash_password("", &FAST).unwrap();
        assert_eq!(verify_password("", &empty, &FAST).unwrap(), Verification::Match { needs_rehash: false });
    }

    #[test]
    fn argon2id_with_default_params() {
        let p = Argon2Params::default();
        let phc = hash_password("correct horse", &p).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(verify_password("correct horse", &phc, &p).unwrap(), Verification::Match { needs_rehash: false });
    }

    #[test]
    fn argon2id_reference_vectors() {
        // From the reference implementation (phc-winner-argon2 `make test`), as the argon2
        // crate's own known-answer tests carry them.
        for (phc, params) in [
            (
                "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
                Argon2Params { m_cost: 256, t_cost: 2, p_cost: 1 },
            ),
            (
                "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
                Argon2Params { m_cost: 256, t_cost: 2, p_cost: 2 },
            ),
        ] {
            assert_eq!(verify_password("password", phc, &params).unwrap(), Verification::Match { needs_rehash: false });
            assert_eq!(verify_password("password", phc, &FAST).unwrap(), Verification::Match { needs_rehash: true });
            assert_eq!(verify_password("passwore", phc, &params).unwrap(), Verification::Mismatch);
        }
    }

    #[test]
    fn needs_rehash_when_params_differ() {
        let phc = hash_password("pw", &FAST).unwrap();
        for other in [
            Argon2Params { m_cost: 128, ..FAST },
            Argon2Params { t_cost: 2, ..FAST },
            Argon2Params { p_cost: 2, ..FAST },
            Argon2Params { m_cost: 32, ..FAST },
            Argon2Params::default(),
        ] {
            assert_eq!(verify_password("pw", &phc, &other).unwrap(), Verification::Match { needs_rehash: true }, "{other:?}");
            assert_eq!(verify_password("px", &phc, &other).unwrap(), Verification::Mismatch);
        }
        // Same parameters but a longer output than ours.
        let out = argon2_raw(b"pw", b"saltsalt", &FAST, 64).unwrap();
        let long = format!("$argon2id$v=19$m=64,t=1,p=1${}${}", b64().encode(b"saltsalt"), b64().encode(&*out));
        assert_eq!(verify_password("pw", &long, &FAST).unwrap(), Verification::Match { needs_rehash: true });
        // Parameter order in the string does not matter.
        let parts: Vec<&str> = phc.split('$').collect();
        let reordered = format!("$argon2id$v=19$p=1,t=1,m=64${}${}", parts[4], parts[5]);
        assert_eq!(verify_password("pw", &reordered, &FAST).unwrap(), Verification::Match { needs_rehash: false });
    }

    #[test]
    fn invalid_params_are_hash_errors() {
        for bad in [
            Argon2Params { m_cost: 0, ..FAST },
            Argon2Params { t_cost: 0, ..FAST },
            Argon2Params { p_cost: 0, ..FAST },
            Argon2Params { m_cost: 8, t_cost: 1, p_cost: 2 },
        ] {
            assert!(matches!(hash_password("pw", &bad), Err(CryptoError::Hash(_))), "{bad:?}");
            dummy_verify("pw", &bad);
        }
    }

    /// Computed with Python: `hashlib.pbkdf2_hmac('sha512', password, salt, rounds)`, salt and
    /// checksum written in passlib's ab64 by hand (`b64encode(..).rstrip('=').replace('+', '.')`).
    const PYTHON_VECTORS: [(&str, &str); 3] = [
        // salt b"saltsaltsaltsalt", 1000 rounds
        ("password", "$pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA$715rqIr5dXOVPpBhqqsugl037zT5bWJTWYmZtIcK8hBnisKpwfY7kokvwjDrNHqHhF50Pb7MD6HvkJwiDQw4ww"),
        // salt bytes(range(200, 216)), 1000 rounds: '/' and '.' in the encodings
        ("password", "$pbkdf2-sha512$1000$yMnKy8zNzs/Q0dLT1NXW1w$Nrhfv.Ow4hyxmAhUHGZgt0yU/IOU5BSUaf/74L3rktTcEPGk3lPJLM3zeUt4zv3Jh9d2O6m8uoStmW/19F8GvA"),
        // 64-byte salt (Zato's default size) of 0xfb 0xef 0xbe…, 2000 rounds, UTF-8 password
        ("pässwörd", "$pbkdf2-sha512$2000$.....................................................................................w$SCwBGCMbUvqXFl5RDXm0Ze6g21WW52Nw88vH46VGlYwpABNCkSDLRA5eosgs7zZ3vJFHDKiRL/SvVysW.TNyBg"),
    ];

    #[test]
    fn zato_pbkdf2_sha512_hashes_verify() {
        for (pw, stored) in PYTHON_VECTORS {
            assert_eq!(verify_password(pw, stored, &FAST).unwrap(), Verification::Match { needs_rehash: true }, "{stored}");
            assert_eq!(verify_password(&pw.to_uppercase(), stored, &FAST).unwrap(), Verification::Mismatch);
            assert_eq!(verify_password("", stored, &FAST).unwrap(), Verification::Mismatch);
            assert_eq!(verify_password(&format!("{pw} "), stored, &FAST).unwrap(), Verification::Mismatch);
        }
        // Other rounds than the ones the checksum was made with.
        let (pw, stored) = PYTHON_VECTORS[0];
        assert_eq!(verify_password(pw, &stored.replace("$1000$", "$1001$"), &FAST).unwrap(), Verification::Mismatch);
    }

    #[test]
    fn cost_limits() {
        let cfg = Argon2Params::default();
        assert!(within_limits(&cfg, &cfg));
        assert!(within_limits(&Argon2Params { m_cost: MAX_M_COST, t_cost: 4, p_cost: 1 }, &cfg));
        assert!(!within_limits(&Argon2Params { m_cost: MAX_M_COST + 1, t_cost: 1, p_cost: 1 }, &cfg));
        assert!(!within_limits(&Argon2Params { m_cost: 64, t_cost: MAX_T_COST + 1, p_cost: 1 }, &cfg));
        assert!(!within_limits(&Argon2Params { m_cost: 64, t_cost: 1, p_cost: MAX_P_COST + 1 }, &cfg));
        assert!(!within_limits(&Argon2Params { m_cost: MAX_M_COST, t_cost: 5, p_cost: 1 }, &cfg));
        assert!(!within_limits(&Argon2Params { m_cost: u32::MAX, t_cost: u32::MAX, p_cost: u32::MAX }, &cfg));
        // An operator's own heavier parameters stay verifiable.
        let heavy = Argon2Params { m_cost: 2 * MAX_M_COST, t_cost: 3, p_cost: 32 };
        assert!(within_limits(&heavy, &heavy));
        // Refused before any work: these would take minutes or gigabytes.
        for s in [
            "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=1048576,t=100,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$argon2id$v=19$m=256,t=4294967295,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "$pbkdf2-sha512$4294967295$c2FsdHNhbHRzYWx0c2FsdA$715rqIr5dXOVPpBhqqsugl037zT5bWJTWYmZtIcK8hBnisKpwfY7kokvwjDrNHqHhF50Pb7MD6HvkJwiDQw4ww",
            "$pbkdf2-sha512$10000001$c2FsdHNhbHRzYWx0c2FsdA$715rqIr5dXOVPpBhqqsugl037zT5bWJTWYmZtIcK8hBnisKpwfY7kokvwjDrNHqHhF50Pb7MD6HvkJwiDQw4ww",
        ] {
            assert_eq!(verify_password("password", s, &cfg), Err(CryptoError::Malformed), "{s}");
        }
    }

    #[test]
    fn malformed_hashes_never_panic() {
        let good = "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
        let zato = PYTHON_VECTORS[0].1;
        let long = "$argon2id$".to_string() + &"x".repeat(5000);
        let fixed: Vec<String> = [
            "",
            "$",
            "$$",
            "$$$$$$",
            "plain text",
            "password",
            "$argon2id$",
            "$argon2id$v=19",
            "$argon2id$v=19$m=64,t=1,p=1$",
            "$argon2id$v=19$m=64,t=1,p=1$$",
            "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$",
            "$argon2id$v=19$m=64,t=1,p=1$$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=0,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=0,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=1,p=0$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=8,t=1,p=2$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=1,p=1,x=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=+64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=-64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=99999999999,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=1,p=1$!!$!!",
            "$argon2id$v=19$m=64,t=1,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAA",
            "$argon2id$v=16$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2i$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$argon2d$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$ARGON2ID$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
            "$pbkdf2-sha512$",
            "$pbkdf2-sha512$0$AA$AA",
            "$pbkdf2-sha512$$AA$AA",
            "$pbkdf2-sha512$1000$AA",
            "$pbkdf2-sha512$1000$$AA",
            "$pbkdf2-sha512$-1$AA$AA",
            "$pbkdf2-sha512$+1000$AA$AA",
            "$pbkdf2-sha512$1e3$AA$AA",
            "$pbkdf2-sha256$1000$AA$AA",
            "$pbkdf2$1000$AA$AA",
            "gAAAAABhashsealedbyzato",
            "zato.secf.gAAAA",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([
            long,
            format!("{good}$"),
            format!("{good}="),
            format!("${good}"),
            good.replace('$', "$$"),
            good.replace("c29tZXNhbHQ", "c29tZXNhbH"),
            good.replacen('/', "+", 1).replace('+', "."),
            format!("{zato}$"),
            zato.replacen("$c2F", "$+2F", 1),
            zato.replacen("$715", "$71", 1),
            zato.replacen("$715", "$715AAAA", 1),
            format!("{zato}é"),
        ])
        .collect();
        for s in &fixed {
            assert_eq!(verify_password("password", s, &FAST), Err(CryptoError::Malformed), "{s}");
        }
        // Random splices of valid pieces.
        let pieces = [
            "$",
            "argon2id",
            "pbkdf2-sha512",
            "v=19",
            "m=64",
            ",",
            "t=1",
            "p=1",
            "=",
            "1000",
            "AAAA",
            "c29tZXNhbHQ",
            ".",
            "/",
            "+",
            "é",
            "\u{0}",
            "0",
        ];
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 24) as usize;
            let mut s = String::new();
            let mut y = x;
            for _ in 0..n {
                s.push_str(pieces[(y % pieces.len() as u64) as usize]);
                y = y.rotate_right(5) ^ 0x9E37_79B9_7F4A_7C15;
            }
            let _ = verify_password("password", &s, &FAST);
        }
    }

    #[test]
    fn reserve_memory_then_hash() {
        reserve_memory(&Argon2Params { m_cost: 256, t_cost: 1, p_cost: 1 });
        reserve_memory(&Argon2Params { m_cost: 0, t_cost: 0, p_cost: 0 });
        let phc = hash_password("pw", &FAST).unwrap();
        assert_eq!(verify_password("pw", &phc, &FAST).unwrap(), Verification::Match { needs_rehash: false });
    }

    #[test]
    fn dummy_verify_runs() {
        dummy_verify("anything", &FAST);
        dummy_verify("", &FAST);
    }
}
