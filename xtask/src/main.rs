//! `cargo xtask`: the README's two commands and the steps they are made of.
//!
//! - `cargo xtask run`: set up the toolchain, build the frontend, start the sandbox.
//! - `cargo xtask test`: set up the test tools, then fmt, clippy, unit, wasm and e2e tests.
//! - `cargo xtask bench [provider] [workshop] [page]`: the benchmarks of `BENCHMARKS.md`.
//! - `cargo xtask setup` and `cargo xtask dist`: the first steps on their own.
//!
//! Every install comes from a package registry (crates.io, Debian, npm), never from GitHub:
//! see `../shared/TOOLCHAIN.md` for why each version is pinned.

mod setup;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

const USAGE: &str =
    "usage: cargo xtask <run|test|bench|setup|dist> [-- args for grantlab, or bench parts]";

fn main() {
    // The chain alone: a step's own output already says what failed, a backtrace adds noise.
    if let Err(error) = xtask() {
        eprintln!("xtask: {error:#}");
        std::process::exit(1);
    }
}

fn xtask() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root()?;
    std::env::set_current_dir(&root).context("cannot enter the workspace root")?;

    match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench(&args[1..]),
        Some("setup") => setup::build_tools().and_then(|()| setup::test_tools()),
        Some("dist") => setup::build_tools().and_then(|()| dist()),
        _ => bail!("{USAGE}"),
    }
}

/// Builds the frontend, then runs the server in the foreground with the embedded provider.
fn run(extra: &[String]) -> anyhow::Result<()> {
    setup::build_tools()?;
    dist()?;

    println!();
    println!("Grantlab starts on http://127.0.0.1:8080 (unless --listen says otherwise).");
    println!("Lab provider logins: alice / alice-pass, bob / bob-pass, carol / carol-pass.");
    println!("Stop it with Ctrl-C.");
    println!();

    let mut cargo = cargo();
    cargo.args(["run", "--release", "--package", "grantlab-backend", "--bin", "grantlab", "--"]);
    cargo.args(extra);
    status(&mut cargo)
}

/// Every check CI runs, in order, stopping at the first failure.
fn test() -> anyhow::Result<()> {
    setup::build_tools()?;
    setup::test_tools()?;

    step("rustfmt", cargo().args(["fmt", "--all", "--check"]))?;
    step(
        "clippy (native)",
        cargo()
            .args(["clippy", "--workspace", "--exclude", "grantlab-frontend", "--all-targets"])
            .args(["--", "-D", "warnings"]),
    )?;
    step(
        "clippy (wasm)",
        cargo().args(["clippy", "-p", "grantlab-frontend", "--all-targets"]).args([
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    dist()?;

    let dist = std::env::current_dir()?.join("dist");
    let chromedriver = setup::which("chromedriver").context("chromedriver is not on PATH")?;
    let mut tally = Tally::default();
    let native = tally.step(
        "unit and end-to-end tests",
        cargo()
            .args(["test", "--workspace", "--exclude", "grantlab-frontend"])
            .env("GRANTLAB_TEST_DIST", &dist)
            .env("CHROMEDRIVER", &chromedriver),
    );
    // The frontend's tests run even when the native ones failed, so the count covers both.
    let wasm = tally.step(
        "frontend tests in headless Chromium",
        cargo()
            .args(["test", "-p", "grantlab-frontend", "--target", "wasm32-unknown-unknown"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
            .env("CHROMEDRIVER", &chromedriver),
    );

    // One closing line over every test binary, so a CI log ends with the whole count.
    println!("xtask: {} passed, {} failed", tally.passed, tally.failed);
    native.and(wasm)
}

/// Test counts summed over every `test result:` line cargo's test harness prints.
#[derive(Debug, Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    /// Runs a `cargo test` step, echoing its output while counting its results.
    fn step(&mut self, name: &str, command: &mut Command) -> anyhow::Result<()> {
        println!("xtask: {name}");
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {command:?}"))?;

        if let Some(stdout) = child.stdout.take() {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
                let line = line.context("cannot read the test output")?;
                println!("{line}");
                self.count(&line);
            }
        }

        let status = child.wait()?;
        if !status.success() {
            bail!("step failed: {name}: exited with {status}");
        }
        Ok(())
    }

    /// Adds the counts of one `test result: ok. 3 passed; 1 failed; ...` line.
    fn count(&mut self, line: &str) {
        let Some(summary) = line.trim().strip_prefix("test result: ") else { return };
        for part in summary.split([';', '.']) {
            let mut words = part.split_whitespace();
            let (Some(number), Some(label)) = (words.next(), words.next()) else { continue };
            let Ok(number) = number.parse::<u64>() else { continue };
            match label {
                "passed" => self.passed += number,
                "failed" => self.failed += number,
                _ => {}
            }
        }
    }
}

/// The benchmarks (`tests/benches/lab`) against the release server, oidc-provider and the
/// built frontend; their Markdown goes to stdout for `BENCHMARKS.md`.
fn bench(parts: &[String]) -> anyhow::Result<()> {
    setup::build_tools()?;
    setup::test_tools()?;
    dist()?;
    step(
        "build the release server",
        cargo().args(["build", "--release", "-p", "grantlab-backend", "--bin", "grantlab"]),
    )?;

    let chromedriver = setup::which("chromedriver").context("chromedriver is not on PATH")?;
    step(
        "benchmarks",
        cargo()
            .args(["bench", "-p", "grantlab-tests", "--bench", "lab", "--"])
            .args(parts)
            .env("CHROMEDRIVER", &chromedriver),
    )
}

/// Builds the frontend into `dist/` with Trunk, in release with the `wasm-release` profile.
fn dist() -> anyhow::Result<()> {
    step("trunk build", setup::command("trunk").args(["build", "--release"]))
}

fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.env("PATH", setup::search_path());
    cargo
}

/// Runs one named step, printing its name first so a CI log reads as a list.
fn step(name: &str, command: &mut Command) -> anyhow::Result<()> {
    println!("xtask: {name}");
    status(command).with_context(|| format!("step failed: {name}"))
}

fn status(command: &mut Command) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("cannot start {command:?}"))?;
    if !status.success() {
        bail!("{:?} exited with {status}", command.get_program());
    }
    Ok(())
}

/// The folder holding the root `Cargo.toml`: xtask's own manifest folder's parent.
fn workspace_root() -> anyhow::Result<PathBuf> {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").context("run this through `cargo xtask`")?;
    Path::new(&manifest).parent().map(Path::to_path_buf).context("xtask has no parent folder")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_sums_passed_and_failed_over_result_lines() {
        let mut tally = Tally::default();

        tally.count("test result: ok. 173 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
        tally.count("test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 measured");
        tally.count("test parse_ok ... ok");

        assert_eq!((tally.passed, tally.failed), (178, 2));
    }
}
