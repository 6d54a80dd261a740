//! Nothing waits forever: an order that gets no stock answer is cancelled with reason `timeout`
//! by its OrderActor's reminder, and the reminder (kept by the Dapr scheduler) survives a
//! kill -9 of the orders service. Its own test binary: it holds a lock in inventory's database
//! and crashes the orders service, which the other order tests must not see.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::time::Duration;

use e2e::orders::*;
use e2e::process::crash_and_restart_orders_app;
use e2e::*;
use sqlx::Connection;

#[tokio::test]
async fn an_order_without_a_stock_answer_is_cancelled_by_its_reminder_even_across_a_restart() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let shopper = customer().await;

    // Inventory cannot answer while its stock row is locked: its reservation waits on the lock.
    // (Quotes are plain reads and still work, so the order can be priced and placed.)
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

    let placed = place(&shopper.token, &sku, 1).await;
    let order_id = placed["orderId"].as_str().unwrap().to_owned();
    assert_eq!(placed["status"], "awaiting-stock");

    // The reminder lives in the scheduler, not in the process: crash the service meanwhile.
    crash_and_restart_orders_app().await;
    assert_eq!(
        get_order(&shopper.token, &order_id).await.1["status"],
        "awaiting-stock",
        "still waiting for inventory after the restart"
    );

    let cancelled = eventually(
        "the confirmation deadline (30 s in dapr/dapr.yaml) to cancel the order",
        Duration::from_secs(150),
        || async {
            let (_, view) = get_order(&shopper.token, &order_id).await;
            (view["status"] == "cancelled").then_some(view)
        },
    )
    .await;
    assert_eq!(cancelled["cancellationReason"], "timeout");
    let stream = order_stream(&order_id).await;
    assert_eq!(
        event_types(&stream),
        ["shop.order.placed.v2", "shop.order.cancelled.v1"],
        "cancelled with no stock answer in the stream"
    );
    assert_eq!(
        stream["events"][1]["metadata"]["causationId"],
        format!("reminder:{order_id}:confirmation-deadline"),
        "the cancellation says it was caused by the reminder"
    );

    // Let inventory go: it reserves, then sees the cancellation and releases. The late stock
    // answer changes nothing in the cancelled order.
    held.rollback().await.unwrap();
    eventually("inventory to release the stock again", PATIENCE, || async {
        (stock(&admin, &sku).await["available"] == 5).then_some(())
    })
    .await;
    eventually(
        "orders to consume inventory's late answer",
        PATIENCE,
        || async { consumer_group_caught_up("orders", "stock-events").then_some(()) },
    )
    .await;
    let stream = order_stream(&order_id).await;
    assert_eq!(
        event_types(&stream).len(),
        2,
        "the late answer appended nothing"
    );
    assert_eq!(
        get_order(&shopper.token, &order_id).await.1["status"],
        "cancelled"
    );
}
