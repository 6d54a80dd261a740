//! The order saga's events at `/events/orders`, delivered as daprd delivers them: a payment is
//! requested once per order, and what its order wants only moves forward. daprd is told SUCCESS
//! for what was handled (or handled before), DROP for what never can be, so a broken event goes
//! to the dead-letter topic instead of blocking its partition.

use contracts::order::{OrderCancelled, OrderConfirmed};
use payments::processor::Drive;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{cloud_event, payment_requested, spawn_app};

fn confirmed(order_id: Uuid) -> OrderConfirmed {
    OrderConfirmed { order_id }
}

fn cancelled(order_id: Uuid) -> OrderCancelled {
    OrderCancelled {
        order_id,
        reason: "customer".into(),
    }
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_payment_request_is_recorded_once_and_due_at_once(pool: PgPool) {
    let app = spawn_app(pool);
    let (order_id, customer_id, event_id) = (Uuid::now_v7(), Uuid::new_v4(), Uuid::now_v7());
    let event = payment_requested(order_id, customer_id, 4_250, Some("pm_card_visa"));
    assert_eq!(app.deliver(event_id, &event).await, "SUCCESS");

    let payment = app.payment(order_id).await;
    assert_eq!(payment.customer_id, customer_id);
    assert_eq!(
        (payment.amount_minor, payment.currency.as_str()),
        (4_250, "EUR")
    );
    assert_eq!(payment.payment_method_id.as_deref(), Some("pm_card_visa"));
    assert_eq!(
        (payment.status.as_str(), payment.order_outcome.as_str()),
        ("authorizing", "open")
    );
    let due = payment.next_attempt_at.expect("due for the processor");
    assert!(due <= app.now().await, "due now, not later: {due}");
    assert_eq!((payment.attempts, payment.in_doubt), (0, None));

    // A redelivery, then the same order under another event id with another amount: the
    // first request stands.
    assert_eq!(app.deliver(event_id, &event).await, "SUCCESS");
    let changed = payment_requested(order_id, customer_id, 9_999, None);
    assert_eq!(app.deliver(Uuid::now_v7(), &changed).await, "SUCCESS");
    assert_eq!(app.payment_count().await, 1);
    let payment = app.payment(order_id).await;
    assert_eq!(payment.amount_minor, 4_250);
    assert_eq!(payment.payment_method_id.as_deref(), Some("pm_card_visa"));
    assert!(app.outbox().await.is_empty(), "nothing is announced yet");
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn what_the_order_wants_only_moves_forward(pool: PgPool) {
    let app = spawn_app(pool);
    let customer_id = Uuid::new_v4();

    // Cancelled, then a late confirmation: the cancellation stands.
    let first = app
        .request_payment(customer_id, 1_000, Some("pm_card_visa"))
        .await;
    assert_eq!(
        app.deliver(Uuid::now_v7(), &cancelled(first)).await,
        "SUCCESS"
    );
    assert_eq!(app.payment(first).await.order_outcome, "cancelled");
    assert_eq!(
        app.deliver(Uuid::now_v7(), &confirmed(first)).await,
        "SUCCESS"
    );
    assert_eq!(app.payment(first).await.order_outcome, "cancelled");

    // Confirmed (twice: a redelivery), then cancelled before shipping: cancelled.
    let second = app
        .request_payment(customer_id, 1_000, Some("pm_card_visa"))
        .await;
    let confirmation = Uuid::now_v7();
    for _ in 0..2 {
        assert_eq!(
            app.deliver(confirmation, &confirmed(second)).await,
            "SUCCESS"
        );
        assert_eq!(app.payment(second).await.order_outcome, "confirmed");
    }
    assert_eq!(
        app.deliver(Uuid::now_v7(), &cancelled(second)).await,
        "SUCCESS"
    );
    assert_eq!(app.payment(second).await.order_outcome, "cancelled");
    // Neither event touched the money: that is the processor's work.
    for order_id in [first, second] {
        assert_eq!(app.payment(order_id).await.status, "authorizing");
    }
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_cancellation_makes_a_settled_payment_due_again(pool: PgPool) {
    let app = spawn_app(pool);
    // Captured and settled (nothing due): the cancellation is what tells the processor to
    // give the money back.
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    assert_eq!(app.payment(order_id).await.next_attempt_at, None);
    assert_eq!(
        app.deliver(Uuid::now_v7(), &cancelled(order_id)).await,
        "SUCCESS"
    );
    let payment = app.payment(order_id).await;
    assert_eq!(payment.order_outcome, "cancelled");
    assert!(payment.next_attempt_at.is_some(), "due for the refund");
    assert_eq!(payment.status, "captured");
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn events_about_an_order_without_a_payment_change_nothing(pool: PgPool) {
    let app = spawn_app(pool);
    let known = app.seed_captured(Uuid::new_v4()).await;
    let unknown = Uuid::now_v7();
    assert_eq!(
        app.deliver(Uuid::now_v7(), &confirmed(unknown)).await,
        "SUCCESS"
    );
    assert_eq!(
        app.deliver(Uuid::now_v7(), &cancelled(unknown)).await,
        "SUCCESS"
    );
    assert_eq!(app.payment_count().await, 1, "no payment is made up");
    let payment = app.payment(known).await;
    assert_eq!(
        (payment.order_outcome.as_str(), payment.next_attempt_at),
        ("confirmed", None)
    );
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_cancellation_before_the_payment_request_means_nothing_is_authorized(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = Uuid::now_v7();
    assert_eq!(
        app.deliver(Uuid::now_v7(), &cancelled(order_id)).await,
        "SUCCESS"
    );
    assert_eq!(app.payment_count().await, 0);
    let request = payment_requested(order_id, Uuid::new_v4(), 1_000, Some("pm_card_visa"));
    assert_eq!(app.deliver(Uuid::now_v7(), &request).await, "SUCCESS");
    let payment = app.payment(order_id).await;
    assert_eq!(
        (payment.status.as_str(), payment.order_outcome.as_str()),
        ("authorizing", "cancelled")
    );
    // Abandoned with the provider out of reach: no call was needed.
    assert_eq!(app.drive(order_id).await, Drive::Settled);
    assert_eq!(app.payment(order_id).await.status, "abandoned");
    assert!(app.outbox().await.is_empty());
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn order_events_that_are_not_about_money_are_acknowledged(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = Uuid::now_v7();
    for event_type in ["shop.order.placed.v2", "shop.order.shipped.v1"] {
        let event = cloud_event(event_type, json!({ "orderId": order_id }));
        assert_eq!(app.deliver_raw(event).await, "SUCCESS", "{event_type}");
    }
    assert_eq!(app.payment_count().await, 0);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_delivery_that_breaks_its_contract_is_dead_lettered_not_retried(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = Uuid::now_v7();
    let request = |changes: serde_json::Value| {
        let mut data = json!({
            "orderId": order_id,
            "customerId": Uuid::new_v4(),
            "amountMinor": 1_000,
            "currency": "EUR",
            "paymentMethodId": "pm_card_visa",
        });
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                data.as_object_mut().unwrap().remove(key);
            } else {
                data[key] = value.clone();
            }
        }
        cloud_event("shop.order.payment-requested.v1", data)
    };
    for (what, body) in [
        ("not JSON", "not json at all".to_owned()),
        ("not a CloudEvent", r#"{"hello": "world"}"#.to_owned()),
        ("no customer", request(json!({ "customerId": null }))),
        (
            "an amount as text",
            request(json!({ "amountMinor": "1000" })),
        ),
        (
            "not a payment method id",
            request(json!({ "paymentMethodId": "card_visa" })),
        ),
        // Values the payments table refuses: never storable, so never worth a retry.
        ("nothing to pay", request(json!({ "amountMinor": 0 }))),
        ("a negative amount", request(json!({ "amountMinor": -5 }))),
        ("not a currency code", request(json!({ "currency": "eur" }))),
        (
            "a confirmation without its order",
            cloud_event("shop.order.confirmed.v1", json!({ "orderId": "42" })),
        ),
        (
            "a cancellation without its reason",
            cloud_event("shop.order.cancelled.v1", json!({ "orderId": order_id })),
        ),
    ] {
        assert_eq!(app.deliver_raw(body).await, "DROP", "{what}");
    }
    assert_eq!(app.payment_count().await, 0);
}
