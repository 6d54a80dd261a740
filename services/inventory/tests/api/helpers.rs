//! The inventory service in process: the router `main` serves, on a database of the test's own.
//!
//! Every test is a `#[sqlx::test]`: it gets a fresh database with the inventory migrations, so
//! tests run in parallel and share nothing. No sidecar runs: the outbox relay is not started, so
//! events a use case records stay in the `outbox` table, where the tests read them.

use inventory::App;
use route_testing::{Caller, PROBLEM_JSON, WithCaller};
use salvo::Service;
use salvo::http::StatusCode;
use salvo::test::{RequestBuilder, ResponseExt, TestClient};
use serde_json::{Value, json};
use service_runtime::outbox::OutboxSignal;
use sqlx::PgPool;
use uuid::Uuid;

const BASE: &str = "http://127.0.0.1:7002";

pub struct TestApp {
    service: Service,
    pub pool: PgPool,
}

/// What the service answered.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl Answer {
    /// The fields a 422 problem names.
    pub fn invalid_fields(&self) -> Vec<&str> {
        route_testing::fields(&self.body)
    }

    /// Asserts a problem+json answer with this status, and returns its body.
    pub fn assert_problem(&self, status: StatusCode) -> &Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type, PROBLEM_JSON, "{}", self.body);
        assert_eq!(self.body["status"], status.as_u16(), "{}", self.body);
        &self.body
    }
}

/// Builds the service exactly as `main` does (the runtime's hoops and catcher around the
/// inventory router), without the app API token daprd would add.
pub fn spawn_app(pool: PgPool) -> TestApp {
    let app = App::new(pool.clone(), OutboxSignal::default());
    let service = service_runtime::server::service(inventory::router(app), None, None);
    TestApp { service, pool }
}

fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

impl TestApp {
    async fn send(&self, request: RequestBuilder, caller: Caller) -> Answer {
        let mut response = request.with_caller(caller).send(&self.service).await;
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.take_string().await.unwrap_or_default();
        Answer {
            status: response.status_code.unwrap_or(StatusCode::OK),
            content_type,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    pub async fn get(&self, path: &str, caller: Caller) -> Answer {
        self.send(TestClient::get(url(path)), caller).await
    }

    pub async fn delete(&self, path: &str, caller: Caller) -> Answer {
        self.send(TestClient::delete(url(path)), caller).await
    }

    pub async fn post(&self, path: &str, caller: Caller, body: &Value) -> Answer {
        self.send(TestClient::post(url(path)).json(body), caller)
            .await
    }

    pub async fn patch(&self, path: &str, caller: Caller, body: &Value) -> Answer {
        self.send(TestClient::patch(url(path)).json(body), caller)
            .await
    }

    /// Posts a raw body with a content type (malformed JSON, CloudEvents).
    pub async fn post_raw(
        &self,
        path: &str,
        caller: Caller,
        content_type: &str,
        body: impl Into<String>,
    ) -> Answer {
        let request = TestClient::post(url(path))
            .add_header("content-type", content_type, true)
            .body(body.into());
        self.send(request, caller).await
    }

    /// Creates a product through the admin API and asserts it was created.
    pub async fn create_product(&self, sku: &str, name: &str, category: &str, price: i64) -> Value {
        let answer = self
            .post(
                "/admin/catalog/products",
                admin(),
                &product(sku, name, category, price),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body
    }

    /// Adds `units` to the stock of `sku` through the admin API.
    pub async fn restock(&self, sku: &str, units: i32) -> Value {
        let answer = self
            .post(
                &format!("/admin/catalog/products/{sku}/stock"),
                admin(),
                &json!({ "delta": units, "reason": "delivery" }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body
    }

    /// (on hand, reserved) of a SKU, read from the database.
    pub async fn stock_row(&self, sku: &str) -> (i64, i64) {
        let row: (i64, i64) = sqlx::query_as("SELECT on_hand, reserved FROM stock WHERE sku = $1")
            .bind(sku)
            .fetch_one(&self.pool)
            .await
            .expect("a stock row");
        row
    }

    /// The types of the events in the outbox, oldest first.
    pub async fn outbox_event_types(&self) -> Vec<String> {
        self.outbox_events()
            .await
            .iter()
            .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The CloudEvents in the outbox, oldest first.
    pub async fn outbox_events(&self) -> Vec<Value> {
        sqlx::query_scalar("SELECT envelope FROM outbox ORDER BY created_at, event_id")
            .fetch_all(&self.pool)
            .await
            .expect("the outbox")
    }

    pub async fn ledger_len(&self, sku: &str) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM stock_ledger WHERE sku = $1")
            .bind(sku)
            .fetch_one(&self.pool)
            .await
            .expect("a count")
    }
}

/// A customer with an id of their own, as each new account has.
pub fn customer() -> Caller {
    Caller::Customer(Uuid::new_v4())
}

pub fn admin() -> Caller {
    Caller::Admin(Uuid::new_v4())
}

/// A create-product body.
pub fn product(sku: &str, name: &str, category: &str, price: i64) -> Value {
    json!({
        "sku": sku,
        "name": name,
        "category": category,
        "description": format!("{name}, for the route tests"),
        "price": { "minorUnits": price, "currency": "EUR" }
    })
}
