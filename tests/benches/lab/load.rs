//! The load generator: N concurrent workers on the bench's one-thread runtime, each repeating a
//! round until a time limit or a count limit is reached, whichever comes first.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

use grantlab_tests::bench::percentile;

/// When a run stops: after `time`, or after `rounds` rounds started, whichever comes first.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// The longest a run lasts.
    pub time: Duration,
    /// The most rounds a run starts.
    pub rounds: u64,
}

/// What one run measured.
#[derive(Debug, Default)]
pub struct Run {
    /// Latency of each successful round, sorted.
    pub latencies: Vec<Duration>,
    /// Rounds that failed.
    pub errors: u64,
    /// The first failure's message, to say what went wrong.
    pub first_error: Option<String>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl Run {
    /// Successful rounds per second.
    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`th percentile latency (0 to 100), nearest rank.
    pub fn percentile(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }
}

/// Runs `round` on `concurrency` workers until `limit`, counting latencies and errors.
pub async fn run<F, Fut>(concurrency: usize, limit: Limit, round: F) -> Run
where
    F: Fn() -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let started = Instant::now();
    let issued = Cell::new(0u64);
    let worker = || async {
        let mut latencies = Vec::new();
        let mut errors = 0;
        let mut first_error = None;
        while started.elapsed() < limit.time && issued.get() < limit.rounds {
            issued.set(issued.get() + 1);
            let begin = Instant::now();
            match round().await {
                Ok(()) => latencies.push(begin.elapsed()),
                Err(error) => {
                    errors += 1;
                    first_error.get_or_insert_with(|| format!("{error:#}"));
                }
            }
        }
        (latencies, errors, first_error)
    };

    // Every worker is polled by this one task: no thread of ours competes with the server.
    let results = futures_util::future::join_all((0..concurrency).map(|_| worker())).await;
    let mut run = Run { elapsed: started.elapsed(), ..Run::default() };
    for (latencies, errors, first_error) in results {
        run.latencies.extend(latencies);
        run.errors += errors;
        if run.first_error.is_none() {
            run.first_error = first_error;
        }
    }
    run.latencies.sort_unstable();
    run
}
