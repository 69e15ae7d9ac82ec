//! The lab's own Node web app (`tests/interop/lab2-web-app.mjs`, express 5 and
//! express-openid-connect), started on a free loopback port with the settings the Lab 2 page
//! gives, and stopped by PID when dropped.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use grantlab_shared::EnvSetting;
use tokio::process::{Child, Command};

/// Where the built-in scenario's `lab-web` redirect and post-logout URIs point.
const SCENARIO_APP_URL: &str = "http://localhost:3000";

/// The `NAME=value` lines of a `.env` file, as the Lab 2 page shows it.
pub fn parse_env_file(text: &str) -> anyhow::Result<Vec<EnvSetting>> {
    let lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    lines
        .map(|line| {
            let (name, value) =
                line.split_once('=').with_context(|| format!("not NAME=value: {line}"))?;
            Ok(EnvSetting { name: name.to_owned(), value: value.to_owned() })
        })
        .collect()
}

/// A running lab web app.
pub struct LabWebApp {
    /// Where a browser reaches it: `http://localhost:PORT`, its `BASE_URL`.
    pub base_url: String,
    child: Child,
}

impl LabWebApp {
    /// A free loopback port for the app, to be passed to [`lab2_scenario`].
    pub fn free_port() -> anyhow::Result<u16> {
        Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
    }

    /// Starts the app with exactly the environment `env` the Lab 2 page lists (its `.env`, or
    /// `own_app.env` from `GET /api/lessons/lab2`), and waits until it answers.
    pub async fn start(env: &[EnvSetting]) -> anyhow::Result<Self> {
        let folder = crate::workspace_root().join("tests/interop");
        anyhow::ensure!(
            folder.join("node_modules/express-openid-connect").is_dir(),
            "tests/interop/node_modules is missing: run `cargo xtask setup` (npm ci there)"
        );
        let value = |name: &str| {
            let setting = env.iter().find(|setting| setting.name == name);
            setting.map(|setting| setting.value.clone()).with_context(|| format!("no {name}"))
        };
        let base_url = value("BASE_URL")?;
        let port = value("PORT")?;

        // The page's environment and nothing else (but PATH, to find node).
        let mut command = Command::new("node");
        command.arg("lab2-web-app.mjs").current_dir(&folder).env_clear();
        command.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        command.envs(env.iter().map(|setting| (&setting.name, &setting.value)));
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start node; `cargo xtask setup` installs tests/interop")?;

        // Up once its home page answers.
        let http = reqwest::Client::new();
        let home = format!("http://127.0.0.1:{port}/");
        crate::wait_for("the lab web app to answer", Duration::from_secs(20), || async {
            http.get(&home).send().await.ok().filter(|r| r.status().is_success())
        })
        .await?;
        Ok(Self { base_url, child })
    }

    /// The absolute URL of `path` in the app.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for LabWebApp {
    fn drop(&mut self) {
        // Ends the node process this helper started, by its PID.
        let _ = self.child.start_kill();
    }
}

/// Writes into `folder` a copy of the built-in scenario for the lab app on `port`, and returns
/// its path, for `--scenario`. Only `lab-web`'s redirect and post-logout URIs move from port
/// 3000 to `port`; with `expenses_token_lifetime`, the Expenses API's access tokens also live
/// that many seconds, as Lab 2's refresh exercise has attendees set it.
pub fn lab2_scenario(
    folder: &Path,
    port: u16,
    expenses_token_lifetime: Option<u64>,
) -> anyhow::Result<PathBuf> {
    let original = crate::workspace_root().join("backend/scenarios/default.toml");
    let mut text = std::fs::read_to_string(&original)?;

    // Only lab-web's redirect URIs move: the address may appear in no other setting.
    let lines = text.lines().filter(|line| line.contains(SCENARIO_APP_URL));
    for line in lines {
        let key = line.split('=').next().unwrap_or_default().trim();
        anyhow::ensure!(
            key == "redirect_uris" || key == "post_logout_redirect_uris",
            "{SCENARIO_APP_URL} appears outside the redirect URIs in default.toml: {line}"
        );
    }
    text = text.replace(SCENARIO_APP_URL, &format!("http://localhost:{port}"));

    // The Expenses API's lifetime is the first `access_token_lifetime`, in its `[[apis]]` table.
    if let Some(seconds) = expenses_token_lifetime {
        let api = text.find("identifier = \"https://expenses-api\"").context("no Expenses API")?;
        let key = "access_token_lifetime = ";
        let start = api + text[api..].find(key).context("no Expenses API lifetime")? + key.len();
        let end = start + text[start..].find('\n').context("an unterminated lifetime")?;
        text.replace_range(start..end, &seconds.to_string());
    }

    let path = folder.join("lab2-app.toml");
    std::fs::write(&path, text)?;
    Ok(path)
}
