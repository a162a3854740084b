//! Differential tests: RFC 9106's Argon2id vector, then random inputs against the `argon2`
//! crate (the reference), including secrets, associated data, several lanes and long outputs.

use super::hash_into;
use argon2::{Algorithm, Argon2, Version};
use argon2::{Error, Params};

fn reference(params: &Params, secret: &[u8], password: &[u8], salt: &[u8], out_len: usize) -> Vec<u8> {
    let ctx = if secret.is_empty() {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
    } else {
        Argon2::new_with_secret(secret, Algorithm::Argon2id, Version::V0x13, params.clone()).unwrap()
    };
    let mut out = vec![0u8; out_len];
    ctx.hash_password_into(password, salt, &mut out).unwrap();
    out
}

fn ours(params: &Params, secret: &[u8], password: &[u8], salt: &[u8], out_len: usize) -> Vec<u8> {
    let mut out = vec![0u8; out_len];
    hash_into(params, secret, password, salt, &mut out).unwrap();
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn rfc9106_argon2id_vector() {
    // RFC 9106 §5.3: m=32, t=3, p=4, 32-byte tag, with secret and associated data.
    let data = argon2::AssociatedData::new(&[4u8; 12]).unwrap();
    let params = argon2::ParamsBuilder::new().m_cost(32).t_cost(3).p_cost(4).output_len(32).data(data).build().unwrap();
    let tag = ours(&params, &[3u8; 8], &[1u8; 32], &[2u8; 16], 32);
    assert_eq!(hex(&tag), "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    assert_eq!(tag, reference(&params, &[3u8; 8], &[1u8; 32], &[2u8; 16], 32));
}

#[test]
fn phc_reference_vectors() {
    // phc-winner-argon2's `make test` vectors for Argon2id (no secret, no data).
    for (m, p, want) in [
        (256, 1, "9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe"),
        (256, 2, "6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037"),
    ] {
        let params = Params::new(m, 2, p, Some(32)).unwrap();
        assert_eq!(hex(&ours(&params, &[], b"password", b"somesalt", 32)), want, "m={m} p={p}");
    }
}

/// xorshift64*: deterministic, so a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Random bytes, of a length in `min..min + spread`.
    fn bytes(&mut self, min: usize, spread: u64) -> Vec<u8> {
        let len = min + self.below(spread) as usize;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn random_inputs_match_the_argon2_crate() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for case in 0..2000 {
        let p = 1 + rng.below(4) as u32;
        let t = 1 + rng.below(4) as u32;
        // Mostly small memories (fast), every 50th up to 320 KiB; not multiples of 4 p too.
        let m = if case % 50 == 0 { 8 * p + rng.below(320) as u32 } else { 8 * p + rng.below(40) as u32 };
        let out_len = match rng.below(4) {
            0 => 4 + rng.below(61) as usize,
            1 => 32,
            2 => 65 + rng.below(200) as usize,
            _ => 64,
        };
        let password = rng.bytes(0, 80);
        let salt = rng.bytes(8, 56);
        let secret = if rng.below(3) == 0 { rng.bytes(1, 32) } else { Vec::new() };
        let mut builder = argon2::ParamsBuilder::new();
        builder.m_cost(m).t_cost(t).p_cost(p).output_len(out_len);
        if rng.below(3) == 0 {
            builder.data(argon2::AssociatedData::new(&rng.bytes(0, 33)).unwrap());
        }
        let params = builder.build().unwrap();
        assert_eq!(
            ours(&params, &secret, &password, &salt, out_len),
            reference(&params, &secret, &password, &salt, out_len),
            "case {case}: m={m} t={t} p={p} len={out_len} password={} salt={} secret={} data={}",
            hex(&password),
            hex(&salt),
            hex(&secret),
            hex(params.data())
        );
    }
}

#[test]
fn owasp_parameters_match_the_argon2_crate() {
    let params = Params::new(19_456, 2, 1, Some(32)).unwrap();
    assert_eq!(ours(&params, &[], b"correct horse", b"0123456789abcdef", 32), reference(&params, &[], b"correct horse", b"0123456789abcdef", 32));
}

#[test]
fn refuses_what_the_argon2_crate_refuses() {
    let params = Params::new(64, 1, 1, Some(32)).unwrap();
    let mut out = [0u8; 32];
    assert_eq!(hash_into(&params, &[], b"pw", b"short", &mut out), Err(Error::SaltTooShort));
    assert_eq!(hash_into(&params, &[], b"pw", b"saltsalt", &mut out[..31]), Err(Error::OutputTooShort));
    let mut long = [0u8; 33];
    assert_eq!(hash_into(&params, &[], b"pw", b"saltsalt", &mut long), Err(Error::OutputTooLong));
    let any_len = Params::new(64, 1, 1, None).unwrap();
    assert_eq!(hash_into(&any_len, &[], b"pw", b"saltsalt", &mut out[..3]), Err(Error::OutputTooShort));
    assert_eq!(hash_into(&any_len, &[], b"pw", b"saltsalt", &mut long), Ok(()));
}
