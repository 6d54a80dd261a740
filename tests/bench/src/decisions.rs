//! From placement to stock decision: how fast orders are placed *and* answered by inventory,
//! and how long an order waits for its answer at a fixed arrival rate.
//!
//! An order's stock decision is the `shop.order.stock-reserved` (or `-rejected`) event its
//! actor appended when inventory's answer came back through Kafka; the event's `recordedAt` is
//! when the actor decided it, and the order's view shows it within the same actor turn. The
//! services and this generator run on one machine, so that clock and ours are the same clock.
//!
//! - Closed loop: the `order placed` workers' orders (see `orders::PlaceOrder`), followed up
//!   after the run: placed-and-decided per second is the orders placed in the measured window
//!   over the time from the window's start to the last of their decisions.
//! - Open loop: orders sent at a fixed rate, each at its scheduled time whatever the earlier
//!   ones are doing (no coordinated omission: a slow answer does not delay the next request,
//!   and latencies count from the scheduled time). Each request comes from one of several
//!   source addresses, so the gateway's per-client rate limit is not what is measured.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, ensure};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::load;
use crate::summary::percentile;

/// Source addresses the open loop spreads its requests over.
const OPEN_LOOP_CLIENTS: usize = 16;
/// How long an order may take to get its stock decision before it counts as undecided.
const DECISION_PATIENCE: Duration = Duration::from_secs(120);
/// Streams read at once while looking the decisions up.
const LOOKUP_CONCURRENCY: usize = 16;

/// An order the generator placed, and when its 201 arrived.
#[derive(Debug, Clone)]
pub struct Placed {
    pub order_id: String,
    pub answered_at: DateTime<Utc>,
}

/// Where a closed-loop session puts every order it placed, and whether in the measured window.
pub type PlacedSink = Arc<Mutex<Vec<(Placed, bool)>>>;

/// The order id in a placement's answer.
pub fn placed_from(body: &[u8]) -> Option<Placed> {
    let view: Value = serde_json::from_slice(body).ok()?;
    Some(Placed {
        order_id: view["orderId"].as_str()?.to_owned(),
        answered_at: Utc::now(),
    })
}

/// When each order's stock decision was recorded, waiting for the ones still undecided.
/// Orders undecided after `DECISION_PATIENCE` are left out.
pub async fn decision_times(placed: &[Placed]) -> anyhow::Result<HashMap<String, DateTime<Utc>>> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut decided = HashMap::new();
    let started = Instant::now();
    let mut pending: Vec<&Placed> = placed.iter().collect();
    while !pending.is_empty() && started.elapsed() < DECISION_PATIENCE {
        let looked_up: Vec<(String, Option<DateTime<Utc>>)> =
            futures::stream::iter(pending.iter().map(|p| {
                let client = client.clone();
                let order_id = p.order_id.clone();
                async move {
                    let decision = stock_decision(&client, &order_id).await;
                    (order_id, decision)
                }
            }))
            .buffer_unordered(LOOKUP_CONCURRENCY)
            .collect()
            .await;
        for (order_id, decision) in looked_up {
            if let Some(at) = decision {
                decided.insert(order_id, at);
            }
        }
        pending.retain(|p| !decided.contains_key(&p.order_id));
        if !pending.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    Ok(decided)
}

/// The `recordedAt` of the order's stock decision, if it has one yet.
async fn stock_decision(client: &reqwest::Client, order_id: &str) -> Option<DateTime<Utc>> {
    let url = shop_client::invoke_url("orders", &format!("internal/streams/order-{order_id}"));
    let stream: Value = client.get(url).send().await.ok()?.json().await.ok()?;
    stream["events"].as_array()?.iter().find_map(|event| {
        let event_type = event["type"].as_str()?;
        let decision = event_type.starts_with("shop.order.stock-reserved")
            || event_type.starts_with("shop.order.stock-rejected");
        decision
            .then(|| event["recordedAt"].as_str()?.parse().ok())
            .flatten()
    })
}

/// The closed loop's follow-up: orders placed in the window and decided, per second.
pub struct PlacedAndDecided {
    pub placed: usize,
    pub decided: usize,
    pub per_second: f64,
}

pub async fn placed_and_decided(
    placed: &[Placed],
    window_start: DateTime<Utc>,
) -> anyhow::Result<PlacedAndDecided> {
    let decided = decision_times(placed).await?;
    let last = decided.values().max().copied().unwrap_or(window_start);
    let seconds = (last - window_start).num_milliseconds() as f64 / 1000.0;
    Ok(PlacedAndDecided {
        placed: placed.len(),
        decided: decided.len(),
        per_second: decided.len() as f64 / seconds.max(f64::EPSILON),
    })
}

/// What the open loop measured.
pub struct OpenLoop {
    pub rate: u32,
    pub seconds: u64,
    pub sent: usize,
    pub errors: HashMap<String, u64>,
    /// From the scheduled send to the 201.
    pub placement: Vec<Duration>,
    /// From the 201 to the stock decision.
    pub decision_after_201: Vec<Duration>,
    /// From the scheduled send to the stock decision.
    pub decision_after_send: Vec<Duration>,
    pub undecided: usize,
}

/// Sends `rate` orders a second for `seconds`, each at its scheduled time.
pub async fn open_loop(
    access_token: &str,
    sku: &str,
    rate: u32,
    seconds: u64,
) -> anyhow::Result<OpenLoop> {
    ensure!(rate > 0, "an open loop needs a rate");
    let clients = (0..OPEN_LOOP_CLIENTS)
        .map(load::worker_client)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let url = format!("{}/api/orders", shop_client::GATEWAY);
    let bearer = format!("Bearer {access_token}");
    let body =
        json!({ "lines": [{ "sku": sku, "quantity": 1 }], "paymentMethodId": "pm_card_visa" });
    let total = rate as usize * seconds as usize;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let start = Instant::now() + Duration::from_millis(500);
    let start_wall = Utc::now() + chrono::Duration::milliseconds(500);
    let tasks: Vec<_> = (0..total)
        .map(|n| {
            let client = clients[n % clients.len()].clone();
            let request = client
                .post(&url)
                .header("authorization", bearer.as_str())
                .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                .json(&body);
            let offset = interval * n as u32;
            tokio::spawn(async move {
                let scheduled = start + offset;
                tokio::time::sleep_until(scheduled).await;
                let outcome = load::exchange(request, |status| status == StatusCode::CREATED).await;
                let waited = scheduled.elapsed();
                (offset, waited, outcome)
            })
        })
        .collect();
    let mut report = OpenLoop {
        rate,
        seconds,
        sent: total,
        errors: HashMap::new(),
        placement: Vec::new(),
        decision_after_201: Vec::new(),
        decision_after_send: Vec::new(),
        undecided: 0,
    };
    let mut placed = Vec::new();
    for task in tasks {
        let (offset, waited, outcome) = task.await.context("an open-loop request panicked")?;
        match outcome {
            Ok((_, body)) => {
                report.placement.push(waited);
                if let Some(order) = placed_from(&body) {
                    let scheduled_at =
                        start_wall + chrono::Duration::from_std(offset).unwrap_or_default();
                    let answered_at =
                        scheduled_at + chrono::Duration::from_std(waited).unwrap_or_default();
                    placed.push((
                        scheduled_at,
                        Placed {
                            answered_at,
                            ..order
                        },
                    ));
                }
            }
            Err(failure) => *report.errors.entry(failure.kind).or_default() += 1,
        }
    }
    let orders: Vec<Placed> = placed.iter().map(|(_, p)| p.clone()).collect();
    let decided = decision_times(&orders).await?;
    for (scheduled_at, order) in &placed {
        match decided.get(&order.order_id) {
            Some(at) => {
                let after = |from: DateTime<Utc>| (*at - from).to_std().unwrap_or_default();
                report.decision_after_201.push(after(order.answered_at));
                report.decision_after_send.push(after(*scheduled_at));
            }
            None => report.undecided += 1,
        }
    }
    Ok(report)
}

impl OpenLoop {
    pub fn print(&mut self) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let line = |name: &str, latencies: &mut Vec<Duration>| {
            latencies.sort();
            if latencies.is_empty() {
                return format!("  {name}: no samples");
            }
            format!(
                "  {name}: p50 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms, max {:.1} ms",
                ms(percentile(latencies, 0.50)),
                ms(percentile(latencies, 0.99)),
                ms(percentile(latencies, 0.999)),
                ms(*latencies.last().unwrap_or(&Duration::ZERO)),
            )
        };
        let errors: u64 = self.errors.values().sum();
        println!(
            "open loop: {} orders/s for {} s through the gateway ({} sent, {} placed, {} errors {:?}, {} without a stock decision after {} s):",
            self.rate,
            self.seconds,
            self.sent,
            self.placement.len(),
            errors,
            self.errors,
            self.undecided,
            DECISION_PATIENCE.as_secs()
        );
        println!("{}", line("send -> 201 (placement)", &mut self.placement));
        println!(
            "{}",
            line("201 -> stock decision", &mut self.decision_after_201)
        );
        println!(
            "{}",
            line("send -> stock decision", &mut self.decision_after_send)
        );
    }
}
