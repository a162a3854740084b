/work/main/crates/argon2id/target/debug/deps/argon2-1ee84a890e4e8892.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/algorithm.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/blake2b_long.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/block.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/error.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/memory.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/params.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/version.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/../README.md

/work/main/crates/argon2id/target/debug/deps/libargon2-1ee84a890e4e8892.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/algorithm.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/blake2b_long.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/block.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/error.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/memory.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/params.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/version.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/../README.md

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/algorithm.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/blake2b_long.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/block.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/error.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/memory.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/params.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/version.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/argon2-0.6.0/src/../README.md:
