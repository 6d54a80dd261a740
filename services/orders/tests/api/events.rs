//! The consumers' answers to daprd (SUCCESS, RETRY, DROP) for deliveries they can decide
//! without the sidecar. A consumer that asked the sidecar here would be refused and answer
//! RETRY, so SUCCESS and DROP also show that it did not.

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use route_testing::Caller;
use salvo::test::ResponseExt;

use crate::helpers::spawn_app;

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
    for route in ["/events/stock", "/events/payments"] {
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
async fn orders_subscribes_to_the_answers_and_not_to_its_own_events(pool: PgPool) {
    let app = spawn_app(pool);
    let mut response = app.get("/dapr/subscribe", Caller::Anonymous).await;
    let subscriptions: serde_json::Value = response.take_json().await.unwrap();
    let topics: Vec<&str> = subscriptions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["topic"].as_str().unwrap())
        .collect();
    // The order's actor writes the read models in the turn that stores the events: there is
    // nothing for a delivery of orders' own events to do.
    assert_eq!(topics, ["stock-events", "payment-events"]);
}
