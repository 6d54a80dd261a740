//! Prometheus metrics: what every service measures the same way, served at `/metrics`.
//!
//! The runtime measures what it sees for every service: requests (by method, route template and
//! status), delivered events (by topic, type and outcome, and how old each was when it was
//! consumed) and the transactional outbox (rows waiting, the age of the oldest, and what it
//! published by event type: a service's outcomes, such as reservations made or rejected and
//! payments authorized or failed). A service adds counters of its own to [`registry`] with
//! [`counter_vec`].
//!
//! Route templates (`orders/{order_id}`), never raw paths, label the request series: a label per
//! order id would make one series per order and swamp Prometheus.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// Latency buckets in seconds, from a cached read (1 ms) to the gateway's upstream timeout (15 s).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0,
];
/// Event age buckets in seconds: from the same-millisecond hand-off through Kafka to the hours a
/// consumer could lag behind after an outage.
const AGE_BUCKETS: &[f64] = &[
    0.005, 0.025, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0, 3600.0, 21600.0,
];

/// The registry `/metrics` serves. Every metric of the process registers here.
pub fn registry() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
        let registry = Registry::new();
        // CPU, memory, file descriptors and start time of the process, read from /proc.
        #[cfg(target_os = "linux")]
        if let Err(error) = registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        )) {
            eprintln!("process metrics unavailable: {error}");
        }
        registry
    });
    &REGISTRY
}

/// A counter family registered in [`registry`]. Registering the same name twice is a
/// programming error, so it panics at start-up rather than losing the series.
pub fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let counter = IntCounterVec::new(Opts::new(name, help), labels).expect("a valid metric");
    registry()
        .register(Box::new(counter.clone()))
        .expect("a metric name registered once");
    counter
}

fn histogram_vec(name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
    let histogram = HistogramVec::new(
        HistogramOpts::new(name, help).buckets(buckets.to_vec()),
        labels,
    )
    .expect("a valid metric");
    registry()
        .register(Box::new(histogram.clone()))
        .expect("a metric name registered once");
    histogram
}

fn gauge(name: &str, help: &str) -> IntGauge {
    let gauge = IntGauge::with_opts(Opts::new(name, help)).expect("a valid metric");
    registry()
        .register(Box::new(gauge.clone()))
        .expect("a metric name registered once");
    gauge
}

struct HttpMetrics {
    requests: IntCounterVec,
    duration: HistogramVec,
}

static HTTP: LazyLock<HttpMetrics> = LazyLock::new(|| HttpMetrics {
    requests: counter_vec(
        "http_server_requests_total",
        "Requests served, by method, route template and status code",
        &["method", "route", "status"],
    ),
    duration: histogram_vec(
        "http_server_request_duration_seconds",
        "Time from the request's arrival to its answer, by method and route template",
        &["method", "route"],
        LATENCY_BUCKETS,
    ),
});

/// Counts one request and its latency. `route` is the matched template ("" when nothing
/// matched, counted as `unmatched`).
pub fn observe_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let route = if route.is_empty() { "unmatched" } else { route };
    HTTP.requests
        .with_label_values(&[method, route, &status.to_string()])
        .inc();
    HTTP.duration
        .with_label_values(&[method, route])
        .observe(elapsed.as_secs_f64());
}

struct EventMetrics {
    consumed: IntCounterVec,
    age: HistogramVec,
}

static EVENTS: LazyLock<EventMetrics> = LazyLock::new(|| EventMetrics {
    consumed: counter_vec(
        "events_consumed_total",
        "Delivered events by topic, event type and outcome (handled, already_done, ignored, \
         dead_lettered, retried)",
        &["topic", "type", "outcome"],
    ),
    age: histogram_vec(
        "events_consumed_age_seconds",
        "How old an event was (its CloudEvents time) when this consumer finished with it: the \
         consumer's lag behind the producer",
        &["topic"],
        AGE_BUCKETS,
    ),
});

/// Counts one delivery's outcome and the event's age at that moment.
pub fn observe_consumed(topic: &str, event_type: &str, outcome: &str, age: Option<Duration>) {
    EVENTS
        .consumed
        .with_label_values(&[topic, event_type, outcome])
        .inc();
    if let Some(age) = age {
        EVENTS
            .age
            .with_label_values(&[topic])
            .observe(age.as_secs_f64());
    }
}

struct OutboxMetrics {
    pending: IntGauge,
    oldest_age: IntGauge,
    published: IntCounterVec,
}

static OUTBOX: LazyLock<OutboxMetrics> = LazyLock::new(|| OutboxMetrics {
    pending: gauge(
        "outbox_pending_events",
        "Events committed to the outbox and not yet accepted by the sidecar",
    ),
    oldest_age: gauge(
        "outbox_oldest_pending_age_seconds",
        "Age of the oldest event still waiting in the outbox (0 when it is empty)",
    ),
    // By type too: what a service publishes is its outcomes (inventory's reserved or
    // rejected, payments' authorized, failed, captured, voided), so this counts them by kind.
    published: counter_vec(
        "outbox_published_total",
        "Events the outbox relay handed to the sidecar, by topic and event type",
        &["topic", "type"],
    ),
});

/// What the relay found waiting after its last pass.
pub fn observe_outbox(pending: i64, oldest_age_seconds: i64) {
    OUTBOX.pending.set(pending);
    OUTBOX.oldest_age.set(oldest_age_seconds);
}

pub fn observe_outbox_published(topic: &str, event_type: &str) {
    OUTBOX
        .published
        .with_label_values(&[topic, event_type])
        .inc();
}

/// The registry in Prometheus' text exposition format.
pub fn render() -> String {
    // Touch the families so that they are exposed (at zero) before their first observation:
    // an alert on `rate(...)` needs the series to exist.
    LazyLock::force(&HTTP);
    LazyLock::force(&EVENTS);
    let mut buffer = Vec::new();
    if let Err(error) = TextEncoder::new().encode(&registry().gather(), &mut buffer) {
        tracing::warn!(%error, "could not encode the metrics");
    }
    String::from_utf8(buffer).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_template_and_status() {
        observe_request("GET", "orders/{order_id}", 200, Duration::from_millis(3));
        observe_request("GET", "", 404, Duration::from_millis(1));
        let text = render();
        assert!(
            text.contains(
                r#"http_server_requests_total{method="GET",route="orders/{order_id}",status="200"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"route="unmatched",status="404"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"http_server_request_duration_seconds_bucket{method="GET",route="orders/{order_id}",le="0.005"} 1"#),
            "{text}"
        );
    }

    #[test]
    fn deliveries_are_counted_by_outcome_with_their_age() {
        observe_consumed(
            "order-events",
            "shop.order.placed.v2",
            "handled",
            Some(Duration::from_millis(40)),
        );
        let text = render();
        assert!(
            text.contains(r#"events_consumed_total{outcome="handled",topic="order-events",type="shop.order.placed.v2"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"events_consumed_age_seconds_bucket{topic="order-events",le="0.1"} 1"#),
            "{text}"
        );
    }
}
