//! Dapr's placement service killed (-9) and restarted while customers place orders. With the
//! order's actor as its one writer, an order cannot be written while its actor cannot be placed:
//! customers get 503 with `retry-after`, retry with their Idempotency-Key, and every order is
//! placed exactly once when placement is back. The test prints how long writes were
//! unavailable (the longest time without an accepted order). Its own test binary: nothing else
//! runs while placement is down.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use e2e::orders::*;
use e2e::process::{kill_9, placement, relaunch};
use e2e::*;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

const CLIENTS: usize = 4;
/// Steady orders before the kill, and after the restart.
const STEADY: Duration = Duration::from_secs(3);
/// How long placement stays dead before it is started again.
const DOWN: Duration = Duration::from_secs(2);

#[tokio::test]
async fn orders_wait_out_a_placement_outage_with_503_and_none_is_lost_or_doubled() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 10_000).await;
    let shopper = customer().await;
    let stop_at = Arc::new(Mutex::new(None::<Instant>));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (token, sku, stop_at) = (shopper.token.clone(), sku.clone(), stop_at.clone());
            tokio::spawn(async move {
                let mut accepted = Vec::new();
                let mut unavailable = 0;
                loop {
                    if stop_at.lock().await.is_some_and(|at| Instant::now() >= at) {
                        return (accepted, unavailable);
                    }
                    let key = uuid::Uuid::new_v4().to_string();
                    let started = Instant::now();
                    let order_id = loop {
                        assert!(
                            started.elapsed() < Duration::from_secs(120),
                            "an order was never accepted"
                        );
                        match send_order(&token, &[(&sku, 1)], Some(&key)).await {
                            Ok(response) if response.status().is_success() => {
                                let body: Value = response.json().await.unwrap();
                                break body["orderId"].as_str().unwrap().to_owned();
                            }
                            Ok(response) => {
                                let status = response.status();
                                assert!(
                                    status == StatusCode::SERVICE_UNAVAILABLE
                                        || status == StatusCode::GATEWAY_TIMEOUT
                                        || status == StatusCode::INTERNAL_SERVER_ERROR,
                                    "only an outage may fail a valid order, got {status}"
                                );
                                if status == StatusCode::SERVICE_UNAVAILABLE {
                                    assert!(
                                        response.headers().contains_key("retry-after"),
                                        "a 503 says when to retry"
                                    );
                                }
                                unavailable += 1;
                            }
                            Err(_) => unavailable += 1,
                        }
                        // Faster than retry-after asks, to time the outage closely.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    };
                    accepted.push((Instant::now(), key, order_id));
                }
            })
        })
        .collect();

    tokio::time::sleep(STEADY).await;
    let launch = placement();
    let killed_at = Instant::now();
    kill_9(&launch);
    tokio::time::sleep(DOWN).await;
    let pid = relaunch(&launch, "placement-relaunched");
    std::fs::write(
        std::path::PathBuf::from(required_env("SHOP_RUN")).join("dapr/placement.pid"),
        pid.to_string(),
    )
    .unwrap();
    let restarted_at = Instant::now();
    *stop_at.lock().await = Some(Instant::now() + Duration::from_secs(20));

    let mut accepted = Vec::new();
    let mut refused = 0;
    for client in clients {
        let (orders, unavailable) = client.await.unwrap();
        accepted.extend(orders);
        refused += unavailable;
    }
    accepted.sort_by_key(|(at, _, _)| *at);
    let mut order_ids: Vec<&String> = accepted.iter().map(|(_, _, id)| id).collect();
    order_ids.sort();
    order_ids.dedup();
    assert_eq!(
        order_ids.len(),
        accepted.len(),
        "one order per Idempotency-Key"
    );
    assert!(
        accepted
            .iter()
            .any(|(at, _, _)| *at > restarted_at + STEADY),
        "orders are accepted again once placement is back"
    );
    for (_, _, order_id) in &accepted {
        let stream = order_stream(order_id).await;
        assert_sequences_contiguous(&stream);
        let placed = event_types(&stream)
            .iter()
            .filter(|t| t.starts_with("shop.order.placed"))
            .count();
        assert_eq!(placed, 1, "{order_id} placed once");
    }
    let longest_gap = accepted
        .windows(2)
        .map(|pair| pair[1].0 - pair[0].0)
        .max()
        .unwrap_or_default();
    let first_after_kill = accepted
        .iter()
        .find(|(at, _, _)| *at > killed_at + Duration::from_millis(100))
        .map(|(at, _, _)| *at - killed_at);
    eprintln!(
        "placement killed for {DOWN:?}: {} orders accepted, {refused} refused attempts; longest time without an accepted order {longest_gap:?}; first order accepted {first_after_kill:?} after the kill, {:?} after the restart",
        accepted.len(),
        first_after_kill.map(|after| after.saturating_sub(restarted_at - killed_at)),
    );
}
