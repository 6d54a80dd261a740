//! Helpers for the observability tests: a trace context of the test's own to send with a
//! request, the trace as Zipkin holds it, Prometheus' query and alert APIs, and screenshots of
//! both UIs with Debian's headless Chromium. Zipkin, the OpenTelemetry Collector and Prometheus
//! are the ones `./shop up` starts (scripts/lib/observability.sh); without them these fail.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::{eventually, http, required_env};

/// How long spans may take to reach Zipkin and series to reach Prometheus: the collector batches
/// for a second, Prometheus scrapes every 5 s, and the saga itself takes a few seconds.
pub const PATIENCE: Duration = Duration::from_secs(90);

pub fn zipkin() -> String {
    required_env("ZIPKIN_URL")
}

pub fn prometheus() -> String {
    required_env("PROMETHEUS_URL")
}

/// A W3C `traceparent` for a new, sampled trace, and its trace id. Sent by the client, it makes
/// the gateway's span (parent-based sampling) and everything after it part of this trace, at any
/// configured sampling rate.
pub fn new_trace() -> (String, String) {
    let trace_id = uuid::Uuid::new_v4().simple().to_string();
    let span_id = &uuid::Uuid::new_v4().simple().to_string()[..16];
    (trace_id.clone(), format!("00-{trace_id}-{span_id}-01"))
}

/// One span as Zipkin's v2 API returns it.
#[derive(Debug, Clone)]
pub struct Span {
    pub id: String,
    pub parent_id: Option<String>,
    pub service: String,
    pub name: String,
    pub tags: serde_json::Map<String, Value>,
}

impl Span {
    /// Whether a Dapr sidecar made this span (daprd's instrumentation scope), not the app.
    pub fn from_sidecar(&self) -> bool {
        self.tags.get("otel.library.name").and_then(Value::as_str) == Some("dapr-diagnostics")
    }

    pub fn tag(&self, name: &str) -> Option<&str> {
        self.tags.get(name).and_then(Value::as_str)
    }
}

/// The spans Zipkin holds for `trace_id` (none yet is an empty list).
pub async fn trace(trace_id: &str) -> Vec<Span> {
    let response = http()
        .get(format!("{}/api/v2/trace/{trace_id}", zipkin()))
        .send()
        .await
        .expect("Zipkin answers (is it up? ./shop status)");
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Vec::new();
    }
    assert!(
        response.status().is_success(),
        "Zipkin: {}",
        response.status()
    );
    let spans: Vec<Value> = response.json().await.expect("a JSON list of spans");
    spans
        .into_iter()
        .map(|span| Span {
            id: span["id"].as_str().unwrap_or_default().to_owned(),
            parent_id: span["parentId"].as_str().map(str::to_owned),
            service: span["localEndpoint"]["serviceName"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            name: span["name"].as_str().unwrap_or_default().to_owned(),
            tags: span["tags"].as_object().cloned().unwrap_or_default(),
        })
        .collect()
}

/// The result vector of an instant PromQL query.
pub async fn query(expr: &str) -> Vec<Value> {
    let response: Value = http()
        .get(format!("{}/api/v1/query", prometheus()))
        .query(&[("query", expr)])
        .send()
        .await
        .expect("Prometheus answers (is it up? ./shop status)")
        .json()
        .await
        .expect("json");
    assert_eq!(response["status"], "success", "{expr}: {response}");
    response["data"]["result"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The sum of an instant query's values (0 when it has none).
pub async fn query_sum(expr: &str) -> f64 {
    query(expr)
        .await
        .iter()
        .filter_map(|sample| sample["value"][1].as_str()?.parse::<f64>().ok())
        .sum()
}

/// Waits until the instant query `expr` sums to at least `at_least`.
pub async fn wait_for_series(expr: &str, at_least: f64) -> f64 {
    eventually(
        &format!("{expr} >= {at_least} in Prometheus"),
        PATIENCE,
        || async {
            let value = query_sum(expr).await;
            (value >= at_least).then_some(value)
        },
    )
    .await
}

/// The alerts Prometheus holds now (pending and firing).
pub async fn alerts() -> Vec<Value> {
    let response: Value = http()
        .get(format!("{}/api/v1/alerts", prometheus()))
        .send()
        .await
        .expect("Prometheus answers")
        .json()
        .await
        .expect("json");
    response["data"]["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Where the tests leave what a person should look at: `$SHOP_RUN/test-output/observability`.
pub fn output_dir() -> PathBuf {
    let dir = PathBuf::from(required_env("SHOP_RUN"))
        .join("test-output")
        .join("observability");
    std::fs::create_dir_all(&dir).expect("the test output directory can be made");
    dir
}

/// Debian's Chromium, installed by `./shop up` (scripts/lib/observability.sh).
fn chromium() -> Command {
    let mut command = Command::new("chromium");
    // As the probe of these machines runs it: root needs --no-sandbox; the machine's network is
    // closed, so Chromium's own background connections stay off; a fresh profile per run.
    // --virtual-time-budget lets the single-page UIs fetch and render before the capture.
    let profile = std::env::temp_dir().join(format!("shop-chromium-{}", uuid::Uuid::new_v4()));
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1600,1000",
        "--virtual-time-budget=15000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The page at `url` after its scripts ran, as HTML.
pub fn rendered_dom(url: &str) -> String {
    let output = chromium()
        .args(["--dump-dom", url])
        .output()
        .expect("chromium runs (Debian package chromium; ./shop up installs it)");
    assert!(
        output.status.success(),
        "chromium --dump-dom {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A PNG of the page at `url`, written to `path`; asserts it is a real, non-trivial picture.
pub fn screenshot(url: &str, path: &Path) {
    let _ = std::fs::remove_file(path);
    let output = chromium()
        .arg(format!("--screenshot={}", path.display()))
        .arg(url)
        .output()
        .expect("chromium runs (Debian package chromium; ./shop up installs it)");
    assert!(
        output.status.success(),
        "chromium --screenshot {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let png = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    // A blank 1600x1000 page compresses to a few kilobytes; a rendered UI is far larger.
    assert!(
        png.len() > 30_000,
        "{} is only {} bytes: nothing was rendered",
        path.display(),
        png.len()
    );
}
