//! The consumers' answers to daprd (SUCCESS, RETRY, DROP) for deliveries they can decide
//! without the sidecar. A consumer that asked the sidecar here would be refused and answer
//! RETRY, so SUCCESS and DROP also show that it did not.

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use orders::domain::OrderStatus;

use crate::helpers::{minute, order_view, spawn_app};

fn cloud_event(
    source: &str,
    event_type: &str,
    subject: Option<Uuid>,
    data: serde_json::Value,
) -> String {
    let mut event = json!({
        "specversion": "1.0",
        "id": Uuid::new_v4().to_string(),
        "source": source,
        "type": event_type,
        "datacontenttype": "application/json",
        "data": data,
    });
    if let Some(subject) = subject {
        event["subject"] = subject.to_string().into();
    }
    event.to_string()
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_message_that_is_not_a_cloud_event_is_dead_lettered(pool: PgPool) {
    let app = spawn_app(pool);
    for route in ["/events/stock", "/events/payments", "/events/orders"] {
        assert_eq!(
            app.deliver(route, "not json at all").await,
            "DROP",
            "{route}"
        );
        assert_eq!(
            app.deliver(route, r#"{"hello": "world"}"#).await,
            "DROP",
            "{route}"
        );
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn events_that_concern_no_order_are_acknowledged(pool: PgPool) {
    let app = spawn_app(pool);
    let low_stock = cloud_event(
        "shop/inventory",
        "shop.stock.low.v1",
        None,
        json!({ "sku": "LAMP-1", "available": 1, "threshold": 5 }),
    );
    assert_eq!(app.deliver("/events/stock", &low_stock).await, "SUCCESS");
    let unknown = cloud_event("shop/payments", "shop.payment.refunded.v9", None, json!({}));
    assert_eq!(app.deliver("/events/payments", &unknown).await, "SUCCESS");
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn an_answer_that_breaks_its_contract_is_dead_lettered(pool: PgPool) {
    let app = spawn_app(pool);
    let reserved = cloud_event(
        "shop/inventory",
        "shop.stock.reserved.v1",
        None,
        json!({ "orderId": "not-an-order-id" }),
    );
    assert_eq!(app.deliver("/events/stock", &reserved).await, "DROP");
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn payments_events_that_break_their_contract_are_dead_lettered(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = Uuid::new_v4();
    for (event_type, data) in [
        // Authorized without the provider's payment id.
        (
            "shop.payment.authorized.v1",
            json!({ "orderId": order_id, "amountMinor": 100, "currency": "EUR" }),
        ),
        (
            "shop.payment.failed.v1",
            json!({ "orderId": order_id, "code": "card_declined" }),
        ),
        (
            "shop.payment.captured.v1",
            json!({ "orderId": order_id, "amountMinor": "100", "currency": "EUR" }),
        ),
        ("shop.payment.voided.v1", json!({ "orderId": order_id })),
        // A refund without the running total the order records.
        (
            "shop.payment.refunded.v1",
            json!({
                "orderId": order_id, "amountMinor": 100, "currency": "EUR",
                "reason": "customer", "providerRefundId": "re_1"
            }),
        ),
    ] {
        let event = cloud_event("shop/payments", event_type, Some(order_id), data);
        assert_eq!(
            app.deliver("/events/payments", &event).await,
            "DROP",
            "{event_type}"
        );
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn the_retired_payment_succeeded_event_is_no_answer(pool: PgPool) {
    let app = spawn_app(pool);
    // `shop.payment.succeeded.v1` was replaced by `authorized.v1`: a stray one confirms nothing
    // (acknowledged without asking the sidecar, so without touching any order).
    let order_id = Uuid::new_v4();
    let succeeded = cloud_event(
        "shop/payments",
        "shop.payment.succeeded.v1",
        Some(order_id),
        json!({ "orderId": order_id, "amountMinor": 100, "currency": "EUR" }),
    );
    assert_eq!(app.deliver("/events/payments", &succeeded).await, "SUCCESS");
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_payment_fact_about_an_order_needs_the_orders_stream(pool: PgPool) {
    let app = spawn_app(pool);
    // Well-formed facts are commands on the order: with the store out of reach, daprd is asked
    // to deliver them again later, never told they were handled.
    let order_id = Uuid::new_v4();
    for (event_type, data) in [
        (
            "shop.payment.authorized.v1",
            json!({
                "orderId": order_id, "amountMinor": 100, "currency": "EUR",
                "providerPaymentId": "pi_1"
            }),
        ),
        (
            "shop.payment.captured.v1",
            json!({ "orderId": order_id, "amountMinor": 100, "currency": "EUR" }),
        ),
        (
            "shop.payment.voided.v1",
            json!({ "orderId": order_id, "amountMinor": 100, "currency": "EUR" }),
        ),
        (
            "shop.payment.refunded.v1",
            json!({
                "orderId": order_id, "amountMinor": 40, "totalRefundedMinor": 40,
                "currency": "EUR", "reason": "customer", "providerRefundId": "re_1"
            }),
        ),
    ] {
        let event = cloud_event("shop/payments", event_type, Some(order_id), data);
        assert_eq!(
            app.deliver("/events/payments", &event).await,
            "RETRY",
            "{event_type}"
        );
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn order_events_orders_did_not_publish_are_ignored(pool: PgPool) {
    let app = spawn_app(pool);
    // A tool's or a test's event: no stream behind it, so nothing to catch up with.
    let foreign = cloud_event(
        "shop/demo-data",
        "shop.order.confirmed.v1",
        Some(Uuid::new_v4()),
        json!({ "orderId": Uuid::new_v4() }),
    );
    assert_eq!(app.deliver("/events/orders", &foreign).await, "SUCCESS");
    let not_an_order_event = cloud_event(
        "shop/orders",
        "shop.stock.reserved.v1",
        Some(Uuid::new_v4()),
        json!({}),
    );
    assert_eq!(
        app.deliver("/events/orders", &not_an_order_event).await,
        "SUCCESS"
    );
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn an_order_event_without_its_order_id_is_dead_lettered(pool: PgPool) {
    let app = spawn_app(pool);
    let event = cloud_event("shop/orders", "shop.order.confirmed.v1", None, json!({}));
    assert_eq!(app.deliver("/events/orders", &event).await, "DROP");
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_delivery_the_query_row_already_reflects_changes_nothing(pool: PgPool) {
    let app = spawn_app(pool);
    let view = order_view(Uuid::new_v4(), OrderStatus::Confirmed, minute(0), 4);
    app.seed(&view).await;
    for sequence in [2, 4] {
        let mut event: serde_json::Value = serde_json::from_str(&cloud_event(
            "shop/orders",
            "shop.order.confirmed.v1",
            Some(view.order_id),
            json!({ "orderId": view.order_id }),
        ))
        .unwrap();
        // As `publication` writes it: the event's place in the stream, a number.
        event["sequence"] = sequence.into();
        let answer = app.deliver("/events/orders", &event.to_string()).await;
        assert_eq!(answer, "SUCCESS", "sequence {sequence}");
    }
    let (status, version): (String, i64) =
        sqlx::query_as("SELECT status, version FROM order_summaries WHERE order_id = $1")
            .bind(view.order_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), version), ("confirmed", 4));
}
