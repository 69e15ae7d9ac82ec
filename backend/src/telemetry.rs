//! Logging setup and the per-request span.
//!
//! The span names the method and the matched route, never the raw URI: the callback's query
//! string carries `code` and `state`, which must not reach the logs.

use std::io::IsTerminal;

use axum::extract::MatchedPath;
use axum::http::Request;
use tracing::Span;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts the `tracing` subscriber, filtered by `RUST_LOG`, writing to stdout from its own
/// thread; keep the guard until the end of `main`, which writes what is still queued.
///
/// Without `RUST_LOG`, our crate logs at info and `tower_http` at debug-free info. The runtime
/// threads only queue each line: under a room's burst the writer thread sends many lines per
/// `write`, and a slow terminal or pipe does not stall requests until 128,000 lines wait
/// (then the threads wait for it: no line is dropped). Colours only on a terminal, and never
/// with `NO_COLOR` set.
pub fn init() -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("grantlab_backend=info,grantlab=info,tower_http=info"));
    let stdout = std::io::stdout();
    let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("grantlab-log")
        .finish(std::io::BufWriter::new(stdout));

    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_ansi(colour)
        .with_writer(writer)
        .init();
    guard
}

/// Opens the span for one request: method and matched route only.
pub fn request_span<B>(request: &Request<B>) -> Span {
    let route =
        request.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or("(unmatched)");
    tracing::info_span!("request", method = %request.method(), route)
}

/// A log sink for unit tests that check what an operator would read.
#[cfg(test)]
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

#[cfg(test)]
impl Captured {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        let bytes = self.0.lock().map(|bytes| bytes.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut kept) = self.0.lock() {
            kept.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
