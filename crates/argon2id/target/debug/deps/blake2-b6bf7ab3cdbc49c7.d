/work/main/crates/argon2id/target/debug/deps/blake2-b6bf7ab3cdbc49c7.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/consts.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/simd.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/macros.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/../README.md

/work/main/crates/argon2id/target/debug/deps/libblake2-b6bf7ab3cdbc49c7.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/consts.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/simd.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/macros.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/../README.md

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/consts.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/simd.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/macros.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/blake2-0.11.0/src/../README.md:
