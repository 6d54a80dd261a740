//! Helpers for the notification tests: what a customer chose, and what the real servers behind
//! the notifications sidecar received: Mailpit's messages (its REST API) and the text messages
//! WireMock took as Twilio (its request journal).

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::process::{self, Launch};
use crate::{GATEWAY, eventually, http, required_env};

/// How long a message may take from its event to its server: the event on Kafka, the job on
/// RabbitMQ, one send (emails go one at a time through the sidecar).
pub const DELIVERY_PATIENCE: Duration = Duration::from_secs(90);

pub fn mailpit() -> String {
    required_env("MAILPIT_URL")
}

pub fn wiremock() -> String {
    required_env("WIREMOCK_URL")
}

/// A phone number of its own for each test (North American fictional range, E.164).
pub fn fresh_phone() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 10_000_000;
    format!("+1555{n:07}")
}

/// `PATCH /api/users/me` with a phone number.
pub async fn set_phone(token: &str, phone: &str) {
    let response = http()
        .patch(format!("{GATEWAY}/api/users/me"))
        .bearer_auth(token)
        .json(&json!({ "phone": phone }))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "setting the phone failed"
    );
}

/// `PUT /api/notifications/preferences`: `language`, and text messages for orders and shipping.
pub async fn choose(token: &str, language: &str, sms_orders: bool, sms_shipping: bool) -> Value {
    let response = http()
        .put(format!("{GATEWAY}/api/notifications/preferences"))
        .bearer_auth(token)
        .json(&json!({
            "language": language,
            "channels": {
                "account": { "email": true, "sms": false },
                "orders": { "email": true, "sms": sms_orders },
                "shipping": { "email": true, "sms": sms_shipping },
            },
        }))
        .send()
        .await
        .expect("gateway answers");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(
        status,
        StatusCode::OK,
        "choosing preferences failed: {body}"
    );
    body
}

/// Mailpit's summaries of the messages to `address`, oldest first.
pub async fn emails_to(address: &str) -> Vec<Value> {
    let found: Value = http()
        .get(format!("{}/api/v1/search", mailpit()))
        .query(&[("query", format!("to:\"{address}\""))])
        .send()
        .await
        .unwrap_or_else(|e| panic!("Mailpit is unreachable: {e}"))
        .json()
        .await
        .expect("Mailpit answers JSON");
    let mut messages = found["messages"].as_array().cloned().unwrap_or_default();
    messages.reverse(); // Mailpit lists the newest first
    messages
}

/// One message in full (`HTML`, `Text`, headers), by Mailpit's id.
pub async fn email(id: &str) -> Value {
    http()
        .get(format!("{}/api/v1/message/{id}", mailpit()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("Mailpit is unreachable: {e}"))
        .json()
        .await
        .expect("Mailpit answers JSON")
}

/// Waits until `address` has received `count` messages, then waits a little longer and checks
/// no more arrived (a message sent twice would show up as a second copy); returns them.
pub async fn exactly_emails(address: &str, count: usize) -> Vec<Value> {
    exactly_emails_within(address, count, DELIVERY_PATIENCE).await
}

/// [`exactly_emails`], waiting up to `patience` for them.
pub async fn exactly_emails_within(address: &str, count: usize, patience: Duration) -> Vec<Value> {
    eventually(
        &format!("{count} emails to {address}"),
        patience,
        || async {
            let found = emails_to(address).await;
            (found.len() >= count).then_some(())
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let found = emails_to(address).await;
    let subjects: Vec<&str> = found.iter().filter_map(|m| m["Subject"].as_str()).collect();
    assert_eq!(found.len(), count, "emails to {address}: {subjects:?}");
    found
}

/// The text messages WireMock took as Twilio for `phone`: each request's form (To, From, Body).
pub async fn texts_to(phone: &str) -> Vec<Vec<(String, String)>> {
    let journal: Value = http()
        .post(format!("{}/__admin/requests/find", wiremock()))
        .json(&json!({
            "method": "POST",
            "urlPathPattern": "/2010-04-01/Accounts/AC[0-9a-f]{32}/Messages.json",
            "bodyPatterns": [{ "contains": form_urlencoded::byte_serialize(phone.as_bytes()).collect::<String>() }],
        }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("WireMock is unreachable: {e}"))
        .json()
        .await
        .expect("WireMock answers JSON");
    journal["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|request| {
            form_urlencoded::parse(request["body"].as_str().unwrap_or_default().as_bytes())
                .into_owned()
                .collect()
        })
        .collect()
}

/// The body of each text message to `phone`.
pub fn bodies(texts: &[Vec<(String, String)>]) -> Vec<String> {
    texts
        .iter()
        .filter_map(|form| {
            form.iter()
                .find(|(key, _)| key == "Body")
                .map(|(_, v)| v.clone())
        })
        .collect()
}

/// `GET /api/notifications/history`, as the customer.
pub async fn my_history(token: &str) -> Value {
    let response = http()
        .get(format!("{GATEWAY}/api/notifications/history?limit=100"))
        .bearer_auth(token)
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// `GET /api/admin/notifications?…`, as the administrator.
pub async fn admin_notifications(admin: &str, query: &str) -> Value {
    let response = http()
        .get(format!("{GATEWAY}/api/admin/notifications?{query}"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// Mailpit's chaos: every recipient refused with 451 (a temporary SMTP failure), or none.
pub async fn set_mailpit_chaos(failing: bool) {
    let rate = if failing { 100 } else { 0 };
    let response = http()
        .put(format!("{}/api/v1/chaos", mailpit()))
        .json(&json!({ "Recipient": { "ErrorCode": 451, "Probability": rate } }))
        .send()
        .await
        .expect("Mailpit answers");
    assert!(
        response.status().is_success(),
        "Mailpit chaos: {}",
        response.status()
    );
}

/// The Mailpit server `./shop up` started.
pub fn mailpit_process() -> Launch {
    process::find("Mailpit", |argv| {
        argv[0].ends_with("/mailpit") && argv.iter().any(|a| a == "--smtp")
    })
}

/// Starts a killed Mailpit again and records its pid where `./shop` looks for it.
pub async fn restart_mailpit(launch: &Launch) {
    let pid = process::relaunch(launch, "mailpit-relaunched");
    let run = required_env("SHOP_RUN");
    std::fs::write(
        PathBuf::from(run).join("mailpit/mailpit.pid"),
        pid.to_string(),
    )
    .expect("the Mailpit pid file is writable");
    process::wait_until_healthy(&format!("{}/readyz", mailpit()), Duration::from_secs(60)).await;
}

/// The notifications service's own process.
pub fn notifications_app() -> Launch {
    process::find("notifications app", |argv| {
        argv.len() == 1 && argv[0].ends_with(".run/bin/notifications")
    })
}

/// The notifications service's Dapr sidecar (the real daprd its launcher execs, with the
/// launcher's HTTPS_PROXY and SSL_CERT_FILE in its environment, which a relaunch keeps).
pub fn notifications_sidecar() -> Launch {
    process::find("notifications daprd", |argv| {
        argv[0].ends_with("daprd")
            && argv
                .windows(2)
                .any(|w| w[0] == "--app-id" && w[1] == "notifications")
    })
}

fn notifications_readyz() -> String {
    format!(
        "http://127.0.0.1:{}/readyz",
        crate::app_port("notifications")
    )
}

/// kill -9 the notifications service, start it again, and wait until it is ready.
pub async fn crash_and_restart_notifications_app() {
    let launch = notifications_app();
    process::kill_9(&launch);
    tokio::time::sleep(Duration::from_millis(500)).await;
    process::relaunch(&launch, "notifications-app-relaunched");
    process::wait_until_healthy(&notifications_readyz(), Duration::from_secs(90)).await;
}

/// kill -9 the notifications sidecar, start it again, and wait until both are ready.
pub async fn crash_and_restart_notifications_sidecar() {
    let launch = notifications_sidecar();
    process::kill_9(&launch);
    tokio::time::sleep(Duration::from_millis(500)).await;
    process::relaunch(&launch, "notifications-daprd-relaunched");
    process::wait_until_healthy(
        &format!("{}/v1.0/healthz", crate::sidecar("notifications")),
        Duration::from_secs(120),
    )
    .await;
    process::wait_until_healthy(&notifications_readyz(), Duration::from_secs(60)).await;
}

/// Registers `count` customers one after the other, running `crash` after the first third:
/// their welcome emails are in every stage (event on Kafka, job on RabbitMQ, being sent) when
/// it strikes. Then each must have exactly one welcome email. The patience covers a job lost
/// with a broker: the sweeper resends a message quiet for 90 s (dapr/dapr.yaml), looking every
/// 15 s.
pub async fn burst_of_welcomes_survives<F, Fut>(count: usize, crash: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut customers = Vec::new();
    let mut crash = Some(crash);
    for i in 0..count {
        customers.push(crate::register_user().await);
        if i == count / 3
            && let Some(crash) = crash.take()
        {
            crash().await;
        }
    }
    for customer in &customers {
        let emails = exactly_emails_within(&customer.email, 1, Duration::from_secs(180)).await;
        let subject = emails[0]["Subject"].as_str().unwrap_or_default();
        assert!(subject.starts_with("Welcome to Shop"), "{subject}");
    }
}

/// The RabbitMQ node `./shop up` started (its Erlang VM).
pub fn rabbitmq_node() -> Launch {
    process::find("RabbitMQ node", |argv| {
        argv[0].ends_with("beam.smp") && argv.iter().any(|a| a == "rabbit")
    })
}

/// Starts a killed RabbitMQ node again, as it was launched (the VM with the same arguments and
/// environment), and waits until its management API answers.
pub async fn restart_rabbitmq(launch: &Launch) {
    process::relaunch(launch, "rabbitmq-relaunched");
    let url = format!("{}/api/overview", required_env("RABBITMQ_MGMT_URL"));
    let password = crate::secret("rabbitmq-password");
    eventually(
        "RabbitMQ to answer again",
        Duration::from_secs(120),
        || async {
            let response = http()
                .get(&url)
                .basic_auth("shop", Some(&password))
                .send()
                .await
                .ok()?;
            response.status().is_success().then_some(())
        },
    )
    .await;
}
