//! The orders scenario, three figures of the event-sourced order service:
//! - orders placed per second through the gateway: POST /api/orders with a fresh
//!   `Idempotency-Key` each time, for one well-stocked SKU (pricing by inventory and the
//!   payment-method check by payments, both through Dapr, the append of the order's first
//!   events, the publication ledger, the read models);
//! - appends per second straight to the event store, by Dapr service invocation of the orders
//!   service's internal endpoint, each worker on a scratch stream of its own;
//! - the speed of a replay of every order stream into the read models, once, afterwards.
//!
//!
//! The replay runs as a background job in the orders service (it outlasts a Dapr invocation's
//! timeout): the bench starts it through Dapr and polls its state until it reports its figures.

use std::time::Duration;

use anyhow::{Context, ensure};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shop_client::invoke_url;

use crate::decisions::{PlacedSink, placed_from};
use crate::load::Session;

/// Units stocked for the orders scenario: far more than any run places.
pub const STOCK: i64 = 1_000_000;

/// A replay goes through every order stream there is, not only this run's: give it time.
const REPLAY_TIMEOUT: Duration = Duration::from_secs(600);

/// Places one order for one unit of `sku` per request, as the customer of `access_token`.
/// Each request has a fresh `Idempotency-Key`, so each one places a new order: 201.
pub struct PlaceOrder {
    url: String,
    bearer: String,
    body: Value,
    /// The orders placed in the measured window, for the follow-up (`decisions`).
    placed: PlacedSink,
}

impl PlaceOrder {
    pub fn new(access_token: &str, sku: &str, placed: PlacedSink) -> Self {
        Self {
            placed,
            url: format!("{}/api/orders", shop_client::GATEWAY),
            bearer: format!("Bearer {access_token}"),
            // Stripe's test card: payments authorizes it, as a customer's card.
            body: json!({
                "lines": [{ "sku": sku, "quantity": 1 }],
                "paymentMethodId": "pm_card_visa"
            }),
        }
    }
}

impl Session for PlaceOrder {
    fn request(&mut self, client: &reqwest::Client) -> reqwest::RequestBuilder {
        client
            .post(&self.url)
            .header("authorization", self.bearer.as_str())
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(&self.body)
    }

    fn accepts(&self, status: StatusCode) -> bool {
        status == StatusCode::CREATED
    }

    fn succeeded(&mut self, body: &[u8], measured: bool) {
        if let Some(placed) = placed_from(body) {
            self.placed
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push((placed, measured));
        }
    }
}

/// One worker's appends, one event at a time, to a stream only this worker writes
/// (`bench-<uuid>-<worker>`: scratch streams, since `order-...` streams take order commands
/// only). The expected version moves on after each 201, so no append should ever conflict.
pub struct Append {
    worker: usize,
    stream: String,
    version: u64,
}

impl Append {
    /// The sessions of `workers` workers, each with a stream of its own.
    pub fn sessions(workers: usize) -> Vec<Self> {
        (0..workers)
            .map(|worker| Self {
                worker,
                stream: scratch_stream(worker),
                version: 0,
            })
            .collect()
    }
}

fn scratch_stream(worker: usize) -> String {
    format!("bench-{}-{worker}", uuid::Uuid::new_v4())
}

impl Session for Append {
    fn request(&mut self, client: &reqwest::Client) -> reqwest::RequestBuilder {
        let url = invoke_url(
            "orders",
            &format!("internal/streams/{}/events", self.stream),
        );
        client.post(url).json(&json!({
            "expectedVersion": self.version,
            "events": [{ "type": "bench.appended.v1", "data": { "n": self.version } }],
        }))
    }

    fn accepts(&self, status: StatusCode) -> bool {
        status == StatusCode::CREATED
    }

    fn answered(&mut self, status: Option<StatusCode>) {
        match status {
            Some(StatusCode::CREATED) => self.version += 1,
            // Nobody else writes this stream, so a conflict is a bug, and counted as an error.
            // It can also follow an append that timed out here but was stored: either way,
            // carry on in a fresh stream rather than fail every request after it.
            Some(StatusCode::CONFLICT) => {
                self.stream = scratch_stream(self.worker);
                self.version = 0;
            }
            _ => {}
        }
    }
}

/// One worker's appends straight to the orders sidecar's state API, the way the order's actor
/// appends (`EventStore::append_next`): one transaction creating the next event key
/// (first-write) and moving the stream's head, on a stream only this worker writes. No app in
/// between: what the sidecar and the state store cost, beside raw Postgres doing the same.
pub struct SidecarAppend {
    url: String,
    stream: String,
    version: u64,
}

impl SidecarAppend {
    pub fn sessions(workers: usize) -> Vec<Self> {
        (0..workers)
            .map(|worker| Self {
                url: format!(
                    "{}/v1.0/state/orderstore/transaction",
                    shop_client::sidecar("orders")
                ),
                stream: scratch_stream(worker),
                version: 0,
            })
            .collect()
    }
}

impl Session for SidecarAppend {
    fn request(&mut self, client: &reqwest::Client) -> reqwest::RequestBuilder {
        let next = self.version + 1;
        client.post(&self.url).json(&json!({ "operations": [
            { "operation": "upsert", "request": {
                "key": format!("{}-event-{next:010}", self.stream),
                "value": { "sequence": next, "type": "bench.appended.v1", "data": { "n": next } },
                "options": { "concurrency": "first-write" } } },
            { "operation": "upsert", "request": {
                "key": format!("{}-head", self.stream),
                "value": { "version": next } } },
        ]}))
    }

    fn answered(&mut self, status: Option<StatusCode>) {
        if status.is_some_and(|s| s.is_success()) {
            self.version += 1;
        }
    }
}

/// Replays every order stream into the read models, once, and reports what the orders service
/// measured: streams, events, seconds and events per second.
pub async fn replay() -> anyhow::Result<String> {
    eprintln!("running read-model replay: every order stream, once ...");
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .context("an HTTP client for the replay")?;
    let start_url = invoke_url("orders", "internal/read-models/replays");
    let response = client
        .post(&start_url)
        .send()
        .await
        .with_context(|| format!("starting the replay at {start_url}"))?;
    ensure!(
        response.status() == StatusCode::ACCEPTED,
        "starting the replay answered {}",
        response.status()
    );
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .context("the replay gave no location")?
        .to_owned();
    let status_url = invoke_url("orders", &location);
    let started = std::time::Instant::now();
    let report = loop {
        ensure!(
            started.elapsed() < REPLAY_TIMEOUT,
            "the replay did not finish in {REPLAY_TIMEOUT:?}"
        );
        let state: Value = client
            .get(&status_url)
            .send()
            .await
            .with_context(|| format!("the replay's state at {status_url}"))?
            .json()
            .await
            .context("the replay's state is not JSON")?;
        match state["state"].as_str() {
            Some("running") => tokio::time::sleep(Duration::from_millis(250)).await,
            Some("finished") => break state,
            _ => anyhow::bail!("the replay failed: {state}"),
        }
    };
    let missing = |field: &str| format!("no number {field:?} in the replay's report: {report}");
    let count = |field: &str| report[field].as_u64().with_context(|| missing(field));
    let real = |field: &str| report[field].as_f64().with_context(|| missing(field));
    Ok(format!(
        "read-model replay (every order stream, once): {} streams, {} events in {:.2} s: {:.1} events/s",
        count("streams")?,
        count("events")?,
        real("seconds")?,
        real("eventsPerSecond")?,
    ))
}
