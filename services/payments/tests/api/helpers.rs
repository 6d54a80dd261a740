//! `spawn_app`: payments as `main` builds it, on the test's database, with a sidecar where
//! nothing listens. The provider binding is behind that sidecar, so every provider call fails as
//! unavailable: what a test sees is what the service decides without the provider. The
//! processor is not spawned and the outbox relay not started; tests drive a payment themselves
//! ([`TestApp::drive`]) and read what would be published in the `outbox` table.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use payments::domain::WebhookSecret;
use payments::processor::Drive;
use payments::provider::stripe::StripeGateway;
use payments::{App, Processor};
use route_testing::{Caller, WithCaller, unreachable_sidecar};
use salvo::Service;
use salvo::http::StatusCode;
use salvo::test::{RequestBuilder, ResponseExt, TestClient};
use serde_json::Value;
use service_runtime::outbox::OutboxSignal;
use service_runtime::{DomainEvent, EventEnvelope};
use sqlx::PgPool;
use uuid::Uuid;

const BASE: &str = "http://payments.test";
/// The endpoint secret the tests' webhooks are signed with.
pub const WEBHOOK_SECRET: &str = "whsec_route_tests";
pub const ORDER_EVENTS: &str = "/events/orders";

pub struct TestApp {
    pub service: Service,
    pub pool: PgPool,
    processor: Processor,
}

pub fn spawn_app(pool: PgPool) -> TestApp {
    let gateway = Arc::new(StripeGateway::new(unreachable_sidecar(), "stripe"));
    let processor = Processor::new(pool.clone(), gateway, OutboxSignal::default());
    let app = App::new(
        pool.clone(),
        processor.clone(),
        WebhookSecret::new(WEBHOOK_SECRET),
    );
    // The same service `serve` runs, without the app API token (that is the sidecar's business).
    let service = service_runtime::server::service(payments::router(app), None, None);
    TestApp {
        service,
        pool,
        processor,
    }
}

/// A payments row as stored, with the processor's bookkeeping.
#[derive(Debug, sqlx::FromRow)]
pub struct PaymentRow {
    pub customer_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub payment_method_id: Option<String>,
    pub status: String,
    pub order_outcome: String,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    pub failure_reason: Option<String>,
    pub in_doubt: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// A refunds row as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct RefundRow {
    pub refund_key: String,
    pub amount_minor: i64,
    pub reason: String,
    pub requested_by: String,
    pub status: String,
}

impl TestApp {
    pub async fn get(&self, path: &str, caller: Caller) -> salvo::Response {
        TestClient::get(format!("{BASE}{path}"))
            .with_caller(caller)
            .send(&self.service)
            .await
    }

    pub async fn post(&self, path: &str, caller: Caller, body: &Value) -> salvo::Response {
        self.post_with(path, caller, |request| request.json(body))
            .await
    }

    /// A POST whose request the test finishes itself (raw bodies, extra headers).
    pub async fn post_with(
        &self,
        path: &str,
        caller: Caller,
        finish: impl FnOnce(RequestBuilder) -> RequestBuilder,
    ) -> salvo::Response {
        finish(TestClient::post(format!("{BASE}{path}")).with_caller(caller))
            .send(&self.service)
            .await
    }

    /// Delivers `body` to the order events' subscription as daprd does; returns the answer
    /// (`SUCCESS`, `RETRY`, `DROP`).
    pub async fn deliver_raw(&self, body: impl Into<String>) -> String {
        let mut response = TestClient::post(format!("{BASE}{ORDER_EVENTS}"))
            .add_header("content-type", "application/cloudevents+json", true)
            .body(body.into())
            .send(&self.service)
            .await;
        assert_eq!(response.status_code, Some(StatusCode::OK));
        let answer: Value = response.take_json().await.unwrap();
        answer["status"].as_str().unwrap().to_owned()
    }

    /// Delivers `event` under `event_id`, wrapped as orders wraps it.
    pub async fn deliver<E: DomainEvent>(&self, event_id: Uuid, event: &E) -> String {
        let envelope = EventEnvelope::wrap_with_id(event_id.to_string(), "shop/orders", event)
            .unwrap()
            .to_json()
            .unwrap();
        self.deliver_raw(String::from_utf8(envelope).unwrap()).await
    }

    /// An order of `customer_id` asks to be paid (through the event intake); its order id.
    pub async fn request_payment(
        &self,
        customer_id: Uuid,
        amount_minor: i64,
        payment_method: Option<&str>,
    ) -> Uuid {
        let order_id = Uuid::now_v7();
        let event = payment_requested(order_id, customer_id, amount_minor, payment_method);
        assert_eq!(self.deliver(Uuid::now_v7(), &event).await, "SUCCESS");
        order_id
    }

    /// A payment the provider authorized and captured, written as the processor records it:
    /// the payments row with its totals and the ledger entries they sum. Test data, not a fake:
    /// it is what the service holds after a capture that the e2e suite makes for real.
    pub async fn seed_payment(&self, customer_id: Uuid, status: &str, captured_minor: i64) -> Uuid {
        let order_id = Uuid::now_v7();
        let provider_id = format!("pi_test{}", order_id.simple());
        let amount_minor = 5_000;
        sqlx::query(
            "INSERT INTO payments (order_id, customer_id, amount_minor, currency,
                                   payment_method_id, status, order_outcome, provider_payment_id,
                                   authorized_minor, captured_minor)
             VALUES ($1, $2, $3, 'EUR', 'pm_card_visa', $4,
                     CASE WHEN $5 > 0 THEN 'confirmed' ELSE 'open' END, $6, $3, $5)",
        )
        .bind(order_id)
        .bind(customer_id)
        .bind(amount_minor)
        .bind(status)
        .bind(captured_minor)
        .bind(&provider_id)
        .execute(&self.pool)
        .await
        .unwrap();
        let mut entries = vec![("authorize", amount_minor)];
        if captured_minor > 0 {
            entries.push(("capture", captured_minor));
        }
        for (operation, amount) in entries {
            sqlx::query(
                "INSERT INTO payment_ledger (order_id, operation, amount_minor, currency,
                                             provider_id, idempotency_key)
                 VALUES ($1, $2, $3, 'EUR', $4, $5)",
            )
            .bind(order_id)
            .bind(operation)
            .bind(amount)
            .bind(&provider_id)
            .bind(format!("payment:{order_id}:{operation}"))
            .execute(&self.pool)
            .await
            .unwrap();
        }
        order_id
    }

    /// A captured payment of 5 000 EUR minor units, all of it refundable.
    pub async fn seed_captured(&self, customer_id: Uuid) -> Uuid {
        self.seed_payment(customer_id, "captured", 5_000).await
    }

    pub async fn payment(&self, order_id: Uuid) -> PaymentRow {
        sqlx::query_as("SELECT * FROM payments WHERE order_id = $1")
            .bind(order_id)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub async fn payment_count(&self) -> i64 {
        self.count("SELECT count(*) FROM payments").await
    }

    pub async fn refunds(&self, order_id: Uuid) -> Vec<RefundRow> {
        sqlx::query_as("SELECT * FROM refunds WHERE order_id = $1 ORDER BY requested_at")
            .bind(order_id)
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    /// The CloudEvents in the outbox (what the relay would publish), oldest first.
    pub async fn outbox(&self) -> Vec<Value> {
        sqlx::query_scalar("SELECT envelope FROM outbox ORDER BY created_at, event_id")
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.unwrap()
    }

    /// The database's clock, the one `next_attempt_at` is written with.
    pub async fn now(&self) -> DateTime<Utc> {
        sqlx::query_scalar("SELECT now()")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// One run of the processor on this payment, as its loop would do it.
    pub async fn drive(&self, order_id: Uuid) -> Drive {
        self.processor.drive(order_id).await.unwrap()
    }
}

pub fn payment_requested(
    order_id: Uuid,
    customer_id: Uuid,
    amount_minor: i64,
    payment_method: Option<&str>,
) -> contracts::order::PaymentRequested {
    contracts::order::PaymentRequested {
        order_id,
        customer_id,
        amount_minor,
        currency: "EUR".into(),
        payment_method_id: payment_method
            .map(|id| contracts::payment::PaymentMethodId::parse(id).unwrap()),
    }
}

/// A CloudEvent as JSON text, for deliveries the contract types cannot make (broken ones).
pub fn cloud_event(event_type: &str, data: Value) -> String {
    serde_json::json!({
        "specversion": "1.0",
        "id": Uuid::now_v7().to_string(),
        "source": "shop/orders",
        "type": event_type,
        "datacontenttype": "application/json",
        "data": data,
    })
    .to_string()
}

pub fn customer() -> (Uuid, Caller) {
    let id = Uuid::new_v4();
    (id, Caller::Customer(id))
}

pub fn admin() -> Caller {
    Caller::Admin(Uuid::new_v4())
}
