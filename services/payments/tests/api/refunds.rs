//! `POST /admin/payments/{order_id}/refunds`: what an administrator may refund (captured money,
//! at most what is left, refunds under way counted), and that a repeated request is the same
//! refund. The provider is out of reach, so each accepted refund stays pending, recorded for the
//! processor to carry out: the refund itself is tested end to end against localstripe.

use route_testing::{Caller, fields, json_body, problem};
use salvo::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, admin, spawn_app};

fn path(order_id: Uuid) -> String {
    format!("/admin/payments/{order_id}/refunds")
}

fn refund(amount_minor: i64, reason: &str) -> Value {
    json!({ "amountMinor": amount_minor, "reason": reason })
}

/// A refund request under an `Idempotency-Key`.
async fn refund_with_key(
    app: &TestApp,
    order_id: Uuid,
    key: &str,
    caller: Caller,
    body: &Value,
) -> salvo::Response {
    let key = key.to_owned();
    app.post_with(&path(order_id), caller, |request| {
        request.add_header("idempotency-key", key, true).json(body)
    })
    .await
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_refund_with_invalid_fields_is_refused_naming_each(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    for (body, expected) in [
        (refund(0, ""), vec!["amountMinor", "reason"]),
        (refund(-100, "damaged"), vec!["amountMinor"]),
        (refund(100, "   "), vec!["reason"]),
        (refund(100, "damaged\nin transit"), vec!["reason"]),
        (refund(100, "damaged\tin transit"), vec!["reason"]),
        (refund(100, &"x".repeat(201)), vec!["reason"]),
    ] {
        let answer = problem(
            &mut app.post(&path(order_id), admin(), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&answer), expected, "{body}");
    }
    // Not a refund's shape at all (a field missing, a fraction, text, an extra field): 400.
    for body in [
        json!({ "amountMinor": 100 }),
        json!({ "reason": "damaged" }),
        json!({ "amountMinor": 1.5, "reason": "damaged" }),
        json!({ "amountMinor": "100", "reason": "damaged" }),
        json!({ "amountMinor": 100, "reason": "damaged", "currency": "EUR" }),
    ] {
        problem(
            &mut app.post(&path(order_id), admin(), &body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    assert!(app.refunds(order_id).await.is_empty());
    // 200 characters is a reason.
    let body = json_body(
        &mut app
            .post(&path(order_id), admin(), &refund(100, &"x".repeat(200)))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["refund"]["reason"], "x".repeat(200));
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_refund_above_what_is_left_is_refused_saying_how_much_is(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app
        .seed_payment(Uuid::new_v4(), "partially-refunded", 5_000)
        .await;
    sqlx::query("UPDATE payments SET refunded_minor = 1000 WHERE order_id = $1")
        .bind(order_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let body = problem(
        &mut app
            .post(&path(order_id), admin(), &refund(4_001, "damaged"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["amountMinor"]);
    assert_eq!(body["refundableMinor"], 4_000);
    assert!(app.refunds(order_id).await.is_empty());

    json_body(
        &mut app
            .post(&path(order_id), admin(), &refund(4_000, "damaged"))
            .await,
        StatusCode::CREATED,
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn only_captured_money_is_refunded(pool: PgPool) {
    let app = spawn_app(pool);
    let authorized = app.seed_payment(Uuid::new_v4(), "authorized", 0).await;
    let authorizing = app
        .request_payment(Uuid::new_v4(), 5_000, Some("pm_card_visa"))
        .await;
    for (order_id, status) in [(authorized, "authorized"), (authorizing, "authorizing")] {
        let body = problem(
            &mut app
                .post(&path(order_id), admin(), &refund(100, "goodwill"))
                .await,
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(body["type"], "/problems/payment-not-refundable");
        assert_eq!(body["currentStatus"], status);
        assert!(app.refunds(order_id).await.is_empty());
    }
    let refunded = app.seed_captured(Uuid::new_v4()).await;
    sqlx::query(
        "UPDATE payments SET status = 'refunded', refunded_minor = captured_minor
         WHERE order_id = $1",
    )
    .bind(refunded)
    .execute(&app.pool)
    .await
    .unwrap();
    let body = problem(
        &mut app
            .post(&path(refunded), admin(), &refund(1, "goodwill"))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(body["currentStatus"], "refunded");

    let body = problem(
        &mut app
            .post(&path(Uuid::now_v7()), admin(), &refund(100, "goodwill"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["detail"], "no payment for this order");
    assert_eq!(app.count("SELECT count(*) FROM refunds").await, 0);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_refund_the_provider_does_not_answer_stays_pending_and_a_repeat_is_the_same(
    pool: PgPool,
) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let admin_id = Uuid::new_v4();
    let admin = Caller::Admin(admin_id);
    let body = refund(1_500, "damaged in transit");

    let answer = json_body(
        &mut refund_with_key(&app, order_id, "refund-1", admin, &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(answer["refund"]["status"], "pending", "{answer}");
    assert_eq!(answer["refund"]["amountMinor"], 1_500);
    assert_eq!(answer["refund"]["reason"], "damaged in transit");
    assert_eq!(answer["refund"]["providerRefundId"], json!(null));
    assert_eq!(answer["payment"]["status"], "captured");
    assert_eq!(answer["payment"]["refundedMinor"], 0);
    assert_eq!(answer["payment"]["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(answer["payment"]["processing"]["attempts"], 1);

    // Recorded for the processor: the refund pending, the payment untouched and in doubt
    // about this refund (the call may have left), nothing in the ledger or the outbox.
    let refunds = app.refunds(order_id).await;
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].refund_key, format!("{order_id}:key:refund-1"));
    assert_eq!(
        (refunds[0].amount_minor, refunds[0].reason.as_str()),
        (1_500, "damaged in transit")
    );
    assert_eq!(refunds[0].status, "pending");
    assert_eq!(refunds[0].requested_by, format!("admin:{admin_id}"));
    let payment = app.payment(order_id).await;
    assert_eq!(
        (payment.status.as_str(), payment.refunded_minor),
        ("captured", 0)
    );
    assert_eq!(payment.captured_minor, 5_000);
    assert_eq!(payment.in_doubt.as_deref(), Some("refund:key:refund-1"));
    assert!(payment.next_attempt_at.is_some(), "retried later");
    assert_eq!(
        app.count("SELECT count(*) FROM payment_ledger WHERE operation = 'refund'")
            .await,
        0
    );
    assert!(app.outbox().await.is_empty());

    // The same request again (a retry, a double click): the same refund, nothing new.
    let again = json_body(
        &mut refund_with_key(&app, order_id, "refund-1", admin, &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["refund"], answer["refund"]);
    assert_eq!(app.refunds(order_id).await.len(), 1);

    // The same key for another refund is a client's mistake, not a repeat.
    for other in [
        refund(1_600, "damaged in transit"),
        refund(1_500, "wrong size"),
    ] {
        let body = problem(
            &mut refund_with_key(&app, order_id, "refund-1", admin, &other).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(body["type"], "/problems/idempotency-key-reused", "{other}");
    }
    assert_eq!(app.refunds(order_id).await.len(), 1);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn without_a_key_the_same_amount_and_reason_are_the_same_refund(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let first = json_body(
        &mut app
            .post(&path(order_id), admin(), &refund(500, "damaged"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    // Another administrator's double click is still one refund.
    let repeat = json_body(
        &mut app
            .post(&path(order_id), admin(), &refund(500, "damaged"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(repeat["refund"], first["refund"]);
    json_body(
        &mut app
            .post(&path(order_id), admin(), &refund(500, "scratched"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let amounts: Vec<i64> = app
        .refunds(order_id)
        .await
        .iter()
        .map(|refund| refund.amount_minor)
        .collect();
    assert_eq!(amounts, [500, 500]);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn refunds_under_way_count_against_what_is_left(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    json_body(
        &mut refund_with_key(&app, order_id, "a", admin(), &refund(3_000, "damaged")).await,
        StatusCode::CREATED,
    )
    .await;
    let body = problem(
        &mut refund_with_key(&app, order_id, "b", admin(), &refund(2_001, "late")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["amountMinor"]);
    assert_eq!(body["refundableMinor"], 2_000);
    assert_eq!(app.refunds(order_id).await.len(), 1);

    json_body(
        &mut refund_with_key(&app, order_id, "b", admin(), &refund(2_000, "late")).await,
        StatusCode::CREATED,
    )
    .await;
    let body = problem(
        &mut refund_with_key(&app, order_id, "c", admin(), &refund(1, "late")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["refundableMinor"], 0);
    let pending: i64 = app
        .refunds(order_id)
        .await
        .iter()
        .filter(|refund| refund.status == "pending")
        .map(|refund| refund.amount_minor)
        .sum();
    assert_eq!(pending, 5_000, "never more than was captured");
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn an_idempotency_key_out_of_its_rules_is_refused(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let body = refund(100, "damaged");
    for key in [
        "clé".to_owned(),
        "two words".to_owned(),
        "k".repeat(256),
        String::new(),
    ] {
        let answer = problem(
            &mut refund_with_key(&app, order_id, &key, admin(), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&answer), ["Idempotency-Key"], "{key:?}");
    }
    assert!(app.refunds(order_id).await.is_empty());
    json_body(
        &mut refund_with_key(&app, order_id, &"k".repeat(255), admin(), &body).await,
        StatusCode::CREATED,
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_cancellation_refund_under_way_counts_against_what_is_left(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let cancelled = contracts::order::OrderCancelled {
        order_id,
        reason: "customer".into(),
    };
    assert_eq!(app.deliver(Uuid::now_v7(), &cancelled).await, "SUCCESS");
    // The processor starts giving everything back; the provider does not answer.
    assert_eq!(
        app.drive(order_id).await,
        payments::processor::Drive::WillRetry
    );
    let payment = app.payment(order_id).await;
    assert_eq!(payment.in_doubt.as_deref(), Some("refund:order-cancelled"));
    let refunds = app.refunds(order_id).await;
    assert_eq!(refunds.len(), 1, "the refund under way is on record");
    assert_eq!(
        (
            refunds[0].refund_key.as_str(),
            refunds[0].amount_minor,
            refunds[0].status.as_str()
        ),
        (
            format!("{order_id}:order-cancelled").as_str(),
            5_000,
            "pending"
        )
    );

    // All of it may be on its way back already: nothing is left for an administrator, and the
    // refund in doubt stays the one the processor settles first.
    let body = problem(
        &mut app
            .post(&path(order_id), admin(), &refund(1_000, "goodwill"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["refundableMinor"], 0);
    assert_eq!(app.refunds(order_id).await.len(), 1);
    assert_eq!(
        app.payment(order_id).await.in_doubt.as_deref(),
        Some("refund:order-cancelled")
    );
    assert_eq!(
        app.drive(order_id).await,
        payments::processor::Drive::WillRetry
    );
    let refunds = app.refunds(order_id).await;
    assert_eq!(
        (refunds.len(), refunds[0].amount_minor),
        (1, 5_000),
        "the same refund, not one recomputed"
    );
}
