//! Sessions: the stored record (spec §4.4, §4.5), resolution of a UST (§3.0), the shared
//! checker (§4.2), login (§4.1) and logout (§3.9).

pub mod api;
pub mod checker;
pub mod login;
pub mod record;
pub mod resolve;
pub mod throttle;

pub use record::SessionRecord;
