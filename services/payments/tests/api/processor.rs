//! The processor with the provider out of reach: what it decides on its own (abandon, fail
//! without a call), and how it waits when it needs the provider: in doubt, retried later, with
//! nothing announced. What it does with the provider's answers is tested end to end against
//! localstripe (`tests/e2e`).

use contracts::order::OrderCancelled;
use contracts::topics;
use payments::processor::Drive;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::spawn_app;

#[sqlx::test(migrations = "../../migrations/payments")]
async fn an_authorization_the_provider_does_not_answer_waits_in_doubt(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app
        .request_payment(Uuid::new_v4(), 2_500, Some("pm_card_visa"))
        .await;
    let before = app.now().await;
    assert_eq!(app.drive(order_id).await, Drive::WillRetry);

    let payment = app.payment(order_id).await;
    assert_eq!(payment.status, "authorizing");
    // The call may have left: the next attempt asks the provider before sending it again.
    assert_eq!(payment.in_doubt.as_deref(), Some("authorize"));
    assert_eq!(payment.attempts, 1);
    let next = payment.next_attempt_at.expect("due again later");
    assert!(
        next >= before + chrono::Duration::seconds(1),
        "backs off at least a second: {next} after {before}"
    );
    let error = payment.last_error.expect("why it waits");
    assert!(error.contains("unavailable"), "{error}");
    assert!(
        app.outbox().await.is_empty(),
        "nothing happened to announce"
    );

    // Again: still no answer, a longer wait, still nothing announced.
    let before = app.now().await;
    assert_eq!(app.drive(order_id).await, Drive::WillRetry);
    let payment = app.payment(order_id).await;
    assert_eq!(
        (payment.attempts, payment.in_doubt.as_deref()),
        (2, Some("authorize"))
    );
    assert!(payment.next_attempt_at.unwrap() >= before + chrono::Duration::seconds(2));
    assert!(app.outbox().await.is_empty());
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_payment_cancelled_before_any_call_is_abandoned_without_one(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app
        .request_payment(Uuid::new_v4(), 2_500, Some("pm_card_visa"))
        .await;
    let cancelled = OrderCancelled {
        order_id,
        reason: "timeout".into(),
    };
    assert_eq!(app.deliver(Uuid::now_v7(), &cancelled).await, "SUCCESS");

    // Settled with the provider out of reach: no call was needed.
    assert_eq!(app.drive(order_id).await, Drive::Settled);
    let payment = app.payment(order_id).await;
    assert_eq!(payment.status, "abandoned");
    assert_eq!(
        (payment.attempts, payment.in_doubt, payment.next_attempt_at),
        (0, None, None)
    );
    assert_eq!(app.count("SELECT count(*) FROM payment_ledger").await, 0);
    assert!(
        app.outbox().await.is_empty(),
        "the order knows it is cancelled"
    );
    assert_eq!(app.drive(order_id).await, Drive::Settled);
    assert_eq!(app.payment(order_id).await.status, "abandoned");
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn an_authorization_in_doubt_is_settled_before_a_cancellation_abandons_it(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app
        .request_payment(Uuid::new_v4(), 2_500, Some("pm_card_visa"))
        .await;
    assert_eq!(app.drive(order_id).await, Drive::WillRetry);
    let cancelled = OrderCancelled {
        order_id,
        reason: "customer".into(),
    };
    assert_eq!(app.deliver(Uuid::now_v7(), &cancelled).await, "SUCCESS");

    // The authorization may hold money at the provider: abandoning it now could leave the
    // card charged. The processor must ask the provider first, which it cannot.
    assert_eq!(app.drive(order_id).await, Drive::WillRetry);
    let payment = app.payment(order_id).await;
    assert_eq!(
        (payment.status.as_str(), payment.order_outcome.as_str()),
        ("authorizing", "cancelled")
    );
    assert_eq!(payment.in_doubt.as_deref(), Some("authorize"));
    assert!(payment.next_attempt_at.is_some());
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_payment_without_a_payment_method_fails_once_without_a_call(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.request_payment(Uuid::new_v4(), 2_500, None).await;
    assert_eq!(app.drive(order_id).await, Drive::Settled);

    let payment = app.payment(order_id).await;
    assert_eq!(payment.status, "failed");
    assert_eq!(
        payment.failure_reason.as_deref(),
        Some("the order names no payment method")
    );
    assert_eq!((payment.in_doubt, payment.next_attempt_at), (None, None));
    let outbox: Vec<(String, String, serde_json::Value)> =
        sqlx::query_as("SELECT event_id, topic, envelope FROM outbox")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let (event_id, topic, envelope) = &outbox[0];
    assert_eq!(event_id, &format!("{order_id}:failed"));
    assert_eq!(topic, topics::PAYMENT_EVENTS);
    assert_eq!(envelope["type"], "shop.payment.failed.v1");
    assert_eq!(envelope["source"], "shop/payments");
    assert_eq!(envelope["subject"], order_id.to_string());
    assert_eq!(
        envelope["data"],
        json!({ "orderId": order_id, "reason": "the order names no payment method" })
    );

    // Settled: driving it again changes and announces nothing.
    assert_eq!(app.drive(order_id).await, Drive::Settled);
    assert_eq!(app.outbox().await.len(), 1);
    assert_eq!(app.payment(order_id).await.status, "failed");
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_payment_that_wants_nothing_is_settled_without_a_call(pool: PgPool) {
    let app = spawn_app(pool);
    // Captured for a confirmed order: where it should be.
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    assert_eq!(app.drive(order_id).await, Drive::Settled);
    let payment = app.payment(order_id).await;
    assert_eq!((payment.status.as_str(), payment.attempts), ("captured", 0));
    assert!(app.outbox().await.is_empty());

    assert_eq!(app.drive(Uuid::now_v7()).await, Drive::Unknown);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn the_refund_in_doubt_is_settled_before_another_is_sent(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let cancelled = OrderCancelled {
        order_id,
        reason: "customer".into(),
    };
    assert_eq!(app.deliver(Uuid::now_v7(), &cancelled).await, "SUCCESS");
    assert_eq!(app.drive(order_id).await, Drive::WillRetry);
    assert_eq!(
        app.payment(order_id).await.in_doubt.as_deref(),
        Some("refund:order-cancelled")
    );
    // A refund that reached the table with an older request time (an administrator's
    // transaction that began before the processor's and committed after it).
    sqlx::query(
        "INSERT INTO refunds (refund_key, order_id, amount_minor, reason, requested_by,
                              requested_at)
         VALUES ($1, $2, 100, 'goodwill', 'admin:route-tests', now() - interval '1 minute')",
    )
    .bind(format!("{order_id}:key:older"))
    .bind(order_id)
    .execute(&app.pool)
    .await
    .unwrap();

    assert_eq!(app.drive(order_id).await, Drive::WillRetry);
    // Still asking about the cancellation refund: sending the other would forget it may have
    // gone through.
    assert_eq!(
        app.payment(order_id).await.in_doubt.as_deref(),
        Some("refund:order-cancelled")
    );
}
