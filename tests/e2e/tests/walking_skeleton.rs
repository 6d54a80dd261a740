//! The walking skeleton: one path through every building block, on the real runtime.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::time::Duration;

use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PATIENCE: Duration = Duration::from_secs(45);

#[tokio::test]
async fn every_service_is_ready_with_its_database_and_sidecar() {
    for (app, port, _) in APPS {
        let response = http()
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{app} is not listening on {port} (./shop up): {e}"));
        assert_eq!(response.status(), StatusCode::OK, "{app} is not ready");
    }
}

#[tokio::test]
async fn gateway_reaches_users_through_dapr_service_invocation() {
    let response = http()
        .get(format!("{GATEWAY}/api/users/stats"))
        .header("x-request-id", "e2e-skeleton-1")
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "e2e-skeleton-1");
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["service"], "users",
        "the answer comes from the users service: {body}"
    );
    assert!(
        body["registeredUsers"].as_i64().is_some_and(|n| n >= 0),
        "{body}"
    );
}

#[tokio::test]
async fn the_gateway_makes_a_request_id_when_the_client_sends_none() {
    let response = http()
        .get(format!("{GATEWAY}/api/users/stats"))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), StatusCode::OK);
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(
        uuid::Uuid::parse_str(id).is_ok(),
        "not a generated id: {id}"
    );

    let oversized = "x".repeat(200);
    let response = http()
        .get(format!("{GATEWAY}/api/users/stats"))
        .header("x-request-id", &oversized)
        .send()
        .await
        .expect("gateway answers");
    assert_ne!(
        response.headers()["x-request-id"],
        oversized.as_str(),
        "an absurd id is replaced"
    );
}

#[tokio::test]
async fn unknown_routes_are_problem_json() {
    let response = http()
        .get(format!("{GATEWAY}/api/no-such-thing"))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["type"], "/problems/not-found");
}

#[tokio::test]
async fn a_service_port_refuses_calls_that_bypass_the_sidecar() {
    let response = http()
        .get(format!(
            "http://127.0.0.1:{}/users/stats",
            app_port("users")
        ))
        .send()
        .await
        .expect("users answers");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );

    let forged = http()
        .get(format!(
            "http://127.0.0.1:{}/users/stats",
            app_port("users")
        ))
        .header("dapr-api-token", "not-the-token")
        .send()
        .await
        .expect("users answers");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}

async fn append(stream: &str, expected_version: u64, types: &[&str]) -> reqwest::Response {
    let events: Vec<Value> = types
        .iter()
        .map(|t| json!({ "type": t, "data": { "note": "e2e" } }))
        .collect();
    http()
        .post(invoke_url(
            "orders",
            &format!("internal/streams/{stream}/events"),
        ))
        .json(&json!({ "expectedVersion": expected_version, "events": events }))
        .send()
        .await
        .expect("orders answers through Dapr")
}

#[tokio::test]
async fn orders_appends_to_its_stream_in_dapr_state_and_refuses_a_stale_version() {
    let stream = format!("e2e-{}", uuid::Uuid::now_v7());

    let first = append(&stream, 0, &["Created", "Touched"]).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(first.json::<Value>().await.unwrap()["version"], 2);

    let stale = append(&stream, 0, &["Created"]).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(stale.headers()["content-type"], "application/problem+json");
    let problem: Value = stale.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/stream-version-conflict");
    assert_eq!(problem["currentVersion"], 2);

    assert_eq!(
        append(&stream, 2, &["Closed"]).await.status(),
        StatusCode::CREATED
    );

    let stream_body: Value = http()
        .get(invoke_url("orders", &format!("internal/streams/{stream}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stream_body["version"], 3);
    let types: Vec<&str> = stream_body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    let sequences: Vec<u64> = stream_body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(types, ["Created", "Touched", "Closed"]);
    assert_eq!(sequences, [1, 2, 3]);
}

#[tokio::test]
async fn concurrent_appends_at_one_version_let_exactly_one_win() {
    let stream = format!("e2e-race-{}", uuid::Uuid::now_v7());
    assert_eq!(
        append(&stream, 0, &["Created"]).await.status(),
        StatusCode::CREATED
    );

    let contenders = (0..8).map(|_| {
        let stream = stream.clone();
        tokio::spawn(async move { append(&stream, 1, &["Raced"]).await.status() })
    });
    let mut statuses = Vec::new();
    for contender in contenders {
        statuses.push(contender.await.unwrap());
    }
    let winners = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let losers = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((winners, losers), (1, 7), "statuses: {statuses:?}");
}

#[tokio::test]
async fn an_event_reaches_another_service_through_kafka() {
    require_kafka();
    let topic = "user-events";
    let before = kafka_topic_end_offset_or_zero(topic);
    let (id, event) = cloud_event("shop.e2e.ping.v1", "e2e", json!({ "hello": "kafka" }));
    publish("users", "events", topic, &event, "Kafka").await;

    let logged: Value = eventually("analytics to record the event", PATIENCE, || async {
        let response = http()
            .get(invoke_url("analytics", &format!("analytics/events/{id}")))
            .send()
            .await
            .ok()?;
        (response.status() == StatusCode::OK).then_some(response.json().await.ok()?)
    })
    .await;
    assert_eq!(logged["eventType"], "shop.e2e.ping.v1");
    assert_eq!(logged["topic"], topic);
    assert_eq!(logged["payload"]["hello"], "kafka");

    // Proof that it travelled through Kafka: the topic exists in the broker and grew, and the
    // analytics consumer group has committed offsets on it.
    let after = kafka_topic_end_offset(topic);
    assert!(
        after > before,
        "the {topic} topic did not grow ({before} -> {after})"
    );
    let groups = kafka_tool(
        "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
        &[
            "--bootstrap-server",
            &std::env::var("KAFKA_BOOTSTRAP").unwrap(),
            "--describe",
            "--group",
            "analytics",
        ],
    );
    assert!(
        groups.contains(topic),
        "the analytics consumer group does not read {topic}:\n{groups}"
    );
}

fn kafka_topic_end_offset_or_zero(topic: &str) -> u64 {
    let listed = kafka_tool(
        "org.apache.kafka.tools.TopicCommand",
        &[
            "--bootstrap-server",
            &std::env::var("KAFKA_BOOTSTRAP").unwrap_or_default(),
            "--list",
        ],
    );
    if listed.lines().any(|line| line.trim() == topic) {
        kafka_topic_end_offset(topic)
    } else {
        0
    }
}

/// A job notifications holds no message for (published here, by hand) travels through
/// RabbitMQ, cannot be sent, and is dead-lettered through Dapr's dead-letter topic, not lost.
/// (The jobs notifications makes itself are followed end to end in `notifications.rs`.)
#[tokio::test]
async fn a_job_reaches_notifications_through_rabbitmq() {
    require_rabbitmq();
    let notification_id = uuid::Uuid::new_v4();
    let (_, job) = cloud_event(
        "shop.notification.requested.v1",
        &notification_id.to_string(),
        json!({ "notificationId": notification_id, "channel": "email", "recipient": "ada@example.com", "template": "welcome" }),
    );
    let (_, dead_before) = rabbitmq_api("queues/%2F/notifications-notification-jobs-dead").await;
    let dead_acks_before = dead_before["message_stats"]["ack"].as_u64().unwrap_or(0);
    publish(
        "notifications",
        "jobs",
        "notification-jobs",
        &job,
        "RabbitMQ",
    )
    .await;

    // Proof that it travelled through RabbitMQ: Dapr's durable queue for the notifications
    // consumer exists in the broker, dead-letters into its own durable queue, and has delivered
    // and acknowledged messages (the broker samples these statistics every second).
    let queue: Value = eventually("RabbitMQ to count the delivery", PATIENCE, || async {
        let (status, queue) = rabbitmq_api("queues/%2F/notifications-notification-jobs").await;
        assert_ne!(
            status,
            StatusCode::NOT_FOUND,
            "no notifications queue in RabbitMQ"
        );
        (queue["message_stats"]["ack"].as_u64().unwrap_or(0) >= 1).then_some(queue)
    })
    .await;
    // The job came back on the dead-letter topic's queue and was taken from there.
    eventually("the job to be dead-lettered", PATIENCE, || async {
        let (_, dead) = rabbitmq_api("queues/%2F/notifications-notification-jobs-dead").await;
        (dead["message_stats"]["ack"].as_u64().unwrap_or(0) > dead_acks_before).then_some(())
    })
    .await;
    assert_eq!(queue["durable"], true);
    assert_eq!(
        queue["arguments"]["x-dead-letter-exchange"],
        "dlx-notifications-notification-jobs"
    );
    let (status, dead_letters) =
        rabbitmq_api("queues/%2F/dlq-notifications-notification-jobs").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "no dead-letter queue in RabbitMQ: {dead_letters}"
    );
    assert_eq!(dead_letters["durable"], true);
}
