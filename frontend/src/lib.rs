//! The Grantlab workbench, a Yew app. [`App`] is the root component.

mod app;

pub use app::App;
