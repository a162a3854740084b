/work/main/crates/argon2id/target/debug/deps/edge_sso_argon2id-11cf8f19362b8a34.d: /work/main/clippy.toml src/lib.rs src/blake2b_long.rs src/portable.rs Cargo.toml

/work/main/crates/argon2id/target/debug/deps/libedge_sso_argon2id-11cf8f19362b8a34.rmeta: /work/main/clippy.toml src/lib.rs src/blake2b_long.rs src/portable.rs Cargo.toml

/work/main/clippy.toml:
src/lib.rs:
src/blake2b_long.rs:
src/portable.rs:
Cargo.toml:

# env-dep:CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# env-dep:CLIPPY_CONF_DIR
