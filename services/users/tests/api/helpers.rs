//! `spawn_app`: the users service as `main` builds it, on the test's database.

use std::time::Duration;

use access_token::AccessTokenKey;
use route_testing::{Caller, WithCaller, json_body};
use salvo::Service;
use salvo::http::StatusCode;
use salvo::test::TestClient;
use serde_json::{Value, json};
use service_runtime::outbox::OutboxSignal;
use sqlx::PgPool;
use users::{UsersApp, UsersConfig};
use uuid::Uuid;

const BASE: &str = "http://users.test";
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(15 * 60);
pub const SIGNING_KEY: &[u8] = b"route tests' signing key, not a secret";

pub struct TestApp {
    pub service: Service,
    pub pool: PgPool,
    pub app: UsersApp,
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

impl TestApp {
    pub async fn get(&self, path: &str, caller: Caller) -> salvo::Response {
        TestClient::get(format!("{BASE}{path}"))
            .with_caller(caller)
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
        TestClient::patch(format!("{BASE}{path}"))
            .with_caller(caller)
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
