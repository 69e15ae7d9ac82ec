//! Custom hooks, one per file.

mod use_local_draft;
mod use_now;
mod use_request;
mod use_workbench;

pub use use_local_draft::{load_draft, save_draft, use_local_draft};
pub use use_now::use_now;
pub use use_request::use_request;
pub use use_workbench::use_workbench;
