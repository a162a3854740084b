//! H′, Argon2's variable-length hash (RFC 9106 §3.3), on the `blake2` crate's BLAKE2b.
//!
//! Outputs of up to 64 bytes are one BLAKE2b of that length; longer outputs chain 64-byte
//! BLAKE2b hashes, keeping the first 32 bytes of each, and end with one of the remaining length.

use blake2::digest::block_api::{UpdateCore, VariableOutputCore};
use blake2::digest::block_buffer::LazyBuffer;
use blake2::{Blake2b512, Blake2bVarCore, Digest};

/// BLAKE2b with an output of `out.len()` bytes (1..=64) over the concatenation of `inputs`.
fn blake2b_var(inputs: &[&[u8]], out: &mut [u8]) {
    // `out.len()` is 1..=64 at every call site, which is all `new` refuses.
    let Ok(mut core) = Blake2bVarCore::new(out.len()) else { unreachable!("BLAKE2b output length {} outside 1..=64", out.len()) };
    let mut buffer = LazyBuffer::new(&[]);
    for input in inputs {
        buffer.digest_blocks(input, |blocks| core.update_blocks(blocks));
    }
    let mut full = Default::default();
    core.finalize_variable_core(&mut buffer, &mut full);
    out.copy_from_slice(&full[..out.len()]);
}

/// H′(inputs) into `out`; `out` is 1..=u32::MAX bytes (callers pass 4.. or exactly 1024).
pub(super) fn hash_long(inputs: &[&[u8]], out: &mut [u8]) {
    let len = (out.len() as u32).to_le_bytes();
    if out.len() <= 64 {
        let mut all = Vec::with_capacity(inputs.len() + 1);
        all.push(&len[..]);
        all.extend_from_slice(inputs);
        blake2b_var(&all, out);
        return;
    }
    let mut hasher = Blake2b512::new();
    hasher.update(len);
    for input in inputs {
        hasher.update(input);
    }
    let mut v = hasher.finalize();
    out[..32].copy_from_slice(&v[..32]);
    let mut rest = &mut out[32..];
    while rest.len() > 64 {
        v = Blake2b512::digest(v);
        let (chunk, tail) = rest.split_at_mut(32);
        chunk.copy_from_slice(&v[..32]);
        rest = tail;
    }
    blake2b_var(&[&v[..]], rest);
}
