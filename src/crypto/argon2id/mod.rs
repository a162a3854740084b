//! Argon2id's raw hash, from the `edge-sso-argon2id` crate (crates/argon2id): its own crate so
//! that it is built at opt-level 3 while this one is built for size. `password` calls it.

pub use edge_sso_argon2id::{hash_into, reserve, IMPLEMENTATION};

#[cfg(test)]
mod tests;
