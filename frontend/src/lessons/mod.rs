//! The lessons in the workbench: the backend's catalogue, the learner's progress (kept in
//! `localStorage`: goal ids and the prediction chosen), and the set-up that lays a lesson's request over the
//! workbench's drafts.
//!
//! The pages are `pages/lessons*.rs`; [`LessonsRoute`] and [`switch`] route among them.

mod api;
mod exercise;
mod progress;
mod route;
mod setup;

pub use api::progress as fetch_progress;
pub use api::{calm, lab2, lesson, lessons, mischief, scenario, scenarios};
pub use exercise::Exercise;
pub use progress::ProgressBook;
pub use route::{LessonsRoute, switch};
