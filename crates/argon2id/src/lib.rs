#![forbid(unsafe_code)]
//! Argon2id (RFC 9106, version 0x13), computing the raw hash. The compression function runs on
//! wasm `simd128` when the build enables it (edge-sso's `.cargo/config.toml`), else on plain
//! `u64`s. No `unsafe` anywhere.
//!
//! The `argon2` crate stays in charge of parameters (`argon2::Params` validates them, and this
//! module takes them from there) and is the reference the tests compare against: this module
//! exists for speed, since LLVM does not vectorise the crate's scalar compression function.
//! Lanes are computed one after another (there are no threads in a worker).
//!
//! Tested in edge-sso (src/crypto/argon2id/tests.rs): RFC 9106's vector and thousands of random
//! inputs against the `argon2` crate, natively and (tests/js/argon2id.test.mjs) in wasm.

mod blake2b_long;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod portable;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
use portable::{compress, Block};
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use simd128::{compress, Block};

use argon2::{Error, Params};
use blake2::{Blake2b512, Digest};
use zeroize::Zeroize;

const VERSION: u32 = 0x13;
/// Argon2id's type number in H0 and in the address generator's input.
const TYPE_ID: u32 = 2;
const SYNC_POINTS: usize = 4;
/// Words of a block, and so addresses per address block.
const WORDS: usize = 128;
/// The warm-up hash's memory in KiB: enough calls of the compression function for V8 to start
/// optimising it, a few milliseconds in the baseline compiler.
const WARM_UP_BLOCKS: u32 = 256;

/// Which compression function this build uses: `"simd128"` or `"portable"`.
pub const IMPLEMENTATION: &str = if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) { "simd128" } else { "portable" };

/// Argon2id of `password` and `salt` with `params` (and its associated data) and the optional
/// `secret`, into `out`. Inputs the `argon2` crate refuses are refused with its errors.
pub fn hash_into(params: &Params, secret: &[u8], password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), Error> {
    if out.len() < params.output_len().unwrap_or(Params::MIN_OUTPUT_LEN) {
        return Err(Error::OutputTooShort);
    }
    if out.len() > params.output_len().unwrap_or(Params::MAX_OUTPUT_LEN) {
        return Err(Error::OutputTooLong);
    }
    if u32::try_from(password.len()).is_err() {
        return Err(Error::PwdTooLong);
    }
    if salt.len() < argon2::MIN_SALT_LEN {
        return Err(Error::SaltTooShort);
    }
    if u32::try_from(salt.len()).is_err() {
        return Err(Error::SaltTooLong);
    }
    if u32::try_from(secret.len()).is_err() {
        return Err(Error::SecretTooLong);
    }
    let geometry = Geometry::new(params);
    let mut h0 = initial_hash(params, secret, password, salt, out.len());
    let result = with_memory(geometry.blocks(), |memory| {
        first_blocks(&geometry, &h0, memory);
        for pass in 0..geometry.passes {
            for slice in 0..SYNC_POINTS {
                for lane in 0..geometry.lanes {
                    fill_segment(&geometry, memory, Position { pass, lane, slice });
                }
            }
        }
        finish(&geometry, memory, out);
        // After two or more passes every block left depends on a whole pass over the memory, so
        // it costs a password guess the full hash to reproduce. After one, the early blocks are
        // cheap to recompute from a guess, so the memory is wiped.
        if geometry.passes == 1 {
            memory.fill(Block::ZERO);
        }
    });
    h0.zeroize();
    result
}

/// Allocates the block memory a hash with `params` needs (writing it, so its pages are
/// mapped), ahead of the first hash: in a fresh wasm instance, growing and first touching 19 MiB
/// costs about a third of a hash, which otherwise lands on the first login.
pub fn reserve(params: &Params) -> Result<(), Error> {
    with_memory(Geometry::new(params).blocks(), |_| {})?;
    warm_up();
    Ok(())
}

std::thread_local! {
    static WARMED_UP: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// One small hash, once per instance: V8 runs new wasm code in its baseline compiler and moves
/// a function to optimised code only after it has run for a while, on a background thread. This
/// starts that for the compression function before the first real hash, which then runs mostly
/// optimised code (README, "What one login costs").
fn warm_up() {
    if WARMED_UP.with(|w| w.replace(true)) {
        return;
    }
    if let Ok(params) = Params::new(WARM_UP_BLOCKS, 1, 1, Some(32)) {
        let mut out = [0u8; 32];
        let _ = hash_into(&params, &[], b"warm-up", b"warm-up!", &mut out);
    }
}

std::thread_local! {
    /// The block memory of the last hash, reused: allocating and zeroing 19 MiB per hash costs
    /// about a tenth of the hash's time, and a wasm instance's memory never shrinks anyway.
    static MEMORY: core::cell::RefCell<Vec<Block>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` on `blocks` blocks of memory (their contents are whatever was left there: every
/// block is written before it is read).
fn with_memory(blocks: usize, f: impl FnOnce(&mut [Block])) -> Result<(), Error> {
    let run = |memory: &mut Vec<Block>| {
        if memory.len() < blocks {
            memory.try_reserve_exact(blocks - memory.len()).map_err(|_| Error::OutOfMemory)?;
            memory.resize(blocks, Block::ZERO);
        }
        f(&mut memory[..blocks]);
        Ok(())
    };
    MEMORY.with(|cell| match cell.try_borrow_mut() {
        Ok(mut memory) => run(&mut memory),
        // Not reached (nothing calls back in here while a hash runs); a fresh buffer if it were.
        Err(_) => run(&mut Vec::new()),
    })
}

/// Sizes derived from the parameters (RFC 9106 §3.2 steps 1 and 5).
struct Geometry {
    lanes: usize,
    passes: usize,
    /// Blocks per lane, q.
    lane_length: usize,
    /// Blocks per segment, q / 4.
    segment_length: usize,
    /// The m′ and t words of the address generator's input.
    m_blocks: u64,
    t_cost: u64,
}

impl Geometry {
    fn new(params: &Params) -> Geometry {
        let lanes = params.p_cost() as usize;
        // `Params` guarantees m ≥ 8 p; m′ rounds m down to a multiple of 4 p.
        let segment_length = (params.m_cost() as usize).max(2 * SYNC_POINTS * lanes) / (SYNC_POINTS * lanes);
        let lane_length = segment_length * SYNC_POINTS;
        Geometry {
            lanes,
            passes: params.t_cost() as usize,
            lane_length,
            segment_length,
            m_blocks: (lane_length * lanes) as u64,
            t_cost: u64::from(params.t_cost()),
        }
    }

    fn blocks(&self) -> usize {
        self.lane_length * self.lanes
    }
}

/// H0: BLAKE2b-512 over the parameters and inputs, each length-prefixed (RFC 9106 §3.2 step 1).
fn initial_hash(params: &Params, secret: &[u8], password: &[u8], salt: &[u8], out_len: usize) -> [u8; 64] {
    let mut h = Blake2b512::new();
    for word in [params.p_cost(), out_len as u32, params.m_cost(), params.t_cost(), VERSION, TYPE_ID] {
        h.update(word.to_le_bytes());
    }
    for field in [password, salt, secret, params.data()] {
        h.update((field.len() as u32).to_le_bytes());
        h.update(field);
    }
    h.finalize().into()
}

/// Blocks 0 and 1 of every lane: H′(H0 ‖ LE32(index) ‖ LE32(lane)) at 1024 bytes.
fn first_blocks(g: &Geometry, h0: &[u8; 64], memory: &mut [Block]) {
    let mut bytes = [0u8; 1024];
    for lane in 0..g.lanes {
        for index in 0..2u32 {
            blake2b_long::hash_long(&[h0, &index.to_le_bytes(), &(lane as u32).to_le_bytes()], &mut bytes);
            memory[lane * g.lane_length + index as usize] = Block::from_bytes(&bytes);
        }
    }
    bytes.zeroize();
}

#[derive(Clone, Copy)]
struct Position {
    pass: usize,
    lane: usize,
    slice: usize,
}

/// The block index, within lane `ref_lane`, that block `index` of the segment at `pos` refers
/// to, from the low 32 bits of its pseudo-random word (RFC 9106 §3.4.1.2).
fn reference_index(g: &Geometry, pos: Position, index: usize, same_lane: bool, rand_low: u64) -> usize {
    let area = if pos.pass == 0 {
        if pos.slice == 0 || same_lane {
            pos.slice * g.segment_length + index - 1
        } else {
            pos.slice * g.segment_length - usize::from(index == 0)
        }
    } else if same_lane {
        g.lane_length - g.segment_length + index - 1
    } else {
        g.lane_length - g.segment_length - usize::from(index == 0)
    } as u64;
    let x = (rand_low * rand_low) >> 32;
    let relative = area - 1 - ((area * x) >> 32);
    let start = if pos.pass != 0 && pos.slice != SYNC_POINTS - 1 { (pos.slice + 1) * g.segment_length } else { 0 };
    (start + relative as usize) % g.lane_length
}

/// Argon2i-style addresses for the data-independent first half of the first pass.
struct AddressGenerator {
    addresses: Block,
    counter: u64,
    pos_words: [u64; 6],
}

impl AddressGenerator {
    fn new(g: &Geometry, pos: Position) -> AddressGenerator {
        let pos_words = [pos.pass as u64, pos.lane as u64, pos.slice as u64, g.m_blocks, g.t_cost, u64::from(TYPE_ID)];
        AddressGenerator { addresses: Block::ZERO, counter: 0, pos_words }
    }

    /// The next 128 addresses: G(0, G(0, input)) with the counter incremented.
    fn refill(&mut self) {
        self.counter += 1;
        let mut words = [0u64; 7];
        words[..6].copy_from_slice(&self.pos_words);
        words[6] = self.counter;
        let input = Block::from_words(&words);
        let (mut state, mut scratch) = (Block::ZERO, Block::ZERO);
        compress(&mut state, &input, &mut scratch, false);
        let first = core::mem::replace(&mut state, Block::ZERO);
        compress(&mut state, &first, &mut self.addresses, false);
    }
}

/// Not inlined: a hash calls it 4·p·t times, so V8 can move it to optimised code between
/// segments of the first hash in a fresh instance (wasm code is never replaced mid-call).
#[inline(never)]
fn fill_segment(g: &Geometry, memory: &mut [Block], pos: Position) {
    let data_independent = pos.pass == 0 && pos.slice < SYNC_POINTS / 2;
    let mut addresses = data_independent.then(|| AddressGenerator::new(g, pos));
    let start = if pos.pass == 0 && pos.slice == 0 { 2 } else { 0 };
    let lane_start = pos.lane * g.lane_length;
    let segment_start = lane_start + pos.slice * g.segment_length;
    let first = segment_start + start;
    let prev = if first == lane_start { lane_start + g.lane_length - 1 } else { first - 1 };
    // The previous block, carried from one step to the next as the next step's X.
    let mut state = memory[prev].clone();
    for index in start..g.segment_length {
        let rand = match addresses.as_mut() {
            Some(gen) => {
                if index % WORDS == 0 || (index == start && start != 0) {
                    gen.refill();
                }
                gen.addresses.word(index % WORDS)
            }
            None => state.word(0),
        };
        let ref_lane = if pos.pass == 0 && pos.slice == 0 { pos.lane } else { ((rand >> 32) % g.lanes as u64) as usize };
        let ref_index = reference_index(g, pos, index, ref_lane == pos.lane, rand & 0xFFFF_FFFF);
        let (reference, next) = reference_and_next(memory, ref_lane * g.lane_length + ref_index, segment_start + index);
        // Version 0x13 XORs over the block's old value in passes after the first.
        compress(&mut state, reference, next, pos.pass > 0);
    }
}

/// Block `reference` to read and block `next` to write; they differ (a block never refers to
/// itself: the reference area ends before it).
fn reference_and_next(memory: &mut [Block], reference: usize, next: usize) -> (&Block, &mut Block) {
    if reference < next {
        let (head, tail) = memory.split_at_mut(next);
        (&head[reference], &mut tail[0])
    } else {
        let (head, tail) = memory.split_at_mut(reference);
        (&tail[0], &mut head[next])
    }
}

/// The tag: H′ of the XOR of every lane's last block.
fn finish(g: &Geometry, memory: &[Block], out: &mut [u8]) {
    let mut c = memory[g.lane_length - 1].clone();
    for lane in 1..g.lanes {
        c.xor_assign(&memory[lane * g.lane_length + g.lane_length - 1]);
    }
    let mut bytes = [0u8; 1024];
    c.to_bytes(&mut bytes);
    blake2b_long::hash_long(&[&bytes], out);
    bytes.zeroize();
    c = Block::ZERO;
    core::hint::black_box(&c);
}
