//! Users: the stored record (spec §2.1), who may read which field (§2.2),
//! creation (§3.1) and reads (§3.4).

pub mod create;
pub mod create_data;
pub mod delete;
pub mod links;
pub mod read;
pub mod record;
pub mod update;
pub mod update_data;
pub mod write;

pub use record::UserRecord;
