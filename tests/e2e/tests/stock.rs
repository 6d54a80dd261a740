//! Stock that never oversells: the order saga's events delivered through Kafka, reserved all or
//! nothing and idempotently by order id, with a ledger that adds up.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::time::Duration;

use contracts::order::{OrderCancelled, OrderConfirmed, OrderLine, OrderPlaced};
use contracts::payment::{PaymentFailed, PaymentMethodId};
use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use service_runtime::DomainEvent;

const PATIENCE: Duration = Duration::from_secs(90);

/// Publishes an order event to `order-events` through a sidecar, as the orders service will.
async fn publish_order_event(event_id: &str, event_type: &str, order_id: &str, data: Value) {
    let event = json!({
        "specversion": "1.0", "id": event_id, "type": event_type, "source": "shop/e2e-tests",
        "subject": order_id, "datacontenttype": "application/json", "data": data,
    });
    publish("orders", "events", "order-events", &event, "Kafka").await;
}

/// Payloads come from the shared contracts, the same types the orders service will publish.
fn order_placed(order_id: &str, sku: &str, quantity: u32) -> Value {
    serde_json::to_value(OrderPlaced {
        order_id: order_id.parse().unwrap(),
        customer_id: uuid::Uuid::new_v4(),
        lines: vec![OrderLine {
            sku: sku.into(),
            quantity,
            unit_price_minor: 4_900,
            currency: "EUR".into(),
            product_name: None,
            category: None,
        }],
        currency: "EUR".into(),
        total_minor: 4_900 * i64::from(quantity),
        payment_method_id: PaymentMethodId::parse("pm_card_visa").ok(),
    })
    .unwrap()
}

fn order_cancelled(order_id: &str) -> Value {
    serde_json::to_value(OrderCancelled {
        order_id: order_id.parse().unwrap(),
        reason: "customer".into(),
    })
    .unwrap()
}

fn order_confirmed(order_id: &str) -> Value {
    serde_json::to_value(OrderConfirmed {
        order_id: order_id.parse().unwrap(),
    })
    .unwrap()
}

/// The stock decision analytics received for an order (through the inventory outbox and Kafka).
async fn decision(order_id: &str) -> String {
    eventually(
        &format!("a stock decision for order {order_id}"),
        PATIENCE,
        || async {
            let events: Value = http()
                .get(invoke_url(
                    "analytics",
                    &format!("analytics/events?subject={order_id}"),
                ))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            let decisions: Vec<String> = events
                .as_array()?
                .iter()
                .filter_map(|e| {
                    e["eventType"]
                        .as_str()
                        .filter(|t| t.starts_with("shop.stock."))
                        .map(str::to_owned)
                })
                .collect();
            match decisions.len() {
                0 => None,
                1 => Some(decisions[0].clone()),
                _ => panic!(
                    "order {order_id} got {} stock decisions: {decisions:?}",
                    decisions.len()
                ),
            }
        },
    )
    .await
}

#[tokio::test]
async fn fifty_concurrent_orders_for_ten_units_reserve_exactly_ten() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 10).await;
    let orders: Vec<String> = (0..50).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let publishing = orders.iter().map(|order_id| {
        let (order_id, sku) = (order_id.clone(), sku.clone());
        tokio::spawn(async move {
            publish_order_event(
                &uuid::Uuid::now_v7().to_string(),
                OrderPlaced::EVENT_TYPE,
                &order_id,
                order_placed(&order_id, &sku, 1),
            )
            .await;
        })
    });
    for task in publishing.collect::<Vec<_>>() {
        task.await.unwrap();
    }
    let mut reserved = 0;
    let mut rejected = 0;
    for order_id in &orders {
        match decision(order_id).await.as_str() {
            "shop.stock.reserved.v1" => reserved += 1,
            "shop.stock.rejected.v1" => rejected += 1,
            other => panic!("unexpected decision {other}"),
        }
    }
    assert_eq!((reserved, rejected), (10, 40));
    let level = stock(&admin, &sku).await;
    assert_eq!(
        (
            level["onHand"].as_i64(),
            level["reserved"].as_i64(),
            level["available"].as_i64()
        ),
        (Some(10), Some(10), Some(0))
    );
    let ledger = level["ledger"].as_array().unwrap();
    let on_hand: i64 = ledger
        .iter()
        .map(|e| e["onHandDelta"].as_i64().unwrap())
        .sum();
    let reserved_sum: i64 = ledger
        .iter()
        .map(|e| e["reservedDelta"].as_i64().unwrap())
        .sum();
    assert_eq!(
        (on_hand, reserved_sum),
        (10, 10),
        "the ledger adds up to the stock"
    );
    assert_eq!(
        ledger
            .iter()
            .filter(|e| e["reason"] == "reservation")
            .count(),
        10
    );
}

#[tokio::test]
async fn a_redelivered_order_placed_reserves_once_and_release_returns_the_stock() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let order_id = uuid::Uuid::new_v4().to_string();
    let event_id = uuid::Uuid::now_v7().to_string();
    // The same event twice (a redelivery), then the same order again under a new event id.
    publish_order_event(
        &event_id,
        OrderPlaced::EVENT_TYPE,
        &order_id,
        order_placed(&order_id, &sku, 2),
    )
    .await;
    publish_order_event(
        &event_id,
        OrderPlaced::EVENT_TYPE,
        &order_id,
        order_placed(&order_id, &sku, 2),
    )
    .await;
    publish_order_event(
        &uuid::Uuid::now_v7().to_string(),
        OrderPlaced::EVENT_TYPE,
        &order_id,
        order_placed(&order_id, &sku, 2),
    )
    .await;
    assert_eq!(decision(&order_id).await, "shop.stock.reserved.v1");
    let level = eventually("the reservation to show", PATIENCE, || async {
        let level = stock(&admin, &sku).await;
        (level["reserved"] == 2).then_some(level)
    })
    .await;
    assert_eq!(level["available"], 3, "reserved once, not three times");

    publish_order_event(
        &uuid::Uuid::now_v7().to_string(),
        OrderCancelled::EVENT_TYPE,
        &order_id,
        order_cancelled(&order_id),
    )
    .await;
    let level = eventually("the release", PATIENCE, || async {
        let level = stock(&admin, &sku).await;
        (level["reserved"] == 0).then_some(level)
    })
    .await;
    assert_eq!(
        (level["onHand"].as_i64(), level["available"].as_i64()),
        (Some(5), Some(5))
    );
    // A second cancellation changes nothing.
    publish_order_event(
        &uuid::Uuid::now_v7().to_string(),
        OrderCancelled::EVENT_TYPE,
        &order_id,
        order_cancelled(&order_id),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let ledger_len = stock(&admin, &sku).await["ledger"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        ledger_len, 3,
        "restock, reservation, release: nothing doubled"
    );
}

#[tokio::test]
async fn a_confirmed_order_takes_its_stock_out_of_the_warehouse() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 4).await;
    let order_id = uuid::Uuid::new_v4().to_string();
    publish_order_event(
        &uuid::Uuid::now_v7().to_string(),
        OrderPlaced::EVENT_TYPE,
        &order_id,
        order_placed(&order_id, &sku, 3),
    )
    .await;
    assert_eq!(decision(&order_id).await, "shop.stock.reserved.v1");
    for _ in 0..2 {
        // Confirmed twice (a redelivery): committed once.
        publish_order_event(
            &uuid::Uuid::now_v7().to_string(),
            OrderConfirmed::EVENT_TYPE,
            &order_id,
            order_confirmed(&order_id),
        )
        .await;
    }
    let level = eventually("the commit", PATIENCE, || async {
        let level = stock(&admin, &sku).await;
        (level["onHand"] == 1).then_some(level)
    })
    .await;
    assert_eq!(
        (level["reserved"].as_i64(), level["available"].as_i64()),
        (Some(0), Some(1))
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        stock(&admin, &sku).await["onHand"],
        1,
        "a second confirmation changes nothing"
    );
}

#[tokio::test]
async fn orders_get_prices_and_availability_in_one_quote() {
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 2).await;
    let unknown = format!(
        "NOPE-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase()
    );
    let quote: Value = http()
        .post(invoke_url("inventory", "internal/quotes"))
        .json(&json!({ "lines": [{ "sku": sku, "quantity": 2 }, { "sku": sku, "quantity": 3 }, { "sku": unknown, "quantity": 1 }] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lines = quote["lines"].as_array().unwrap();
    assert_eq!(lines[0]["unitPriceMinor"], 4_900);
    assert_eq!(lines[0]["currency"], "EUR");
    assert_eq!(lines[0]["orderable"], true);
    assert_eq!(lines[1]["orderable"], false, "3 of 2 available");
    assert_eq!(lines[2]["orderable"], false);
    assert!(lines[2].get("unitPriceMinor").is_none());

    let bad = http()
        .post(invoke_url("inventory", "internal/quotes"))
        .json(&json!({ "lines": [{ "sku": sku, "quantity": 0 }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let not_public = http()
        .post(format!("{GATEWAY}/api/catalog/internal/quotes"))
        .json(&json!({ "lines": [] }))
        .send()
        .await
        .unwrap();
    assert!(
        not_public.status().is_client_error(),
        "quotes are not on the public API"
    );
}

#[tokio::test]
async fn a_failed_payment_releases_the_reservation() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 3).await;
    let order_id = uuid::Uuid::new_v4().to_string();
    publish_order_event(
        &uuid::Uuid::now_v7().to_string(),
        OrderPlaced::EVENT_TYPE,
        &order_id,
        order_placed(&order_id, &sku, 3),
    )
    .await;
    assert_eq!(decision(&order_id).await, "shop.stock.reserved.v1");
    let event = json!({
        "specversion": "1.0", "id": uuid::Uuid::now_v7().to_string(), "type": PaymentFailed::EVENT_TYPE,
        "source": "shop/e2e-tests", "subject": order_id, "datacontenttype": "application/json",
        "data": serde_json::to_value(PaymentFailed { order_id: order_id.parse().unwrap(), reason: "Your card was declined.".into(), code: Some("card_declined".into()) }).unwrap(),
    });
    publish("payments", "events", "payment-events", &event, "Kafka").await;
    let level = eventually("the release after the failed payment", PATIENCE, || async {
        let level = stock(&admin, &sku).await;
        (level["reserved"] == 0).then_some(level)
    })
    .await;
    assert_eq!(level["available"], 3);
}

#[tokio::test]
async fn dropping_below_the_threshold_announces_low_stock() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 6).await; // default threshold: 5
    let order_id = uuid::Uuid::new_v4().to_string();
    publish_order_event(
        &uuid::Uuid::now_v7().to_string(),
        OrderPlaced::EVENT_TYPE,
        &order_id,
        order_placed(&order_id, &sku, 2),
    )
    .await;
    assert_eq!(decision(&order_id).await, "shop.stock.reserved.v1");
    let low: Value = eventually("shop.stock.low.v1 for the SKU", PATIENCE, || async {
        let events: Value = http()
            .get(invoke_url(
                "analytics",
                &format!("analytics/events?subject={sku}"),
            ))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        events
            .as_array()?
            .iter()
            .find(|e| e["eventType"] == "shop.stock.low.v1")
            .cloned()
    })
    .await;
    assert_eq!(low["payload"]["available"], 4);
    assert_eq!(low["payload"]["threshold"], 5);
    assert_eq!(low["topic"], "stock-events");
}
