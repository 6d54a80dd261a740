//! The cost of tracing: the profile read through the gateway (gateway, its sidecar, the users
//! sidecar, users; the `profile via gateway` path) with every request traced, with one in ten
//! (the rate dapr/config.yaml and dapr/dapr.yaml configure) and with none, side by side, in one
//! run against the same processes.
//!
//! How the sampling rates are had without restarting anything: every tracer on the path samples
//! parent-based (the services' `OTEL_TRACES_SAMPLER=parentbased_traceidratio`, daprd's
//! `ParentBased(TraceIDRatioBased(samplingRate))`, dapr pkg/diagnostics/tracing_sampler.go), so
//! a request that arrives with a `traceparent` follows its sampled flag everywhere and no
//! configured ratio is consulted. The client starts a fresh trace per request and flags it
//! sampled (`-01`) or not (`-00`) by the ratio, from the trace id as a ratio sampler does: what
//! each process does when its own sampler decides, everything else equal. Not in the figure:
//! the ratio sampler's own decision at the root (a comparison of the trace id). In it: the
//! collector and Zipkin, which share the two cores with everything else, as they do here. The
//! rates run twice, interleaved, so drift of the machine falls on all of them.

use std::sync::Arc;

use shop_client::GATEWAY;

use crate::load::RequestFactory;
use crate::summary::Summary;

/// The rates measured, with their scenario names (the table's first column).
pub const RATES: [(&str, f64); 3] = [
    ("profile traced 100%", 1.0),
    ("profile traced 10%", 0.1),
    ("profile traced 0%", 0.0),
];

/// GET /api/users/me through the gateway, each request the root of a new trace, sampled with
/// probability `ratio`.
pub fn profile_read(access_token: &str, ratio: f64) -> RequestFactory {
    let url = format!("{GATEWAY}/api/users/me");
    let bearer = format!("Bearer {access_token}");
    Arc::new(move |client| {
        let trace_id = uuid::Uuid::new_v4();
        // The trace id's low 64 bits against the ratio, as OpenTelemetry's ratio sampler does.
        let low = trace_id.as_u128() as u64;
        let sampled = (low as f64) < ratio * (u64::MAX as f64);
        let flags = if sampled { "01" } else { "00" };
        let span_id = &uuid::Uuid::new_v4().simple().to_string()[..16];
        client
            .get(&url)
            .header("authorization", bearer.as_str())
            .header(
                "traceparent",
                format!("00-{}-{span_id}-{flags}", trace_id.simple()),
            )
    })
}

/// Mean throughput (requests/s), p50 and p99 (ms) of one rate's rounds.
type Figures = (f64, f64, f64);

/// The rates side by side, each the mean of its rounds (throughput and percentiles), with what
/// each costs against no tracing at all.
pub fn print_comparison(rounds: &[(f64, Vec<&Summary>)]) {
    // A round with failed requests (a service restarted under it) measured something else.
    let mean = |rounds: &[&Summary]| -> Option<Figures> {
        if rounds.is_empty() || rounds.iter().any(|r| r.successes == 0 || r.errors > 0) {
            return None;
        }
        let n = rounds.len() as f64;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        Some((
            rounds.iter().map(|r| r.rps).sum::<f64>() / n,
            rounds.iter().map(|r| ms(r.p50)).sum::<f64>() / n,
            rounds.iter().map(|r| ms(r.p99)).sum::<f64>() / n,
        ))
    };
    let figures: Option<Vec<(f64, Figures)>> = rounds
        .iter()
        .map(|(ratio, summaries)| Some((*ratio, mean(summaries)?)))
        .collect();
    let Some(figures) = figures else {
        println!("cost of tracing: not computed, a round had failed requests or none at all");
        return;
    };
    let Some(&(_, untraced)) = figures.iter().find(|(ratio, _)| *ratio == 0.0) else {
        return;
    };
    println!(
        "cost of tracing, profile via gateway (mean of {} interleaved rounds per rate):",
        rounds.first().map_or(0, |(_, r)| r.len())
    );
    println!(
        "    {:>8} {:>9} {:>8} {:>8}   {:>16} {:>12}",
        "sampled", "rps", "p50 ms", "p99 ms", "throughput lost", "p50 added"
    );
    for (ratio, (rps, p50, p99)) in &figures {
        println!(
            "    {:>7.0}% {:>9.1} {:>8.2} {:>8.2}   {:>15.1}% {:>+9.2} ms",
            ratio * 100.0,
            rps,
            p50,
            p99,
            100.0 * (1.0 - rps / untraced.0),
            p50 - untraced.1
        );
    }
}
