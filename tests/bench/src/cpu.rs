//! The load generator's own CPU time. It runs on the same cores as the system it measures, so
//! the report says how much of them it took.

use std::time::Duration;

use crate::processes::{TICKS_PER_SECOND, parse_stat};

/// User plus system CPU time of this whole process (all threads) so far; `None` off Linux.
pub fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (_, ticks) = parse_stat(&stat)?;
    Some(Duration::from_secs_f64(ticks as f64 / TICKS_PER_SECOND))
}
