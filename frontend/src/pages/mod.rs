//! One file per route.

mod authorize;
mod call_api;
mod callback;
mod client_credentials;
mod home;
mod lessons;
mod lessons_lab2;
mod lessons_lesson;
mod lessons_scenario;
mod not_found;
mod provider;
mod redeem;
mod refresh;
mod tokens;
mod userinfo;

pub use authorize::Authorize;
pub use call_api::CallApi;
pub use callback::{Callback, explain_error};
pub use client_credentials::ClientCredentials;
pub use home::Home;
pub use lessons::Lessons;
pub use lessons_lab2::LessonsLab2;
pub use lessons_lesson::LessonPage;
pub use lessons_scenario::ScenarioPage;
pub use not_found::NotFound;
pub use provider::Provider;
pub use redeem::Redeem;
pub use refresh::Refresh;
pub use tokens::Tokens;
pub use userinfo::Userinfo;
