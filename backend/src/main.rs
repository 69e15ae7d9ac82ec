//! The `grantlab` binary: parse the configuration, start tracing, serve until told to stop.

use clap::Parser;
use grantlab_backend::{Config, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let _log_writer = telemetry::init();
    grantlab_backend::run(config).await
}
