//! `spawn_app`: notifications as `main` builds it, on the test's database, with a sidecar where
//! nothing listens and no outbox relay: the jobs it would publish wait in the `outbox` table.

use notifications::App;
use route_testing::{Caller, WithCaller, unreachable_sidecar};
use salvo::Service;
use salvo::http::StatusCode;
use salvo::test::{ResponseExt, TestClient};
use serde_json::Value;
use service_runtime::outbox::OutboxSignal;
use service_runtime::{DomainEvent, EventEnvelope};
use sqlx::PgPool;
use uuid::Uuid;

const BASE: &str = "http://notifications.test";
pub const ADMIN_EMAIL: &str = "admin@shop.test";

pub struct TestApp {
    pub service: Service,
    pub pool: PgPool,
    pub app: App,
}

pub fn spawn_app(pool: PgPool) -> TestApp {
    let app = App::new(
        pool.clone(),
        unreachable_sidecar(),
        OutboxSignal::default(),
        vec![ADMIN_EMAIL.to_owned()],
    );
    let service = service_runtime::server::service(notifications::router(app.clone()), None, None);
    TestApp { service, pool, app }
}

/// A stored message, as the tests look at it.
#[derive(Debug, sqlx::FromRow)]
pub struct MessageRow {
    pub notification_id: Uuid,
    pub kind: String,
    pub channel: String,
    pub recipient: String,
    pub subject: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub replays: i32,
}

impl TestApp {
    pub async fn get(&self, path: &str, caller: Caller) -> salvo::Response {
        TestClient::get(format!("{BASE}{path}"))
            .with_caller(caller)
            .send(&self.service)
            .await
    }

    pub async fn put(&self, path: &str, caller: Caller, body: &Value) -> salvo::Response {
        TestClient::put(format!("{BASE}{path}"))
            .with_caller(caller)
            .json(body)
            .send(&self.service)
            .await
    }

    pub async fn put_raw(&self, path: &str, caller: Caller, body: &str) -> salvo::Response {
        TestClient::put(format!("{BASE}{path}"))
            .with_caller(caller)
            .add_header("content-type", "application/json", true)
            .body(body.to_owned())
            .send(&self.service)
            .await
    }

    pub async fn post(&self, path: &str, caller: Caller) -> salvo::Response {
        TestClient::post(format!("{BASE}{path}"))
            .with_caller(caller)
            .send(&self.service)
            .await
    }

    /// Delivers a CloudEvent (JSON text) to `route` as daprd does; answers `SUCCESS`, `RETRY`
    /// or `DROP`.
    pub async fn deliver_raw(&self, route: &str, body: String) -> String {
        let mut response = TestClient::post(format!("{BASE}{route}"))
            .add_header("content-type", "application/cloudevents+json", true)
            .body(body)
            .send(&self.service)
            .await;
        assert_eq!(response.status_code, Some(StatusCode::OK));
        let answer: Value = response.take_json().await.expect("a delivery answer");
        answer["status"].as_str().unwrap_or_default().to_owned()
    }

    /// Delivers a domain event under `event_id` to the events subscription.
    pub async fn deliver_event<E: DomainEvent>(&self, event_id: &str, event: &E) -> String {
        self.deliver_raw("/events/domain", envelope(event_id, "shop/tests", event))
            .await
    }

    /// Delivers the job of `notification_id` (CloudEvent id `job_id`) to `route`.
    pub async fn deliver_job(&self, route: &str, job_id: &str, notification_id: Uuid) -> String {
        let message = self.message(notification_id).await;
        let job = contracts::notification::NotificationRequested {
            notification_id,
            channel: if message.channel == "sms" {
                contracts::notification::Channel::Sms
            } else {
                contracts::notification::Channel::Email
            },
            recipient: message.recipient,
            template: message.kind,
        };
        self.deliver_raw(route, envelope(job_id, "shop/notifications", &job))
            .await
    }

    pub async fn messages(&self) -> Vec<MessageRow> {
        sqlx::query_as(
            "SELECT notification_id, kind, channel, recipient, subject, status, attempts,
                    last_error, replays
             FROM notifications ORDER BY created_at, notification_id",
        )
        .fetch_all(&self.pool)
        .await
        .expect("messages")
    }

    pub async fn message(&self, notification_id: Uuid) -> MessageRow {
        sqlx::query_as(
            "SELECT notification_id, kind, channel, recipient, subject, status, attempts,
                    last_error, replays
             FROM notifications WHERE notification_id = $1",
        )
        .bind(notification_id)
        .fetch_one(&self.pool)
        .await
        .expect("the message")
    }

    /// The CloudEvents in the outbox (the jobs the relay would publish), oldest first.
    pub async fn outbox(&self) -> Vec<(String, Value)> {
        sqlx::query_as("SELECT topic, envelope FROM outbox ORDER BY created_at, event_id")
            .fetch_all(&self.pool)
            .await
            .expect("outbox")
    }

    /// A customer registers: their welcome email is stored and queued. Its id.
    pub async fn welcome(&self, user_id: Uuid, email: &str) -> Uuid {
        let registered = contracts::user::UserRegistered {
            user_id,
            email: email.into(),
            display_name: "Ada".into(),
        };
        assert_eq!(
            self.deliver_event(&Uuid::new_v4().to_string(), &registered)
                .await,
            "SUCCESS"
        );
        sqlx::query_scalar(
            "SELECT notification_id FROM notifications WHERE user_id = $1 AND kind = 'welcome'",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await
        .expect("the welcome message")
    }

    /// Puts a message in the state a test needs, as the delivery path would leave it.
    pub async fn set_status(&self, notification_id: Uuid, status: &str) {
        sqlx::query(
            "UPDATE notifications SET status = $2,
                    dead_at = CASE WHEN $2 = 'dead' THEN now() END,
                    last_error = CASE WHEN $2 = 'dead' THEN 'gomail: 451 busy' END
             WHERE notification_id = $1",
        )
        .bind(notification_id)
        .bind(status)
        .execute(&self.pool)
        .await
        .expect("a status");
    }
}

/// `event` as a CloudEvent with the id `id`, as JSON text.
pub fn envelope<E: DomainEvent>(id: &str, source: &str, event: &E) -> String {
    let bytes = EventEnvelope::wrap_with_id(id.to_owned(), source, event)
        .and_then(|envelope| envelope.to_json())
        .expect("an envelope");
    String::from_utf8(bytes).expect("JSON is UTF-8")
}

pub fn customer() -> (Uuid, Caller) {
    let id = Uuid::new_v4();
    (id, Caller::Customer(id))
}

pub fn admin() -> Caller {
    Caller::Admin(Uuid::new_v4())
}
