//! Analytics' routes in process, against a database of each test's own (sqlx::test applies the
//! service's migrations to a fresh database). No sidecar: delivery is what daprd would post.

use route_testing::{json_body, problem};
use salvo::Service;
use salvo::http::StatusCode;
use salvo::test::{ResponseExt, TestClient};
use serde_json::{Value, json};
use sqlx::PgPool;

fn service(pool: PgPool) -> Service {
    service_runtime::server::service(analytics::routes::router(pool), None, None)
}

fn order_event(id: &str, subject: &str) -> Value {
    json!({
        "specversion": "1.0",
        "id": id,
        "type": "shop.order.confirmed.v1",
        "source": "shop/orders",
        "subject": subject,
        "datacontenttype": "application/json",
        "data": { "orderId": subject },
        "topic": "order-events",
        "pubsubname": "events",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    })
}

async fn deliver(service: &Service, body: &Value) -> Value {
    let mut response = TestClient::post("http://127.0.0.1/events/inbox")
        .add_header("content-type", "application/cloudevents+json", true)
        .raw_json(body.to_string())
        .send(service)
        .await;
    json_body(&mut response, StatusCode::OK).await
}

#[sqlx::test(migrations = "../../migrations/analytics")]
async fn a_redelivered_event_is_logged_once(pool: PgPool) {
    let service = service(pool.clone());
    let event = order_event("order-1:4", "order-1");
    assert_eq!(
        deliver(&service, &event).await,
        json!({ "status": "SUCCESS" })
    );
    assert_eq!(
        deliver(&service, &event).await,
        json!({ "status": "SUCCESS" })
    );

    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM event_log WHERE event_id = $1")
        .bind("order-1:4")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(rows, 1);

    let mut response = TestClient::get("http://127.0.0.1/analytics/events/order-1:4")
        .send(&service)
        .await;
    let logged = json_body(&mut response, StatusCode::OK).await;
    assert_eq!(logged["eventType"], "shop.order.confirmed.v1");
    assert_eq!(logged["topic"], "order-events");
    assert_eq!(logged["payload"], json!({ "orderId": "order-1" }));
}

#[sqlx::test(migrations = "../../migrations/analytics")]
async fn what_is_not_a_cloud_event_is_dead_lettered(pool: PgPool) {
    let service = service(pool.clone());
    assert_eq!(
        deliver(&service, &json!({ "hello": "world" })).await,
        json!({ "status": "DROP" })
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM event_log")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(rows, 0);
}

#[sqlx::test(migrations = "../../migrations/analytics")]
async fn events_are_listed_by_subject_oldest_first(pool: PgPool) {
    let service = service(pool);
    for id in ["o-2:1", "o-2:2", "o-3:1"] {
        let subject = id.split(':').next().expect("a subject");
        deliver(&service, &order_event(id, subject)).await;
    }
    let mut response = TestClient::get("http://127.0.0.1/analytics/events?subject=o-2")
        .send(&service)
        .await;
    assert_eq!(response.status_code, Some(StatusCode::OK));
    let events: Vec<Value> = response.take_json().await.expect("a list");
    let ids: Vec<&str> = events
        .iter()
        .filter_map(|e| e["eventId"].as_str())
        .collect();
    assert_eq!(ids, ["o-2:1", "o-2:2"]);
}

#[sqlx::test(migrations = "../../migrations/analytics")]
async fn unknown_events_and_missing_subjects_are_problems(pool: PgPool) {
    let service = service(pool);
    let mut response = TestClient::get("http://127.0.0.1/analytics/events/nope")
        .send(&service)
        .await;
    problem(&mut response, StatusCode::NOT_FOUND).await;
    let response = TestClient::get("http://127.0.0.1/analytics/events")
        .send(&service)
        .await;
    assert_eq!(response.status_code, Some(StatusCode::BAD_REQUEST));
}
