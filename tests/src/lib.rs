//! Helpers for Grantlab's end-to-end tests: a real server on `127.0.0.1:0`, and a real headless
//! Chromium driven through chromedriver.

pub mod bench;
mod browser;
mod flow;
mod lab_web_app;
mod oidc_provider;
mod server;

use std::path::PathBuf;
use std::time::Duration;

pub use browser::Browser;
pub use flow::Flow;
pub use lab_web_app::{LabWebApp, lab2_scenario, parse_env_file};
pub use oidc_provider::OidcProvider;
pub use server::{TestServer, dist};

/// The repository root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits inside the workspace")
        .to_path_buf()
}

/// Polls `check` every 50 ms until it returns `Some`, or fails after `limit`.
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return Ok(value);
        }
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!("gave up after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
