//! Reusable parts of the workbench, one per file.

mod busy;
mod checklist;
mod copy_button;
mod countdown;
mod field;
mod jwt_view;
mod list_errors;
mod live_timeline;
mod mischief_banner;
mod outcome;
mod panel;
mod prose;
mod rail;
mod target_fields;
mod theme_switch;
mod timeline;
mod url_preview;

pub use busy::SubmitButton;
pub use checklist::{CheckItem, Checklist};
pub use copy_button::CopyButton;
pub use countdown::Countdown;
pub use field::{FieldError, TextField, checkbox, input_text, select};
pub use jwt_view::JwtView;
pub use list_errors::ListErrors;
pub use live_timeline::LiveTimeline;
pub use mischief_banner::MischiefBanner;
pub use outcome::OutcomeView;
pub use panel::Panel;
pub use prose::prose;
pub use rail::Rail;
pub use target_fields::{Target, TargetEdit, TargetFields, apply_target};
pub use theme_switch::ThemeSwitch;
pub use timeline::{Lane, Message, Timeline};
pub use url_preview::{Explained, UrlPreview};

#[cfg(test)]
mod tests;
