//! `cargo xtask bench`: Grantlab's benchmarks (issue 7), printed as Markdown for BENCHMARKS.md.
//!
//! - `provider`: the lab provider against oidc-provider 9, and the RS256 signing floor;
//! - `workshop`: simulated learners through the client role's `/api`;
//! - `page`: the built frontend's gzipped weight and its first render in headless Chromium.
//!
//! Every process under test runs on 127.0.0.1 and is stopped by PID; every load loop stops by
//! itself after a few seconds or a fixed count. Usage: `lab [provider] [workshop] [page]`.

mod load;
mod page;
mod procs;
mod provider;
mod workshop;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

/// Where the things under test are: `GRANTLAB_BENCH_SERVER` and `GRANTLAB_BENCH_DIST` override
/// the release binary and Trunk's output of this checkout.
pub struct Paths {
    /// The release `grantlab` binary.
    pub server: PathBuf,
    /// Trunk's output.
    pub dist: PathBuf,
    /// `tests/interop`, with oidc-provider installed.
    pub interop: PathBuf,
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` adds `--bench`; the parts are the other words.
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    let all = args.is_empty();
    let wants = |part: &str| all || args.iter().any(|arg| arg == part);

    let root = grantlab_tests::workspace_root();
    let paths = Paths {
        server: std::env::var_os("GRANTLAB_BENCH_SERVER")
            .map_or_else(|| root.join("target/release/grantlab"), PathBuf::from),
        dist: std::env::var_os("GRANTLAB_BENCH_DIST")
            .map_or_else(|| root.join("dist"), PathBuf::from),
        interop: root.join("tests/interop"),
    };
    anyhow::ensure!(
        paths.server.exists(),
        "{} is missing: run `cargo build --release -p grantlab-backend` (or `cargo xtask bench`)",
        paths.server.display()
    );

    // One thread: the load generator stays lean and leaves the cores to the servers.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    println!("{}", machine());
    if wants("provider") {
        let floor = provider::signing_floor(&paths, Duration::from_secs(2))?;
        let cells = runtime.block_on(provider::throughput(&paths)).context("provider part")?;
        println!("## Provider throughput\n\n{}", provider::report(&cells, &floor));
    }
    if wants("workshop") {
        let report = runtime.block_on(workshop::workshop(&paths)).context("workshop part")?;
        println!("## Workshop\n\n{report}");
    }
    if wants("page") {
        let report = runtime.block_on(page::page(&paths)).context("page part")?;
        println!("## Page weight and first render\n\n{report}");
    }
    Ok(())
}

/// The machine: CPU model, cores, memory, and the load average when the bench started.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| {
            line.strip_prefix("model name").map(|rest| rest.trim_start_matches([' ', '\t', ':']))
        })
        .unwrap_or("unknown");
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let total = grantlab_tests::bench::status_bytes(&memory, "MemTotal").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "Machine: {model}, {cores} cores, {:.1} GiB; load average at start: {}\n",
        total as f64 / (1u64 << 30) as f64,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    )
}
