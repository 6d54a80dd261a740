//! The paid-orders scenario: orders paid end to end. Each of C workers, in a closed loop, places
//! an order through the gateway (one unit of a well-stocked SKU, Stripe's test Visa
//! `pm_card_visa`, a fresh `Idempotency-Key`) and reads it back through its actor
//! (`GET /api/orders/{id}`) every `POLL` until it is `confirmed`: inventory reserved its stock
//! (order events through Kafka), payments authorized the total at the provider (localstripe,
//! through the payments sidecar's binding) and said so on `payment-events`, and orders confirmed
//! it. Then the next order.
//!
//! One sample per order: from sending the placement to reading `confirmed` (so up to one `POLL`
//! more than the saga itself took). Orders that did not finish inside the measured window do not
//! count, as in `load`. Beside it, the same orders' placement alone (the 201), which is what the
//! `order placed` scenario measures: the difference is what paying costs.
//!
//! Each worker polls at most 1000 / `POLL` times a second from its own source address, well
//! under the gateway's rate limit per client.

use std::time::Duration;

use anyhow::Context;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::load::{self, Samples, Window};

/// How often a worker reads its order back while waiting for the confirmation.
pub const POLL: Duration = Duration::from_millis(50);
/// An order not confirmed after this long is counted as an error (the deadline that cancels an
/// unpaid order is 30 s in dapr/dapr.yaml).
const PATIENCE: Duration = Duration::from_secs(60);
/// The test card payments authorizes.
const PAYMENT_METHOD: &str = "pm_card_visa";

/// What the scenario measured: placement → `confirmed` per order, and the placement's own
/// answer for the same orders.
pub struct PaidOrders {
    pub confirmed: Samples,
    pub placed: Samples,
}

/// Runs `workers` closed-loop workers for the warm-up then `measured`, as the customer of
/// `access_token`, ordering one unit of `sku` at a time.
pub async fn measure(
    access_token: &str,
    sku: &str,
    workers: usize,
    measured: Duration,
) -> anyhow::Result<PaidOrders> {
    let clients = (0..workers)
        .map(load::worker_client)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let window = Window::after_warm_up(measured);
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| {
            let order = OrderRequest {
                url: format!("{}/api/orders", shop_client::GATEWAY),
                bearer: format!("Bearer {access_token}"),
                body: json!({
                    "lines": [{ "sku": sku, "quantity": 1 }],
                    "paymentMethodId": PAYMENT_METHOD,
                }),
            };
            tokio::spawn(worker(client, order, window))
        })
        .collect();
    let mut paid = PaidOrders {
        confirmed: Samples::default(),
        placed: Samples::default(),
    };
    for task in tasks {
        let (confirmed, placed) = task.await.context("a paid-orders worker panicked")?;
        paid.confirmed.merge(confirmed);
        paid.placed.merge(placed);
    }
    Ok(paid)
}

struct OrderRequest {
    url: String,
    bearer: String,
    body: Value,
}

/// How one order went.
enum Outcome {
    /// Confirmed; the placement's answer took this long.
    Confirmed { placement: Duration },
    /// Not placed, cancelled, or not confirmed in time: counted by `kind`.
    Failed { kind: String, detail: String },
    /// Still under way when the measured window closed: not counted either way.
    CutOff,
}

async fn worker(
    client: reqwest::Client,
    order: OrderRequest,
    window: Window,
) -> (Samples, Samples) {
    let mut confirmed = Samples::default();
    let mut placed = Samples::default();
    while Instant::now() < window.end {
        let started = Instant::now();
        let outcome = pay_one(&client, &order, started, window.end).await;
        let finished = Instant::now();
        if !window.contains(started, finished) {
            continue;
        }
        match outcome {
            Outcome::Confirmed { placement } => {
                confirmed.latencies.push(finished - started);
                placed.latencies.push(placement);
            }
            Outcome::Failed { kind, detail } => {
                *confirmed.errors.entry(kind).or_default() += 1;
                confirmed.first_error.get_or_insert(detail);
            }
            Outcome::CutOff => {}
        }
    }
    (confirmed, placed)
}

fn transport_kind(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timeout".to_owned()
    } else if error.is_connect() {
        "connect".to_owned()
    } else {
        "transport".to_owned()
    }
}

/// Places one order and polls it until it is confirmed.
async fn pay_one(
    client: &reqwest::Client,
    order: &OrderRequest,
    started: Instant,
    window_end: Instant,
) -> Outcome {
    let failed = |kind: String, detail: String| Outcome::Failed { kind, detail };
    let response = match client
        .post(&order.url)
        .header("authorization", order.bearer.as_str())
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&order.body)
        .send()
        .await
    {
        Ok(response) => response,
        Err(error) => return failed(transport_kind(&error), format!("placing: {error:#}")),
    };
    let status = response.status();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(error) => return failed(transport_kind(&error), format!("placing: {error:#}")),
    };
    let placement = started.elapsed();
    if status != StatusCode::CREATED {
        let text = String::from_utf8_lossy(&body);
        return failed(
            status.as_u16().to_string(),
            format!(
                "placing: {status}: {}",
                text.chars().take(300).collect::<String>()
            ),
        );
    }
    let Some(order_id) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|view| view["orderId"].as_str().map(str::to_owned))
    else {
        return failed(
            "no order id".to_owned(),
            format!(
                "placing: a 201 without an orderId: {}",
                String::from_utf8_lossy(&body)
            ),
        );
    };
    let url = format!("{}/{order_id}", order.url);
    loop {
        tokio::time::sleep(POLL).await;
        if Instant::now() > window_end {
            return Outcome::CutOff;
        }
        if started.elapsed() > PATIENCE {
            return failed(
                format!("not confirmed in {} s", PATIENCE.as_secs()),
                format!("order {order_id} was not confirmed in {PATIENCE:?}"),
            );
        }
        // A failed read is not the order failing: read again.
        let Ok(response) = client
            .get(&url)
            .header("authorization", order.bearer.as_str())
            .send()
            .await
        else {
            continue;
        };
        if response.status() != StatusCode::OK {
            continue;
        }
        let Ok(view) = response.json::<Value>().await else {
            continue;
        };
        match view["status"].as_str() {
            Some("confirmed") => return Outcome::Confirmed { placement },
            Some("cancelled") => {
                let reason = view["cancellationReason"].as_str().unwrap_or("no reason");
                return failed(
                    format!("cancelled ({reason})"),
                    format!("order {order_id} was cancelled: {reason}"),
                );
            }
            _ => {}
        }
    }
}
