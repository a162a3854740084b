//! edge-sso: Zato SSO user management as a pure Rust core with a thin WebAssembly binding.
//!
//! `spec §n` in comments refers to docs/behaviour.md.
//!
//! The core is async Rust against the [`store::Store`] and [`audit::Audit`] traits, so it runs
//! natively under `cargo test` and in wasm against JavaScript callbacks (see `src/wasm/`).

pub mod admin;
pub mod api;
pub mod attr;
pub mod audit;
pub mod caller;
pub mod cleanup;
pub mod config;
pub mod crypto;
pub mod error;
pub mod hooks;
mod input;
pub mod linked;
pub mod net;
pub mod password;
pub mod reseal;
pub mod reset;
pub mod rest;
pub mod search;
pub mod session;
pub mod signup;
pub mod sso;
pub mod store;
pub mod time;
pub mod totp;
pub mod user;
pub mod username;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use audit::{Audit, AuditEvent, MemoryAudit, NoAudit};
pub use caller::{Caller, SessionCaller};
pub use config::Config;
pub use error::{Code, SsoError, SsoResult};
pub use hooks::{Hooks, NoHooks};
pub use session::login::{LoginOptions, LoginResult};
pub use sso::{Clock, Sso};
pub use store::{MemoryStore, Store};
pub use user::create::CreateOptions;
