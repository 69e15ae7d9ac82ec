//! Pure helpers of the benchmark (`tests/benches/lab/`): percentiles and readings of `/proc`,
//! kept here so that their unit tests run with the others.

use std::time::Duration;

/// The `p`th percentile (0 to 100) of sorted `values`, by nearest rank; zero when empty.
pub fn percentile(values: &[Duration], p: f64) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// The median of `values` (the lower middle for an even count); `None` when empty.
pub fn median<T: Clone>(values: &[T], key: impl Fn(&T) -> f64) -> Option<T> {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| key(a).total_cmp(&key(b)));
    sorted.get(sorted.len().saturating_sub(1) / 2).cloned()
}

/// User plus system CPU time, in clock ticks, from a `/proc/<pid>/stat` line (proc(5):
/// fields 14 and 15, counted after the command name, which may hold spaces).
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// A `kB` field such as `VmHWM` or `VmRSS` from a `/proc/<pid>/status` text, in bytes.
pub fn status_bytes(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with(field))?;
    let value = line[field.len()..].trim_start_matches(':').split_whitespace().next()?;
    value.parse::<u64>().ok().map(|kb| kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_takes_the_nearest_rank() {
        let values: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();

        assert_eq!(percentile(&values, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&values, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&values, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
    }

    #[test]
    fn median_of_three_runs_is_the_middle_one() {
        assert_eq!(median(&[3.0, 1.0, 2.0], |x| *x), Some(2.0));
        assert_eq!(median::<f64>(&[], |x| *x), None);
    }

    #[test]
    fn cpu_ticks_skip_a_command_name_with_spaces() {
        let stat = "4242 (tokio worker) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 4 0 100 0 0";

        assert_eq!(cpu_ticks(stat), Some(175));
        assert_eq!(cpu_ticks("garbage"), None);
    }

    #[test]
    fn status_bytes_reads_kilobytes() {
        let status = "Name:\tgrantlab\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";

        assert_eq!(status_bytes(status, "VmHWM"), Some(20480 * 1024));
        assert_eq!(status_bytes(status, "VmSwap"), None);
    }
}
