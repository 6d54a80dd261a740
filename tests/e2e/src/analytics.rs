//! Helpers for the analytics tests: the reporting API as an administrator reads it, products of
//! a test's own (name, category, price and currency chosen), waiting until analytics has taken
//! in what the system published, and the projection tables read straight from analytics'
//! database (to compare a live fold with a rebuild, row for row).

use std::time::Duration;

use serde_json::Value;
use sqlx::Connection;

use crate::{GATEWAY, eventually, http, invoke_url, secret};

/// How long analytics may take to take in what the saga published.
pub const INGEST_PATIENCE: Duration = Duration::from_secs(180);

/// `GET /api/admin/analytics/{report}?{query}` as JSON, asserting 200.
pub async fn report(admin: &str, report: &str, query: &str) -> Value {
    let response = http()
        .get(format!("{GATEWAY}/api/admin/analytics/{report}?{query}"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("gateway answers");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, reqwest::StatusCode::OK, "{report}?{query}: {body}");
    body
}

/// How many events analytics has logged.
pub async fn events_taken_in(admin: &str) -> i64 {
    report(admin, "ingestion", "").await["events"]
        .as_i64()
        .expect("an event count")
}

/// Waits until analytics has taken nothing new in for `still` (the system is quiet), so a
/// before-and-after comparison sees only what the test itself did.
pub async fn wait_until_quiet(admin: &str, still: Duration) {
    let deadline = tokio::time::Instant::now() + INGEST_PATIENCE;
    let mut last = events_taken_in(admin).await;
    let mut since = tokio::time::Instant::now();
    while since.elapsed() < still {
        assert!(
            tokio::time::Instant::now() < deadline,
            "analytics kept taking events in for {INGEST_PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = events_taken_in(admin).await;
        if now != last {
            last = now;
            since = tokio::time::Instant::now();
        }
    }
}

/// A connection to analytics' own database.
pub async fn analytics_db() -> sqlx::PgConnection {
    let url = format!(
        "postgres://analytics:{}@127.0.0.1:5432/analytics",
        secret("postgres-analytics-password")
    );
    sqlx::PgConnection::connect(&url)
        .await
        .expect("analytics' database answers")
}

/// Every projection table, each as one JSON array of its rows in key order.
pub async fn projection_snapshot() -> Vec<(String, String)> {
    let mut db = analytics_db().await;
    let mut tables = Vec::new();
    for (table, key) in [
        ("order_facts", "order_id"),
        ("order_lines", "order_id, line_no"),
        ("customers", "customer_id"),
        ("stock_rejections", "order_id, sku"),
        ("stock_signals", "sku"),
    ] {
        let rows: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT json_agg(t ORDER BY {key})::text FROM {table} t"
        )))
        .fetch_one(&mut db)
        .await
        .expect("the projection reads");
        tables.push((table.to_owned(), rows.unwrap_or_default()));
    }
    tables
}

/// Rebuilds the projections from analytics' event log (what `./shop replay-analytics` does) and
/// waits for it to finish; returns the rebuild's report.
pub async fn rebuild_projections() -> Value {
    let url = invoke_url("analytics", "internal/projections/rebuild");
    let started = http().post(&url).send().await.expect("the sidecar answers");
    assert_eq!(started.status(), reqwest::StatusCode::ACCEPTED);
    eventually(
        "the rebuild to finish",
        Duration::from_secs(300),
        || async {
            let state: Value = http().get(&url).send().await.ok()?.json().await.ok()?;
            (state["running"] == false && state["finishedAt"].is_string()).then_some(state)
        },
    )
    .await
}
