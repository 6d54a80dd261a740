//! Turning samples into the printed figures.

use std::time::Duration;

use crate::load::Samples;

/// Above this share of failed requests a scenario's figures describe the failures as much as
/// the system, and the report says so.
const ERROR_SHARE_WARNING: f64 = 0.01;

pub struct Summary {
    pub scenario: &'static str,
    pub successes: usize,
    pub errors: u64,
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    warning: Option<String>,
}

impl Summary {
    pub fn new(scenario: &'static str, mut samples: Samples, measured: Duration) -> Self {
        samples.latencies.sort_unstable();
        let errors = samples.error_count();
        let successes = samples.latencies.len();
        let attempts = successes as f64 + errors as f64;
        let warning = (attempts > 0.0 && errors as f64 / attempts > ERROR_SHARE_WARNING).then(|| {
            let kinds = samples
                .errors
                .iter()
                .map(|(kind, count)| format!("{kind} x{count}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "WARNING: {scenario}: {errors} of {attempts} requests failed ({:.1}%): {kinds}; first: {}",
                100.0 * errors as f64 / attempts,
                samples.first_error.as_deref().unwrap_or("-"),
            )
        });
        Self {
            scenario,
            successes,
            errors,
            rps: successes as f64 / measured.as_secs_f64(),
            p50: percentile(&samples.latencies, 0.50),
            p99: percentile(&samples.latencies, 0.99),
            max: samples.latencies.last().copied().unwrap_or_default(),
            warning,
        }
    }

    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }
}

/// Nearest-rank percentile of sorted `latencies`: the smallest sample with at least `p` of the
/// samples at or below it. Zero when there are none.
pub fn percentile(latencies: &[Duration], p: f64) -> Duration {
    if latencies.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * latencies.len() as f64).ceil() as usize;
    latencies[rank.clamp(1, latencies.len()) - 1]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn print_table(summaries: &[Summary]) {
    println!(
        "{:<20} {:>9} {:>9} {:>8} {:>8} {:>8} {:>7}",
        "scenario", "requests", "rps", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for s in summaries {
        println!(
            "{:<20} {:>9} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>7}",
            s.scenario,
            s.successes,
            s.rps,
            millis(s.p50),
            millis(s.p99),
            millis(s.max),
            s.errors
        );
    }
    for warning in summaries.iter().filter_map(Summary::warning) {
        println!("{warning}");
    }
}

/// What the two Dapr hops (gateway sidecar, users sidecar) and the gateway itself cost on a
/// cheap read, compared with calling the users service directly.
pub fn print_hop_cost(via_gateway: &Summary, direct: &Summary) {
    if via_gateway.successes == 0 || direct.successes == 0 {
        println!(
            "cost of the Dapr hops: not computed, a profile scenario has no successful request"
        );
        return;
    }
    println!(
        "cost of gateway + Dapr hops: p50 x{:.1} ({:.2} ms via gateway / {:.2} ms direct), \
         throughput x{:.1} ({:.1} rps direct / {:.1} rps via gateway)",
        millis(via_gateway.p50) / millis(direct.p50),
        millis(via_gateway.p50),
        millis(direct.p50),
        direct.rps / via_gateway.rps,
        direct.rps,
        via_gateway.rps,
    );
}

/// What paying costs on top of placing an order: the paid orders' placement → `confirmed`
/// beside their placement's own answer (`placements`, unsorted), and, when the `order placed`
/// scenario ran too, beside placing alone under the same load.
pub fn print_payment_cost(
    paid: &Summary,
    mut placements: Vec<Duration>,
    placed_alone: Option<&Summary>,
    poll: Duration,
) {
    if paid.successes == 0 {
        println!("cost of paying end to end: not computed, no order was confirmed");
        return;
    }
    placements.sort_unstable();
    println!(
        "{}: placement -> confirmed p50 {:.2} ms, p99 {:.2} ms (read back every {:.0} ms); \
         of which the placement's own answer p50 {:.2} ms, p99 {:.2} ms, and the rest the saga \
         (stock through Kafka, authorization at the provider, confirmation)",
        paid.scenario,
        millis(paid.p50),
        millis(paid.p99),
        millis(poll),
        millis(percentile(&placements, 0.50)),
        millis(percentile(&placements, 0.99)),
    );
    match placed_alone {
        Some(placed) if placed.successes > 0 => println!(
            "cost of paying end to end: p50 x{:.1} ({:.2} ms placed -> confirmed / {:.2} ms \
             placement alone), throughput x{:.1} ({:.1} orders/s placed / {:.1} orders/s paid)",
            millis(paid.p50) / millis(placed.p50),
            millis(paid.p50),
            millis(placed.p50),
            placed.rps / paid.rps,
            placed.rps,
            paid.rps,
        ),
        _ => println!(
            "cost of paying end to end: no `order placed` figures to compare with (run without --only)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_millis).collect()
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted = ms(&(1..=100).collect::<Vec<_>>());
        assert_eq!(percentile(&sorted, 0.50), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&ms(&[7]), 0.99), Duration::from_millis(7));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn more_than_one_percent_failures_warn() {
        let mut samples = Samples {
            latencies: ms(&[1; 98]),
            ..Samples::default()
        };
        samples.errors.insert("429".into(), 2);
        let summary = Summary::new("profile via gateway", samples, Duration::from_secs(1));
        assert_eq!(summary.successes, 98);
        assert!(summary.warning().is_some_and(|w| w.contains("429 x2")));

        let samples = Samples {
            latencies: ms(&[1; 100]),
            ..Samples::default()
        };
        assert!(
            Summary::new("x", samples, Duration::from_secs(1))
                .warning()
                .is_none()
        );
    }
}
