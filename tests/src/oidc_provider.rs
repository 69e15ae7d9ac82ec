//! The certified `oidc-provider` from npm (`tests/interop/oidc-provider.mjs`), started on a
//! free loopback port and stopped by PID when dropped.

use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::process::{Child, Command};

/// A running oidc-provider with one client matching the sandbox.
pub struct OidcProvider {
    /// The issuer, `http://127.0.0.1:PORT`.
    pub issuer: String,
    /// The client id registered there.
    pub client_id: String,
    /// The client secret registered there.
    pub client_secret: String,
    child: Child,
}

impl OidcProvider {
    /// Starts it with a client whose redirect URI is `redirect_uri`, and waits for discovery.
    pub async fn start(redirect_uri: &str) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let client_id = "grantlab-sandbox".to_owned();
        let client_secret = "interop-secret-0f3c9a1e7b".to_owned();
        let folder = crate::workspace_root().join("tests/interop");
        let child = Command::new("node")
            .arg("oidc-provider.mjs")
            .current_dir(&folder)
            .env("PORT", port.to_string())
            .env("CLIENT_ID", &client_id)
            .env("CLIENT_SECRET", &client_secret)
            .env("REDIRECT_URI", redirect_uri)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start node; `cargo xtask test` installs tests/interop")?;
        let issuer = format!("http://127.0.0.1:{port}");

        let http = reqwest::Client::new();
        let discovery = format!("{issuer}/.well-known/openid-configuration");
        crate::wait_for("oidc-provider to answer discovery", Duration::from_secs(20), || async {
            http.get(&discovery).send().await.ok().filter(|r| r.status().is_success())
        })
        .await?;
        Ok(Self { issuer, client_id, client_secret, child })
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        // Ends the node process this helper started, by its PID.
        let _ = self.child.start_kill();
    }
}
