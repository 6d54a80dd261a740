//! A broker outage loses no order and no event: with Kafka killed (-9), orders are still
//! accepted (they are stored; publishing them waits), and once Kafka is back every one of them
//! is published, reserved by inventory and in both read models. Its own test binary: every
//! other test needs Kafka.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use e2e::orders::*;
use e2e::process::{kafka_broker, kill_9, restart_kafka};
use e2e::*;
use reqwest::StatusCode;
use serde_json::Value;

const ORDERS: usize = 6;

#[tokio::test]
async fn orders_placed_while_kafka_is_down_are_published_when_it_is_back() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 100).await;
    let shopper = customer().await;

    let kafka = kafka_broker();
    kill_9(&kafka);

    // Each order is retried with its key until the service answers for it (a slow publish
    // attempt can outlast the gateway's timeout); every answer names the same order.
    let mut placed = Vec::new();
    for _ in 0..ORDERS {
        let key = uuid::Uuid::new_v4().to_string();
        let order: Value = eventually(
            "the order to be accepted without Kafka",
            Duration::from_secs(120),
            || async {
                let response = send_order(&shopper.token, &[(&sku, 1)], Some(&key))
                    .await
                    .ok()?;
                let status = response.status();
                if !(status == StatusCode::CREATED || status == StatusCode::OK) {
                    return None;
                }
                response.json().await.ok()
            },
        )
        .await;
        assert_eq!(
            order["status"], "awaiting-stock",
            "no reservation without Kafka"
        );
        placed.push(order["orderId"].as_str().unwrap().to_owned());
    }
    for order_id in &placed {
        let stream = order_stream(order_id).await;
        assert_eq!(
            event_types(&stream),
            ["shop.order.placed.v2"],
            "stored while Kafka was down"
        );
    }

    restart_kafka(&kafka).await;

    // Published once Kafka is back. Depending on how long the broker took, inventory reserves
    // each order or its confirmation deadline (30 s) cancels it first; either way every event
    // of every stream reaches Kafka (in order, so seeing the last one means all went out), and
    // both read models follow the stream.
    for order_id in &placed {
        eventually(
            &format!("order {order_id} published and projected"),
            Duration::from_secs(180),
            || async {
                let stream = order_stream(order_id).await;
                let version = stream["version"].as_u64()?;
                let last = format!("{order_id}:{version}");
                let on_kafka = analytics_events(order_id)
                    .await
                    .iter()
                    .any(|e| e["eventId"] == last.as_str());
                let (_, view) = get_order(&shopper.token, order_id).await;
                (version >= 2 && on_kafka && view["version"].as_u64() == Some(version))
                    .then_some(())
            },
        )
        .await;
    }
    let rows = admin_list(&admin, &shopper.user.user_id).await["items"]
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(rows.len(), ORDERS, "no order lost, none doubled");
    // Inventory learnt of every order only through Kafka; at rest, what it holds reserved is
    // exactly what the open orders need.
    eventually(
        "stock and orders to agree",
        Duration::from_secs(120),
        || async {
            let mut open = 0;
            for order_id in &placed {
                if get_order(&shopper.token, order_id).await.1["status"] == "awaiting-payment" {
                    open += 1;
                }
            }
            (stock(&admin, &sku).await["reserved"] == open).then_some(())
        },
    )
    .await;
}
