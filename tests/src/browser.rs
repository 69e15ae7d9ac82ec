//! A headless Chromium driven through chromedriver, which this helper starts and stops.

use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use tokio::process::{Child, Command};

/// One browser session. Dropping it ends the chromedriver process it started.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver_url: String,
    _profile: tempfile::TempDir,
    driver: Child,
}

impl Browser {
    /// Starts chromedriver (`CHROMEDRIVER`, or the one on PATH) and a headless session.
    pub async fn start() -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            // Its own process group, so a test that fails before `close` can end Chromium too.
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {program}; `cargo xtask test` installs it"))?;
        let driver_url = format!("http://127.0.0.1:{port}");

        let http = reqwest::Client::new();
        let status_url = format!("{driver_url}/status");
        crate::wait_for("chromedriver to answer", Duration::from_secs(20), || async {
            http.get(&status_url).send().await.ok().filter(|r| r.status().is_success())
        })
        .await?;

        let profile = tempfile::tempdir()?;
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,800",
        ]
        .iter()
        .map(|arg| arg.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), json!({ "args": args }));
        capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));

        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&driver_url)
            .await
            .context("cannot open a Chromium session")?;
        Ok(Self { client, driver_url, _profile: profile, driver })
    }

    /// The console messages at level SEVERE since the last call (chromedriver's log endpoint).
    pub async fn console_errors(&self) -> anyhow::Result<Vec<String>> {
        let session = self.client.session_id().await?.context("no WebDriver session")?;
        let url = format!("{}/session/{session}/se/log", self.driver_url);

        let answer: serde_json::Value = reqwest::Client::new()
            .post(url)
            .json(&json!({"type": "browser"}))
            .send()
            .await?
            .json()
            .await?;

        let entries = answer["value"].as_array().cloned().unwrap_or_default();
        Ok(entries
            .iter()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect())
    }

    /// Saves a PNG of the page under `tests/artifacts/{name}.png` for a person to look at.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<()> {
        let png = self.client.screenshot().await?;
        let folder = crate::workspace_root().join("tests/artifacts");
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join(format!("{name}.png")), png)?;
        Ok(())
    }
}

impl Drop for Browser {
    /// Ends chromedriver and the Chromium it started (one process group, made by us), so a
    /// failing test leaves no browser behind.
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let group = format!("-{pid}");
            let _ = std::process::Command::new("kill").args(["-KILL", "--", &group]).status();
        }
    }
}

impl Browser {
    /// Ends the session (closing Chromium), then chromedriver.
    pub async fn close(self) -> anyhow::Result<()> {
        self.client.clone().close().await?;
        Ok(())
    }
}
