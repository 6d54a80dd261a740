//! Notifications' routes in process, against a database of each test's own (sqlx::test applies
//! the service's migrations to a fresh database). No sidecar: a job is what daprd would post.

use route_testing::{json_body, problem};
use salvo::Service;
use salvo::http::StatusCode;
use salvo::test::TestClient;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

fn service(pool: PgPool) -> Service {
    service_runtime::server::service(notifications::routes::router(pool), None, None)
}

fn job(notification_id: Uuid, data: Value) -> Value {
    json!({
        "specversion": "1.0",
        "id": Uuid::now_v7().to_string(),
        "type": "shop.notification.requested.v1",
        "source": "shop/tests",
        "subject": notification_id.to_string(),
        "datacontenttype": "application/json",
        "data": data,
    })
}

async fn deliver(service: &Service, body: &Value) -> Value {
    let mut response = TestClient::post("http://127.0.0.1/jobs/notification")
        .add_header("content-type", "application/cloudevents+json", true)
        .raw_json(body.to_string())
        .send(service)
        .await;
    json_body(&mut response, StatusCode::OK).await
}

async fn job_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM notification_jobs")
        .fetch_one(pool)
        .await
        .expect("count")
}

/// The job payload of the current contract, read from the contract itself so the test follows it.
fn requested(notification_id: Uuid) -> Value {
    serde_json::to_value(contracts::notification::NotificationRequested {
        notification_id,
        channel: contracts::notification::Channel::Email,
        recipient: "ada@example.test".into(),
        template: "welcome".into(),
    })
    .expect("a job serializes")
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn a_redelivered_job_is_recorded_once(pool: PgPool) {
    let service = service(pool.clone());
    let id = Uuid::now_v7();
    let delivery = job(id, requested(id));
    assert_eq!(
        deliver(&service, &delivery).await,
        json!({ "status": "SUCCESS" })
    );
    assert_eq!(
        deliver(&service, &delivery).await,
        json!({ "status": "SUCCESS" })
    );
    assert_eq!(job_count(&pool).await, 1);

    let mut response = TestClient::get(format!("http://127.0.0.1/notifications/jobs/{id}"))
        .send(&service)
        .await;
    let recorded = json_body(&mut response, StatusCode::OK).await;
    assert_eq!(recorded["recipient"], "ada@example.test");
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn a_job_breaking_its_contract_is_dead_lettered(pool: PgPool) {
    let service = service(pool.clone());
    let id = Uuid::now_v7();
    let broken = job(id, json!({ "notificationId": id, "channel": 7 }));
    assert_eq!(
        deliver(&service, &broken).await,
        json!({ "status": "DROP" })
    );
    assert_eq!(job_count(&pool).await, 0);
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn unknown_or_malformed_job_ids_are_problems(pool: PgPool) {
    let service = service(pool);
    let response = TestClient::get(format!(
        "http://127.0.0.1/notifications/jobs/{}",
        Uuid::now_v7()
    ))
    .send(&service)
    .await;
    assert_eq!(response.status_code, Some(StatusCode::NOT_FOUND));
    let mut response = TestClient::get("http://127.0.0.1/notifications/jobs/not-a-uuid")
        .send(&service)
        .await;
    problem(&mut response, StatusCode::BAD_REQUEST).await;
}
