//! The Grantlab workbench, a Yew app. [`App`] is the root component.
//!
//! - `app`: the routes and the shell; `pages/`: one file per route; `components/`: reusable
//!   parts; `hooks/`: one hook per file.
//! - `api`: one function per backend endpoint; `error`: why a call failed.
//! - `state`: the shared workbench state and the authorization draft's reducer.
//! - `jwt`, `time`, `curl`, `params`: the logic the views show, tested on its own.

mod api;
mod app;
mod components;
mod curl;
mod error;
mod hooks;
mod jwt;
mod lessons;
mod pages;
mod params;
mod router;
mod state;
mod time;

pub use app::App;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
