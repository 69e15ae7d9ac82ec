//! Installs the tools the build and the tests need, each only when missing or of another
//! version, so a warm machine passes through in about a second.
//!
//! The pins and their reasons are in `../shared/TOOLCHAIN.md`: Trunk 0.22 needs a newer rustc,
//! the wasm-bindgen CLI must equal the library in `Cargo.lock`, and Debian's wasm-opt is too old.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

use crate::step;

const TRUNK_VERSION: &str = "0.21.14";
const BINARYEN_VERSION: &str = "132";
const BINARYEN_PREFIX: &str = "/opt/binaryen";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// A command for `program`, found on the PATH of [`search_path`].
pub fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.env("PATH", search_path());
    command
}

/// PATH with `~/.cargo/bin` and the npm wasm-opt in front, where fresh installs land.
pub fn search_path() -> std::ffi::OsString {
    let mut paths = Vec::new();
    if let Some(home) = std::env::var_os("HOME") {
        paths.push(PathBuf::from(home).join(".cargo/bin"));
    }
    paths.push(PathBuf::from(BINARYEN_PREFIX).join("node_modules/.bin"));
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// The wasm target, Trunk, the wasm-bindgen CLI and wasm-opt.
pub fn build_tools() -> anyhow::Result<()> {
    let targets = output(command("rustup").args(["target", "list", "--installed"]))?;
    if !targets.lines().any(|line| line.trim() == WASM_TARGET) {
        step("add the wasm32 target", command("rustup").args(["target", "add", WASM_TARGET]))?;
    }

    if !has("trunk", &format!("trunk {TRUNK_VERSION}")) {
        step(
            "install Trunk (about 10 minutes, once)",
            command("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]),
        )?;
    }

    // Without --locked: the CLI's own lock file wants a crate release the registry lacks.
    let wasm_bindgen = locked_version("wasm-bindgen")?;
    if !has("wasm-bindgen", &format!("wasm-bindgen {wasm_bindgen}")) {
        step(
            "install the wasm-bindgen CLI (about 5 minutes, once)",
            command("cargo").args(["install", "wasm-bindgen-cli", "--version", &wasm_bindgen]),
        )?;
    }

    if !has("wasm-opt", &format!("version {BINARYEN_VERSION}")) {
        step(
            "install wasm-opt from npm",
            command("npm")
                .args(["install", "--prefix", BINARYEN_PREFIX, "--no-audit", "--no-fund"])
                .arg(format!("binaryen@{BINARYEN_VERSION}")),
        )?;
    }
    Ok(())
}

/// Chromium and chromedriver from Debian, and the npm peers of the interop tests.
pub fn test_tools() -> anyhow::Result<()> {
    if which("chromium").is_none() || which("chromedriver").is_none() {
        step("apt-get update", command("apt-get").args(["update", "-qq"]))?;
        step(
            "install Chromium and chromedriver",
            command("apt-get").args(["install", "-y", "-qq", "chromium", "chromium-driver"]),
        )?;
    }

    let interop = std::env::current_dir()?.join("tests/interop");
    if interop.join("package.json").is_file() {
        let verb = if interop.join("package-lock.json").is_file() { "ci" } else { "install" };
        // npm keeps a copy of the lock it installed from; a newer lock means new peers.
        let modified = |path: &str| std::fs::metadata(interop.join(path))?.modified();
        let installed =
            match (modified("node_modules/.package-lock.json"), modified("package.json")) {
                (Ok(installed), Ok(wanted)) => {
                    let locked = modified("package-lock.json").unwrap_or(wanted);
                    installed >= wanted.max(locked)
                }
                _ => false,
            };
        if !installed {
            step(
                "install the interop peers from npm",
                command("npm").arg(verb).args(["--no-audit", "--no-fund"]).current_dir(&interop),
            )?;
        }
    }
    Ok(())
}

/// The version of `package` that `Cargo.lock` pins.
fn locked_version(package: &str) -> anyhow::Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("cannot read Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"") {
            let version = lines.next().unwrap_or_default();
            if let Some(version) = version.strip_prefix("version = \"") {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("Cargo.lock has no `{package}`: run `cargo generate-lockfile` first")
}

/// Whether `tool --version` runs and mentions `expected`.
fn has(tool: &str, expected: &str) -> bool {
    output(command(tool).arg("--version")).is_ok_and(|version| version.contains(expected))
}

/// Where `tool` is on PATH.
pub fn which(tool: &str) -> Option<PathBuf> {
    std::env::split_paths(&search_path())
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.is_file())
}

fn output(command: &mut Command) -> anyhow::Result<String> {
    let output = command.output().with_context(|| format!("cannot start {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} exited with {}", output.status);
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
