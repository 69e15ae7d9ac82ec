//! One file per route.

mod authorize;
mod call_api;
mod callback;
mod client_credentials;
mod home;
mod lessons;
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
pub use not_found::NotFound;
pub use provider::Provider;
pub use redeem::Redeem;
pub use refresh::Refresh;
pub use tokens::Tokens;
pub use userinfo::Userinfo;
