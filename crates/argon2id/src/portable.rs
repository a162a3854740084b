//! The 1 KiB block and the compression function G on plain `u64`s: the reference's `ref.c`.
//! Used natively and in wasm builds without `simd128`.

/// One Argon2 memory block: 128 little-endian 64-bit words.
#[derive(Clone)]
#[repr(align(64))]
pub(super) struct Block([u64; 128]);

impl Block {
    pub(super) const ZERO: Block = Block([0; 128]);

    pub(super) fn from_bytes(bytes: &[u8; 1024]) -> Block {
        let mut b = Block::ZERO;
        for (w, chunk) in b.0.iter_mut().zip(bytes.chunks_exact(8)) {
            *w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        }
        b
    }

    pub(super) fn to_bytes(&self, out: &mut [u8; 1024]) {
        for (w, chunk) in self.0.iter().zip(out.chunks_exact_mut(8)) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
    }

    /// A block whose first words are `words`, the rest zero (the address generator's input).
    pub(super) fn from_words(words: &[u64]) -> Block {
        let mut b = Block::ZERO;
        b.0[..words.len()].copy_from_slice(words);
        b
    }

    pub(super) fn word(&self, i: usize) -> u64 {
        self.0[i]
    }

    pub(super) fn xor_assign(&mut self, other: &Block) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a ^= b;
        }
    }
}

/// BlaMka's multiply-add: x + y + 2·lo32(x)·lo32(y), modulo 2^64.
#[inline(always)]
fn blamka(x: u64, y: u64) -> u64 {
    let m = (x & 0xFFFF_FFFF).wrapping_mul(y & 0xFFFF_FFFF);
    x.wrapping_add(y).wrapping_add(m.wrapping_add(m))
}

#[inline(always)]
fn gb(v: &mut [u64; 128], a: usize, b: usize, c: usize, d: usize) {
    v[a] = blamka(v[a], v[b]);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = blamka(v[c], v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = blamka(v[a], v[b]);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = blamka(v[c], v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}

/// The permutation P on the 16 words at indexes `i` of `v`.
#[inline(always)]
fn permute(v: &mut [u64; 128], i: [usize; 16]) {
    gb(v, i[0], i[4], i[8], i[12]);
    gb(v, i[1], i[5], i[9], i[13]);
    gb(v, i[2], i[6], i[10], i[14]);
    gb(v, i[3], i[7], i[11], i[15]);
    gb(v, i[0], i[5], i[10], i[15]);
    gb(v, i[1], i[6], i[11], i[12]);
    gb(v, i[2], i[7], i[8], i[13]);
    gb(v, i[3], i[4], i[9], i[14]);
}

/// G(X, Y) with X in `state` and Y in `reference`, written to `next` (XORed over its old value
/// when `with_xor`, as passes after the first do) and left in `state` for the next block.
pub(super) fn compress(state: &mut Block, reference: &Block, next: &mut Block, with_xor: bool) {
    state.xor_assign(reference);
    let mut keep = state.clone();
    if with_xor {
        keep.xor_assign(next);
    }
    let v = &mut state.0;
    for row in 0..8 {
        let r = 16 * row;
        permute(v, core::array::from_fn(|k| r + k));
    }
    for col in 0..8 {
        let c = 2 * col;
        permute(v, core::array::from_fn(|k| c + (k / 2) * 16 + (k % 2)));
    }
    state.xor_assign(&keep);
    next.0.copy_from_slice(&state.0);
}
