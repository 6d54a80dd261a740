//! `spawn_app`: the orders service as `main` builds it, on the test's database, with a sidecar
//! address where nothing listens.

use chrono::{DateTime, Utc};
use orders::Application;
use orders::config::DEFAULT_CONFIRMATION_DEADLINE;
use orders::domain::OrderStatus;
use orders::domain::view::{HistoryEntry, OrderView, ViewLine};
use orders::summaries::OrderSummaries;
use route_testing::{Caller, WithCaller, unreachable_sidecar};
use salvo::Service;
use salvo::http::StatusCode;
use salvo::test::{RequestBuilder, ResponseExt, TestClient};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

const BASE: &str = "http://orders.test";

pub struct TestApp {
    pub service: Service,
    pub pool: PgPool,
}

pub fn spawn_app(pool: PgPool) -> TestApp {
    let sidecar = unreachable_sidecar();
    // No publication sweeper: there is nothing to publish through.
    let app = Application::build(pool.clone(), sidecar, DEFAULT_CONFIRMATION_DEADLINE);
    // The same service `serve` runs, without the app API token (that is the sidecar's business).
    let service = service_runtime::server::service(app.router(), None, None);
    TestApp { service, pool }
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

    /// Delivers `body` to a subscription route as daprd does; returns the answer's `status`.
    pub async fn deliver(&self, route: &str, body: &str) -> String {
        let mut response = TestClient::post(format!("{BASE}{route}"))
            .raw_json(body.to_owned())
            .send(&self.service)
            .await;
        assert_eq!(response.status_code, Some(StatusCode::OK), "{route}");
        let answer: Value = response.take_json().await.unwrap();
        answer["status"].as_str().unwrap().to_owned()
    }

    /// Writes the order's row of the query table, as its actor does.
    pub async fn seed(&self, view: &OrderView) {
        OrderSummaries::new(self.pool.clone())
            .upsert(view)
            .await
            .unwrap();
    }
}

/// An order's view as its actor would hold it: one line, placed at `placed_at`.
pub fn order_view(
    customer_id: Uuid,
    status: OrderStatus,
    placed_at: DateTime<Utc>,
    version: u64,
) -> OrderView {
    OrderView {
        order_id: Uuid::now_v7(),
        customer_id,
        status,
        lines: vec![ViewLine {
            sku: "LAMP-1".into(),
            quantity: 2,
            unit_price_minor: 1_250,
            line_total_minor: 2_500,
        }],
        currency: "EUR".into(),
        total_minor: 2_500,
        placed_at,
        updated_at: placed_at,
        cancellation_reason: (status == OrderStatus::Cancelled).then(|| "customer".into()),
        rejected_lines: Vec::new(),
        shipment: None,
        payment: None,
        version,
        history: vec![HistoryEntry {
            sequence: 1,
            event_type: "shop.order.placed.v2".into(),
            at: placed_at,
        }],
    }
}

/// `n` minutes after a fixed instant: distinct, ordered placement times.
pub fn minute(n: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_764_000_000 + n * 60, 0).unwrap()
}
