//! `POST /payments/webhooks/stripe`: the provider's events, believed only with a fresh
//! signature made with the endpoint's secret, acted on once per event id, and taken as a reason
//! to look at the payment again (the processor then asks the provider; not here).

use payments::domain::WebhookSecret;
use route_testing::{Caller, json_body, problem};
use salvo::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, WEBHOOK_SECRET, spawn_app};

const WEBHOOK: &str = "/payments/webhooks/stripe";

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A `payment_intent.*` event as Stripe sends it, about `order_id`'s PaymentIntent.
fn payment_intent_event(event_id: &str, event_type: &str, order_id: Uuid) -> Value {
    json!({
        "id": event_id,
        "object": "event",
        "type": event_type,
        "data": { "object": {
            "id": format!("pi_test{}", order_id.simple()),
            "object": "payment_intent",
            "status": "requires_capture",
            "metadata": { "order_id": order_id },
        }},
    })
}

/// Posts `body` with `signature` as its `Stripe-Signature` (none if `None`), as the provider
/// does: no caller identity, the raw bytes it signed.
async fn post_webhook(app: &TestApp, body: &[u8], signature: Option<String>) -> salvo::Response {
    let body = body.to_vec();
    app.post_with(WEBHOOK, Caller::Anonymous, |request| {
        let request = request.add_header("content-type", "application/json", true);
        match signature {
            Some(signature) => request.add_header("stripe-signature", signature, true),
            None => request,
        }
        .body(body)
    })
    .await
}

/// Posts `event` signed now with the endpoint's secret.
async fn deliver_signed(app: &TestApp, event: &Value) -> salvo::Response {
    let body = event.to_string().into_bytes();
    let signature = WebhookSecret::new(WEBHOOK_SECRET).sign(unix_now(), &body);
    post_webhook(app, &body, Some(signature)).await
}

async fn webhook_events(app: &TestApp) -> Vec<(String, Option<Uuid>)> {
    sqlx::query_as("SELECT event_id, order_id FROM webhook_events ORDER BY received_at")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_webhook_without_a_valid_fresh_signature_is_refused_and_changes_nothing(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let event = payment_intent_event("evt_1", "payment_intent.succeeded", order_id);
    let body = event.to_string().into_bytes();
    let secret = WebhookSecret::new(WEBHOOK_SECRET);
    let now = unix_now();
    for (what, signature) in [
        ("no signature", None),
        ("not a signature", Some("sha256=abc".to_owned())),
        (
            "another secret's",
            Some(WebhookSecret::new("whsec_someone_else").sign(now, &body)),
        ),
        ("another body's", Some(secret.sign(now, b"{}"))),
        ("six minutes old", Some(secret.sign(now - 360, &body))),
        ("from the future", Some(secret.sign(now + 360, &body))),
    ] {
        let answer = problem(
            &mut post_webhook(&app, &body, signature).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(answer["type"], "/problems/bad-request", "{what}: {answer}");
    }
    assert!(webhook_events(&app).await.is_empty());
    assert_eq!(app.payment(order_id).await.next_attempt_at, None);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_signed_event_about_a_payment_makes_it_due_once(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let event = payment_intent_event("evt_succeeded_1", "payment_intent.succeeded", order_id);

    let answer = json_body(&mut deliver_signed(&app, &event).await, StatusCode::OK).await;
    assert_eq!(answer, json!({ "outcome": "reconciled" }));
    let due = app.payment(order_id).await.next_attempt_at;
    assert!(due.is_some(), "the processor looks at it again");
    assert_eq!(
        webhook_events(&app).await,
        [("evt_succeeded_1".to_owned(), Some(order_id))]
    );

    // The provider delivers again (and the processor settled the payment meanwhile): the
    // event was acted on already.
    sqlx::query("UPDATE payments SET next_attempt_at = NULL WHERE order_id = $1")
        .bind(order_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let answer = json_body(&mut deliver_signed(&app, &event).await, StatusCode::OK).await;
    assert_eq!(answer, json!({ "outcome": "ignored" }));
    assert_eq!(webhook_events(&app).await.len(), 1);
    assert_eq!(app.payment(order_id).await.next_attempt_at, None);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn an_event_without_our_metadata_is_matched_by_the_providers_payment_id(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let mut event = payment_intent_event("evt_2", "payment_intent.payment_failed", order_id);
    event["data"]["object"]["metadata"] = json!({});
    let answer = json_body(&mut deliver_signed(&app, &event).await, StatusCode::OK).await;
    assert_eq!(answer["outcome"], "reconciled");
    assert!(app.payment(order_id).await.next_attempt_at.is_some());
    assert_eq!(
        webhook_events(&app).await,
        [("evt_2".to_owned(), Some(order_id))]
    );
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn an_event_about_no_payment_of_ours_is_acknowledged_and_ignored(pool: PgPool) {
    let app = spawn_app(pool);
    let ours = app.seed_captured(Uuid::new_v4()).await;
    let stranger = Uuid::now_v7();
    let event = payment_intent_event("evt_3", "payment_intent.succeeded", stranger);
    let answer = json_body(&mut deliver_signed(&app, &event).await, StatusCode::OK).await;
    assert_eq!(answer["outcome"], "ignored");
    // An event about something else entirely (a customer, a payout).
    let other = json!({
        "id": "evt_4", "type": "customer.created",
        "data": { "object": { "id": "cus_1", "object": "customer" } },
    });
    let answer = json_body(&mut deliver_signed(&app, &other).await, StatusCode::OK).await;
    assert_eq!(answer["outcome"], "ignored");
    assert_eq!(app.payment_count().await, 1, "no payment is made up");
    assert_eq!(app.payment(ours).await.next_attempt_at, None);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_signed_body_that_is_not_a_provider_event_is_refused(pool: PgPool) {
    let app = spawn_app(pool);
    let secret = WebhookSecret::new(WEBHOOK_SECRET);
    for body in [
        b"not json at all".to_vec(),
        br#"{"type": "payment_intent.succeeded"}"#.to_vec(),
        br#"{"id": "evt_5"}"#.to_vec(),
        br#"["evt_6"]"#.to_vec(),
    ] {
        let signature = secret.sign(unix_now(), &body);
        problem(
            &mut post_webhook(&app, &body, Some(signature)).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    assert!(webhook_events(&app).await.is_empty());
}
