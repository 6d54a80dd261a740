//! A provider outage loses no payment, doubles none and leaves no cancelled order charged: with
//! localstripe killed (-9), orders whose payment is due meanwhile wait for it (the processor
//! retries with backoff), and once it is back every order ends confirmed and captured once, or
//! cancelled by its deadline with nothing taken at the provider. Its own test binary: every
//! other payments test needs the provider.
//!
//! Placing an order asks the provider whether it knows the payment method (unless payments heard
//! about it in the last minutes), so no order with a new payment method can be placed while it
//! is down (the test checks that this is a 503, not a 500). The orders are
//! therefore placed just before the kill, with their stock held back by a row lock in
//! inventory's database (as `orders_timeout.rs` does), so that their payments are requested
//! only once the provider is gone. Two rounds: an outage longer than the confirmation deadline
//! (30 s in dapr/dapr.yaml), which the orders' deadlines end, and a short one, which the
//! processor's retries outlast.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::time::Duration;

use e2e::orders::{Customer, customer, send_order_paying_with};
use e2e::payments::*;
use e2e::process::kill_9;
use e2e::*;
use reqwest::StatusCode;
use sqlx::Connection;

const ORDERS_PER_ROUND: usize = 5;
const UNIT_PRICE_MINOR: i64 = 4_900;

/// One round: orders placed, localstripe killed, their payments requested and tried while it is
/// down, localstripe back after `outage`. Returns the orders.
async fn round(admin: &str, shopper: &Customer, outage: Duration) -> Vec<BurstOrder> {
    let sku = product_with_stock(admin, 100).await;

    // Inventory cannot answer while the stock row is locked; quotes are plain reads, and the
    // provider is still up, so the orders are priced, checked and placed.
    let url = format!(
        "postgres://inventory:{}@127.0.0.1:5432/inventory",
        secret("postgres-inventory-password")
    );
    let mut inventory_db = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut held = inventory_db.begin().await.unwrap();
    sqlx::query("SELECT sku FROM stock WHERE sku = $1 FOR UPDATE")
        .bind(&sku)
        .fetch_one(&mut *held)
        .await
        .unwrap();
    let mut orders = Vec::new();
    for n in 0..ORDERS_PER_ROUND {
        let quantity = (n % 2 + 1) as u32;
        let placed = place_with(&shopper.token, &[(&sku, quantity)], VISA).await;
        assert_eq!(placed["status"], "awaiting-stock", "{placed}");
        orders.push(BurstOrder {
            order_id: order_id_of(&placed),
            token: shopper.token.clone(),
            total_minor: i64::from(quantity) * UNIT_PRICE_MINOR,
        });
    }

    let localstripe = localstripe_process();
    kill_9(&localstripe);
    let killed_at = tokio::time::Instant::now();
    assert!(!localstripe_answers().await, "localstripe is down");

    // No order is accepted without the provider's word on its payment method: a 503 problem,
    // promptly, not a 500 and not a hang. (A method payments has not asked about before: it
    // remembers the provider's yes for a few minutes.)
    let never_seen = format!("pm_never_seen_{}", uuid::Uuid::new_v4().simple());
    let refused = send_order_paying_with(&shopper.token, &[(&sku, 1)], None, &never_seen)
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["content-type"], PROBLEM_JSON);

    // Let inventory answer: the payments are requested now, with the provider gone, and every
    // one of them is tried and fails (the outage is really hit).
    held.rollback().await.unwrap();
    for order in &orders {
        wait_for_payment(
            admin,
            &order.order_id,
            "tried and failed against the dead provider",
            |p| {
                p["status"] == "authorizing"
                    && p["processing"]["attempts"].as_i64().unwrap_or(0) >= 1
                    && p["processing"]["lastError"]
                        .as_str()
                        .is_some_and(|e| !e.is_empty())
            },
        )
        .await;
    }

    let down_for = killed_at.elapsed();
    if down_for < outage {
        tokio::time::sleep(outage - down_for).await;
    }
    restart_localstripe(&localstripe).await;
    eprintln!(
        "localstripe was down for {:.1} s",
        killed_at.elapsed().as_secs_f64()
    );
    orders
}

#[tokio::test]
async fn no_payment_is_lost_doubled_or_left_charged_across_a_provider_outage() {
    require_kafka();
    require_localstripe();
    let admin = admin_access_token().await;
    let shopper = customer().await;

    let mut orders = round(&admin, &shopper, Duration::from_secs(30)).await;
    orders.extend(round(&admin, &shopper, Duration::from_secs(8)).await);

    let mut endings = Vec::new();
    for order in &orders {
        endings.push(wait_until_settled(&admin, order).await);
    }
    let confirmed = endings
        .iter()
        .filter(|(ending, _)| *ending == Ending::Confirmed)
        .count();
    eprintln!(
        "{confirmed} of {} orders confirmed and captured, {} cancelled by their deadline",
        orders.len(),
        orders.len() - confirmed
    );
    let intents = localstripe_payment_intents().await;
    for (order, (ending, payment)) in orders.iter().zip(&endings) {
        assert_settled_at_provider(&intents, order, *ending, payment);
        if *ending == Ending::TimedOut {
            assert!(
                ["voided", "abandoned"].contains(&payment["status"].as_str().unwrap_or_default()),
                "a cancelled order's payment is released or never made: {payment}"
            );
            for intent in intents_of(&intents, &order.order_id) {
                assert_eq!(
                    intent["status"], "canceled",
                    "a cancelled order's authorization is released: {intent}"
                );
            }
        }
    }
}
