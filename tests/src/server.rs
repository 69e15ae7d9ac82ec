//! The Grantlab server, in-process, on a free loopback port.

use std::path::PathBuf;

use grantlab_backend::{Config, Site};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running server; it stops when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub url: String,
    /// Holds the data folder alive as long as the server.
    _data_dir: tempfile::TempDir,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Starts a server with the defaults, a fresh data folder and the built frontend.
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(|_| {}).await
    }

    /// Starts a server after `adjust` has changed the default configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> anyhow::Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let mut config = Config::with_defaults();
        config.listen = "127.0.0.1:0".parse()?;
        config.dist = dist();
        config.data_dir = data_dir.path().to_path_buf();
        adjust(&mut config);

        let listener = TcpListener::bind(config.listen).await?;
        let url = config.public_url(listener.local_addr()?);
        let router = grantlab_backend::app(Site::new(config, url.clone())).await?;

        let task = tokio::spawn(async move {
            if let Err(error) = grantlab_backend::serve(listener, router).await {
                eprintln!("test server stopped: {error:#}");
            }
        });
        Ok(Self { url, _data_dir: data_dir, task })
    }

    /// The absolute URL of `path` on this server.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The frontend build: `GRANTLAB_TEST_DIST`, as `cargo xtask test` sets it, or `dist/`.
pub fn dist() -> PathBuf {
    std::env::var_os("GRANTLAB_TEST_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("dist"))
}
