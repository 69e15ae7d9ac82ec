//! The processes under test: the release `grantlab` and the oidc-provider launcher, each started
//! on 127.0.0.1 with its output in a log file, read through `/proc`, and stopped by PID.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use grantlab_tests::bench::{cpu_ticks, status_bytes};

/// The kernel's clock ticks per second for `/proc` times (`getconf CLK_TCK`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// A process we started; it is killed (by its PID) when dropped.
pub struct Process {
    child: Child,
    /// Where to reach it: `http://127.0.0.1:<port>`.
    pub base: String,
    /// Its temporary folder (data folder and log), removed on drop.
    _folder: tempfile::TempDir,
}

impl Process {
    /// Starts the release `grantlab` on `127.0.0.1:0` with a fresh data folder and `dist`.
    pub fn grantlab(binary: &Path, dist: &Path, scenario: Option<&Path>) -> anyhow::Result<Self> {
        let folder = tempfile::tempdir()?;
        let mut command = Command::new(binary);
        command
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(folder.path().join("data"))
            .arg("--dist")
            .arg(dist)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG");
        if let Some(scenario) = scenario {
            command.arg("--scenario").arg(scenario);
        }
        let (child, line) = spawn(command, folder.path(), "grantlab is listening")?;
        let port = line
            .split_whitespace()
            .find_map(|word| word.strip_prefix("bound=127.0.0.1:"))
            .context("the listening line names no port")?;
        Ok(Self { child, base: format!("http://127.0.0.1:{port}"), _folder: folder })
    }

    /// Starts `tests/interop/bench-oidc-provider.mjs` on an ephemeral loopback port.
    pub fn oidc_provider(interop: &Path, redirect_uri: &str) -> anyhow::Result<Self> {
        let folder = tempfile::tempdir()?;
        let mut command = Command::new("node");
        command.current_dir(interop).arg("bench-oidc-provider.mjs").arg(redirect_uri);
        let (child, line) = spawn(command, folder.path(), "listening ")?;
        let port = line.trim().rsplit(' ').next().unwrap_or_default().to_owned();
        Ok(Self { child, base: format!("http://127.0.0.1:{port}"), _folder: folder })
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The signing key the lab provider made in its data folder (PKCS#1 PEM).
    pub fn lab_key(&self) -> PathBuf {
        self._folder.path().join("data/provider-signing-key.pem")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // `Child::kill` signals this very PID; then reap it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns `command` with its output in `folder/log`, and waits up to 60 s for `ready`.
fn spawn(mut command: Command, folder: &Path, ready: &str) -> anyhow::Result<(Child, String)> {
    let log_path = folder.join("log");
    let log = std::fs::File::create(&log_path)?;
    command.stdout(log.try_clone()?).stderr(log).stdin(Stdio::null());
    let mut child = command.spawn().with_context(|| format!("cannot start {command:?}"))?;

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(line) = text.lines().find(|line| line.contains(ready)) {
            return Ok((child, line.to_owned()));
        }
        if let Some(status) = child.try_wait()? {
            bail!("{command:?} exited with {status} before it was ready:\n{text}");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            bail!("{command:?} was not ready after 60 s:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// CPU time a process used, in seconds, read from `/proc/<pid>/stat`.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    cpu_ticks(&stat).unwrap_or_default() as f64 / TICKS_PER_SECOND
}

/// The bench's own CPU time, in seconds.
pub fn own_cpu_seconds() -> f64 {
    cpu_seconds(std::process::id())
}

/// Peak resident memory (`VmHWM`) and current resident memory (`VmRSS`), in bytes.
pub fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    (
        status_bytes(&status, "VmHWM").unwrap_or_default(),
        status_bytes(&status, "VmRSS").unwrap_or_default(),
    )
}
