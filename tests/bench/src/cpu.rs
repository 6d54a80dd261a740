//! The load generator's own CPU time. It runs on the same cores as the system it measures, so
//! the report says how much of them it took.

use std::time::Duration;

/// Ticks of `utime`/`stime` in `/proc/<pid>/stat`: USER_HZ, which Linux fixes at 100.
const TICKS_PER_SECOND: f64 = 100.0;

/// User plus system CPU time of this whole process (all threads) so far; `None` off Linux.
pub fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may contain spaces; the fields after it are plain numbers.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some(Duration::from_secs_f64((user + system) / TICKS_PER_SECOND))
}
