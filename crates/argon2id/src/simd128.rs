//! The 1 KiB block and the compression function G on wasm `v128`s, two 64-bit words each: the
//! reference's SSE2 `opt.c`. Rotations are what V8 compiles to the fewest x64 instructions: by
//! 32 a dword shuffle, by 16 two word shuffles, by 24 and 63 two shifts and an OR (an arbitrary
//! byte shuffle costs V8 a mask built in registers each time).
//!
//! `core::arch::wasm32`'s SIMD functions are safe when `simd128` is enabled at compile time,
//! which is the only way this module is compiled: no `unsafe` here.

use core::arch::wasm32::*;

/// One Argon2 memory block: eight rows of eight `v128`s (16 words a row), word 2i in lane 0 and
/// word 2i+1 in lane 1 of the i-th `v128`.
#[derive(Clone)]
#[repr(align(64))]
pub(super) struct Block([[v128; 8]; 8]);

impl Block {
    pub(super) const ZERO: Block = Block([[u64x2(0, 0); 8]; 8]);

    pub(super) fn from_bytes(bytes: &[u8; 1024]) -> Block {
        let mut b = Block::ZERO;
        for (v, chunk) in b.0.iter_mut().flatten().zip(bytes.chunks_exact(16)) {
            let lo = u64::from_le_bytes(chunk[..8].try_into().unwrap_or_default());
            let hi = u64::from_le_bytes(chunk[8..].try_into().unwrap_or_default());
            *v = u64x2(lo, hi);
        }
        b
    }

    pub(super) fn to_bytes(&self, out: &mut [u8; 1024]) {
        for (v, chunk) in self.0.iter().flatten().zip(out.chunks_exact_mut(16)) {
            chunk[..8].copy_from_slice(&u64x2_extract_lane::<0>(*v).to_le_bytes());
            chunk[8..].copy_from_slice(&u64x2_extract_lane::<1>(*v).to_le_bytes());
        }
    }

    /// A block whose first words are `words`, the rest zero (the address generator's input).
    pub(super) fn from_words(words: &[u64]) -> Block {
        let mut b = Block::ZERO;
        for (v, pair) in b.0.iter_mut().flatten().zip(words.chunks(2)) {
            *v = u64x2(pair[0], pair.get(1).copied().unwrap_or(0));
        }
        b
    }

    pub(super) fn word(&self, i: usize) -> u64 {
        let v = self.0[i / 16][(i / 2) % 8];
        if i % 2 == 0 {
            u64x2_extract_lane::<0>(v)
        } else {
            u64x2_extract_lane::<1>(v)
        }
    }

    pub(super) fn xor_assign(&mut self, other: &Block) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            for (a, b) in a.iter_mut().zip(b) {
                *a = v128_xor(*a, *b);
            }
        }
    }
}

/// BlaMka's multiply-add on two pairs: x + y + 2·lo32(x)·lo32(y) for (x0, y0) and (x1, y1).
///
/// One shuffle gathers the low halves of x0 and x1 (another those of y0 and y1), and the two
/// widening multiplies take their low and high halves. `opaque_zero` is a zero LLVM cannot see:
/// adding it (one instruction) keeps LLVM from turning the gather and widening multiply into a
/// full `i64x2.mul`, which V8 expands into eight instructions.
#[inline(always)]
fn blamka2(x0: v128, y0: v128, x1: v128, y1: v128, opaque_zero: v128) -> (v128, v128) {
    let xl = u8x16_add_sat(i32x4_shuffle::<0, 2, 4, 6>(x0, x1), opaque_zero);
    let yl = u8x16_add_sat(i32x4_shuffle::<0, 2, 4, 6>(y0, y1), opaque_zero);
    let (m0, m1) = (u64x2_extmul_low_u32x4(xl, yl), u64x2_extmul_high_u32x4(xl, yl));
    (i64x2_add(i64x2_add(x0, y0), i64x2_add(m0, m0)), i64x2_add(i64x2_add(x1, y1), i64x2_add(m1, m1)))
}

#[inline(always)]
fn rotr32(x: v128) -> v128 {
    i32x4_shuffle::<1, 0, 3, 2>(x, x)
}

#[inline(always)]
fn rotr24(x: v128) -> v128 {
    v128_or(u64x2_shr(x, 24), i64x2_shl(x, 40))
}

#[inline(always)]
fn rotr16(x: v128) -> v128 {
    i16x8_shuffle::<1, 2, 3, 0, 5, 6, 7, 4>(x, x)
}

#[inline(always)]
fn rotr63(x: v128) -> v128 {
    v128_xor(u64x2_shr(x, 63), i64x2_add(x, x))
}

/// Half of G on two column pairs: `(a, b, c, d)` with rotations `r1` then `r2`.
macro_rules! half_round {
    ($zero:ident, $a0:ident, $a1:ident, $b0:ident, $b1:ident, $c0:ident, $c1:ident, $d0:ident, $d1:ident, $r1:ident, $r2:ident) => {
        ($a0, $a1) = blamka2($a0, $b0, $a1, $b1, $zero);
        $d0 = $r1(v128_xor($d0, $a0));
        $d1 = $r1(v128_xor($d1, $a1));
        ($c0, $c1) = blamka2($c0, $d0, $c1, $d1, $zero);
        $b0 = $r2(v128_xor($b0, $c0));
        $b1 = $r2(v128_xor($b1, $c1));
    };
}

/// Diagonalise: rotate row b left by one word, c by two, d by three.
macro_rules! diagonalise {
    ($b0:ident, $b1:ident, $c0:ident, $c1:ident, $d0:ident, $d1:ident) => {
        ($b0, $b1) = (i64x2_shuffle::<1, 2>($b0, $b1), i64x2_shuffle::<1, 2>($b1, $b0));
        ($c0, $c1) = ($c1, $c0);
        ($d0, $d1) = (i64x2_shuffle::<1, 2>($d1, $d0), i64x2_shuffle::<1, 2>($d0, $d1));
    };
}

/// And back.
macro_rules! undiagonalise {
    ($b0:ident, $b1:ident, $c0:ident, $c1:ident, $d0:ident, $d1:ident) => {
        ($b0, $b1) = (i64x2_shuffle::<1, 2>($b1, $b0), i64x2_shuffle::<1, 2>($b0, $b1));
        ($c0, $c1) = ($c1, $c0);
        ($d0, $d1) = (i64x2_shuffle::<1, 2>($d0, $d1), i64x2_shuffle::<1, 2>($d1, $d0));
    };
}

/// The permutation P on two independent sets of eight `v128`s (16 words each), their steps
/// interleaved: each step of G waits on the one before (a multiply's latency), and the other
/// set's step fills that wait.
#[inline(always)]
fn permute2(v: [v128; 8], w: [v128; 8], z: v128) -> ([v128; 8], [v128; 8]) {
    let [mut a0, mut a1, mut b0, mut b1, mut c0, mut c1, mut d0, mut d1] = v;
    let [mut e0, mut e1, mut f0, mut f1, mut g0, mut g1, mut h0, mut h1] = w;
    half_round!(z, a0, a1, b0, b1, c0, c1, d0, d1, rotr32, rotr24);
    half_round!(z, e0, e1, f0, f1, g0, g1, h0, h1, rotr32, rotr24);
    half_round!(z, a0, a1, b0, b1, c0, c1, d0, d1, rotr16, rotr63);
    half_round!(z, e0, e1, f0, f1, g0, g1, h0, h1, rotr16, rotr63);
    diagonalise!(b0, b1, c0, c1, d0, d1);
    diagonalise!(f0, f1, g0, g1, h0, h1);
    half_round!(z, a0, a1, b0, b1, c0, c1, d0, d1, rotr32, rotr24);
    half_round!(z, e0, e1, f0, f1, g0, g1, h0, h1, rotr32, rotr24);
    half_round!(z, a0, a1, b0, b1, c0, c1, d0, d1, rotr16, rotr63);
    half_round!(z, e0, e1, f0, f1, g0, g1, h0, h1, rotr16, rotr63);
    undiagonalise!(b0, b1, c0, c1, d0, d1);
    undiagonalise!(f0, f1, g0, g1, h0, h1);
    ([a0, a1, b0, b1, c0, c1, d0, d1], [e0, e1, f0, f1, g0, g1, h0, h1])
}

/// G(X, Y) with X in `state` and Y in `reference`, written to `next` (XORed over its old value
/// when `with_xor`, as passes after the first do) and left in `state` for the next block.
pub(super) fn compress(state: &mut Block, reference: &Block, next: &mut Block, with_xor: bool) {
    // Opaque to LLVM, so that it keeps `blamka2`'s widening multiplies (see there).
    let zero = core::hint::black_box(u64x2(0, 0));
    let mut keep = [[u64x2(0, 0); 8]; 8];
    let rows = &mut state.0;
    // Rows: X ⊕ Y is formed as each pair of rows is loaded, and kept (⊕ the old `next`), rather
    // than in a pass of its own over the block (one store and load fewer per vector).
    for r in (0..8).step_by(2) {
        let v: [v128; 8] = core::array::from_fn(|c| v128_xor(rows[r][c], reference.0[r][c]));
        let w: [v128; 8] = core::array::from_fn(|c| v128_xor(rows[r + 1][c], reference.0[r + 1][c]));
        if with_xor {
            keep[r] = core::array::from_fn(|c| v128_xor(v[c], next.0[r][c]));
            keep[r + 1] = core::array::from_fn(|c| v128_xor(w[c], next.0[r + 1][c]));
        } else {
            (keep[r], keep[r + 1]) = (v, w);
        }
        (rows[r], rows[r + 1]) = permute2(v, w, zero);
    }
    // Columns: the result ⊕ what was kept is written as each pair of columns is done.
    for col in (0..8).step_by(2) {
        let (p, q) = permute2(core::array::from_fn(|r| rows[r][col]), core::array::from_fn(|r| rows[r][col + 1]), zero);
        for r in 0..8 {
            let (a, b) = (v128_xor(p[r], keep[r][col]), v128_xor(q[r], keep[r][col + 1]));
            (rows[r][col], rows[r][col + 1]) = (a, b);
            (next.0[r][col], next.0[r][col + 1]) = (a, b);
        }
    }
}
