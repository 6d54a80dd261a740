//! CPU time per process of the system, from `/proc`: each service, each sidecar (by its app
//! id), Postgres (all its backends together), Kafka, RabbitMQ, Dapr's control plane and this
//! load generator. Two readings around a scenario say where its cores went.

use std::collections::BTreeMap;
use std::time::Duration;

/// Ticks of `utime`/`stime` in `/proc/<pid>/stat`: USER_HZ, which Linux fixes at 100.
pub const TICKS_PER_SECOND: f64 = 100.0;

const SERVICES: [&str; 7] = [
    "gateway",
    "users",
    "inventory",
    "orders",
    "payments",
    "notifications",
    "analytics",
];

/// CPU ticks so far, by process group.
#[derive(Debug, Clone, Default)]
pub struct CpuTicks(BTreeMap<String, u64>);

impl CpuTicks {
    /// Reads every process now; processes that end while being read are skipped.
    pub fn read() -> Self {
        let mut ticks = BTreeMap::new();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Self(ticks);
        };
        for entry in entries.flatten() {
            let pid = entry.file_name();
            if !pid.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let dir = entry.path();
            let (Ok(stat), Ok(cmdline)) = (
                std::fs::read_to_string(dir.join("stat")),
                std::fs::read(dir.join("cmdline")),
            ) else {
                continue;
            };
            let Some((comm, used)) = parse_stat(&stat) else {
                continue;
            };
            let args: Vec<String> = cmdline
                .split(|&b| b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            if let Some(group) = group_of(&comm, &args) {
                *ticks.entry(group).or_default() += used;
            }
        }
        Self(ticks)
    }

    /// Each group's share of one core between `before` and `self`, `wall` apart, busiest
    /// first, as `name 93%`.
    pub fn shares_since(&self, before: &Self, wall: Duration) -> Vec<(String, f64)> {
        let mut shares: Vec<(String, f64)> = self
            .0
            .iter()
            .map(|(group, after)| {
                let used = after.saturating_sub(before.0.get(group).copied().unwrap_or(0));
                let seconds = used as f64 / TICKS_PER_SECOND;
                (
                    group.clone(),
                    100.0 * seconds / wall.as_secs_f64().max(f64::EPSILON),
                )
            })
            .filter(|(_, share)| *share >= 0.5)
            .collect();
        shares.sort_by(|a, b| b.1.total_cmp(&a.1));
        shares
    }
}

/// The command name and utime + stime of a `/proc/<pid>/stat` line. The name may contain
/// spaces and parentheses; the fields after its last `)` are plain numbers.
pub fn parse_stat(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat[open + 1..close].to_owned();
    let mut fields = stat[close + 1..].split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((comm, user + system))
}

/// Which part of the system a process is; `None` for what is not the system's.
fn group_of(comm: &str, args: &[String]) -> Option<String> {
    let has = |needle: &str| args.iter().any(|a| a.contains(needle));
    let after = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    Some(match comm {
        "daprd" => format!("daprd {}", after("--app-id").unwrap_or_default()),
        "placement" => "dapr placement".to_owned(),
        "scheduler" => "dapr scheduler".to_owned(),
        "postgres" => "postgres".to_owned(),
        "beam.smp" => "rabbitmq".to_owned(),
        "shop-bench" => "shop-bench (this load generator)".to_owned(),
        "java" if has("kafka.Kafka") => "kafka".to_owned(),
        "java" if has("wiremock") => "wiremock (Twilio)".to_owned(),
        "python" | "python3" if has("localstripe") => "localstripe (Stripe)".to_owned(),
        "stripe-mock" => "stripe-mock".to_owned(),
        "mailpit" => "mailpit (SMTP)".to_owned(),
        name if SERVICES.contains(&name) => format!("app {name}"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_its_name_and_cpu_ticks() {
        let stat = "4242 (daprd) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 12 0";
        assert_eq!(parse_stat(stat), Some(("daprd".to_owned(), 175)));
        let args = ["daprd", "--app-id", "orders"].map(String::from);
        assert_eq!(group_of("daprd", &args).as_deref(), Some("daprd orders"));
        assert_eq!(group_of("bash", &[]), None);
    }
}
