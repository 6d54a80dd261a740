//! `spawn_app`: the users service as `main` builds it, on the test's database.

use std::time::Duration;

use access_token::{AccessTokenKey, USER_ID_HEADER, USER_ROLES_HEADER};
use salvo::Service;
use salvo::http::StatusCode;
use salvo::test::{ResponseExt, TestClient};
use serde_json::{Value, json};
use service_runtime::outbox::OutboxSignal;
use sqlx::PgPool;
use users::{UsersApp, UsersConfig};
use uuid::Uuid;

pub const PROBLEM: &str = "application/problem+json";
const BASE: &str = "http://users.test";
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(15 * 60);
pub const SIGNING_KEY: &[u8] = b"route tests' signing key, not a secret";

pub struct TestApp {
    pub service: Service,
    pub pool: PgPool,
    pub app: UsersApp,
}

/// Who the gateway says is calling (the identity headers it forwards after checking a token).
#[derive(Clone, Copy)]
pub enum Caller {
    Anonymous,
    Customer(Uuid),
    Admin(Uuid),
}

pub fn spawn_app(pool: PgPool) -> TestApp {
    let config = UsersConfig {
        access_token_ttl: ACCESS_TOKEN_TTL,
        refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
        // The cheapest argon2id the library accepts: the tests check behaviour, not cost.
        argon2_memory_kib: 8,
        argon2_iterations: 1,
        argon2_parallelism: 1,
    };
    let tokens = AccessTokenKey::from_secret(SIGNING_KEY);
    // No relay: nothing publishes, so the events stay in the outbox for the tests to read.
    let app = UsersApp::new(pool.clone(), config, tokens, OutboxSignal::default()).unwrap();
    // The same service `serve` runs, without the app API token (that is the sidecar's business).
    let service = service_runtime::server::service(users::router(app.clone()), None, None);
    TestApp { service, pool, app }
}

fn with_caller(
    mut request: salvo::test::RequestBuilder,
    caller: Caller,
) -> salvo::test::RequestBuilder {
    match caller {
        Caller::Anonymous => {}
        Caller::Customer(id) => {
            request = request
                .add_header(USER_ID_HEADER, id.to_string(), true)
                .add_header(USER_ROLES_HEADER, "customer", true);
        }
        Caller::Admin(id) => {
            request = request
                .add_header(USER_ID_HEADER, id.to_string(), true)
                .add_header(USER_ROLES_HEADER, "customer,admin", true);
        }
    }
    request
}

impl TestApp {
    pub async fn get(&self, path: &str, caller: Caller) -> salvo::Response {
        with_caller(TestClient::get(format!("{BASE}{path}")), caller)
            .send(&self.service)
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> salvo::Response {
        TestClient::post(format!("{BASE}{path}"))
            .json(body)
            .send(&self.service)
            .await
    }

    /// A body that is sent exactly as given, JSON or not.
    pub async fn post_raw(&self, path: &str, body: &str) -> salvo::Response {
        TestClient::post(format!("{BASE}{path}"))
            .raw_json(body.to_owned())
            .send(&self.service)
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value, caller: Caller) -> salvo::Response {
        with_caller(TestClient::patch(format!("{BASE}{path}")), caller)
            .json(body)
            .send(&self.service)
            .await
    }

    /// Registers an account and returns the `201` body.
    pub async fn register(&self, email: &str, password: &str, display_name: &str) -> Value {
        let mut response = self
            .post(
                "/users/register",
                &json!({ "email": email, "password": password, "displayName": display_name }),
            )
            .await;
        json_body(&mut response, StatusCode::CREATED).await
    }

    /// Registers a customer and returns their id.
    pub async fn customer(&self, email: &str) -> Uuid {
        let body = self.register(email, "a long passphrase", "Ann").await;
        body["userId"].as_str().unwrap().parse().unwrap()
    }

    /// Signs in and returns the token pair.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let mut response = self
            .post(
                "/users/login",
                &json!({ "email": email, "password": password }),
            )
            .await;
        json_body(&mut response, StatusCode::OK).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> salvo::Response {
        self.post("/users/refresh", &json!({ "refreshToken": refresh_token }))
            .await
    }
}

/// The JSON body of a response that must have `status`.
pub async fn json_body(response: &mut salvo::Response, status: StatusCode) -> Value {
    let body: Value = response.take_json().await.unwrap();
    assert_eq!(response.status_code, Some(status), "{body}");
    body
}

/// The problem+json body of a response that must have `status`.
pub async fn problem(response: &mut salvo::Response, status: StatusCode) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = String::from_utf8(response.take_bytes(None).await.unwrap().to_vec()).unwrap();
    assert_eq!(response.status_code, Some(status), "{body}");
    assert_eq!(content_type.as_deref(), Some(PROBLEM), "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["status"], status.as_u16(), "{body}");
    body
}

/// The fields a validation problem names, in its order.
pub fn fields(problem: &Value) -> Vec<&str> {
    assert_eq!(problem["type"], "/problems/validation-error", "{problem}");
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}
