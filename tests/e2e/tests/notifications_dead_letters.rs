//! A message the mail server keeps refusing (Mailpit's chaos option: every recipient refused
//! with 451, a temporary failure) is tried again with backoff until its attempts are used up
//! (components/resiliency.yaml, `jobRetry`: 13), then it is a dead letter with the server's
//! last answer. An administrator replays it once the server accepts mail again, and it arrives
//! once. A text message Twilio refuses for good (a 400) skips the retries. Its own test binary:
//! the chaos option holds for every email the shop sends while it is on.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::time::Duration;

use e2e::notifications::*;
use e2e::orders::customer;
use e2e::payments::*;
use e2e::*;
use reqwest::StatusCode;
use serde_json::Value;

/// The policy's 13 attempts take about two minutes; leave room for the jitter and the queue.
const ATTEMPTS_PATIENCE: Duration = Duration::from_secs(240);
const ATTEMPTS: i64 = 13;

/// Turns chaos off again however the test ends.
struct ChaosOff;

impl Drop for ChaosOff {
    fn drop(&mut self) {
        let url = format!("{}/api/v1/chaos", mailpit());
        let _ = std::thread::spawn(move || {
            let body = r#"{"Recipient":{"ErrorCode":451,"Probability":0}}"#;
            let _ = std::process::Command::new("curl")
                .args([
                    "-fsS",
                    "-X",
                    "PUT",
                    "-H",
                    "content-type: application/json",
                    "-d",
                    body,
                    &url,
                ])
                .status();
        })
        .join();
    }
}

async fn dead_letter_to(admin: &str, recipient: &str) -> Value {
    eventually(
        &format!("the message to {recipient} to be a dead letter"),
        ATTEMPTS_PATIENCE,
        || async {
            let page = admin_notifications(
                admin,
                &format!("status=dead&recipient={}", urlencode(recipient)),
            )
            .await;
            page["items"]
                .as_array()
                .and_then(|items| items.first().cloned())
        },
    )
    .await
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn a_refused_email_is_retried_then_dead_lettered_and_a_replay_delivers_it_once() {
    require_rabbitmq();
    let admin = admin_access_token().await;
    set_mailpit_chaos(true).await;
    let _restore = ChaosOff;

    // The welcome email of a customer who registers now cannot be delivered.
    let shopper = customer().await;
    let dead = dead_letter_to(&admin, &shopper.user.email).await;
    assert_eq!(dead["kind"], "welcome");
    assert_eq!(
        dead["attempts"], ATTEMPTS,
        "every attempt of the policy: {dead:#}"
    );
    assert!(
        dead["lastError"].as_str().unwrap().contains("451"),
        "the server's last answer: {dead:#}"
    );
    assert!(emails_to(&shopper.user.email).await.is_empty());

    // Listed among the dead letters.
    let id = dead["notificationId"].as_str().unwrap().to_owned();
    let listed = http()
        .get(format!(
            "{GATEWAY}/api/admin/notifications/dead-letters?limit=100"
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let listed: Value = listed.json().await.unwrap();
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["notificationId"] == id.as_str()),
        "{listed:#}"
    );

    // The server takes mail again; the administrator replays it (twice: the second is refused,
    // it is no longer dead).
    set_mailpit_chaos(false).await;
    let replay = |admin: String, id: String| async move {
        http()
            .post(format!(
                "{GATEWAY}/api/admin/notifications/dead-letters/{id}/replay"
            ))
            .bearer_auth(admin)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(
        replay(admin.clone(), id.clone()).await.status(),
        StatusCode::ACCEPTED
    );
    problem(
        replay(admin.clone(), id.clone()).await,
        StatusCode::CONFLICT,
    )
    .await;
    let delivered = exactly_emails(&shopper.user.email, 1).await;
    assert!(
        delivered[0]["Subject"]
            .as_str()
            .unwrap()
            .starts_with("Welcome to Shop")
    );
    let after = admin_notifications(
        &admin,
        &format!("recipient={}", urlencode(&shopper.user.email)),
    )
    .await;
    assert_eq!(after["items"][0]["status"], "sent");
    assert_eq!(after["items"][0]["replays"], 1);
}

#[tokio::test]
async fn a_text_twilio_refuses_for_good_is_a_dead_letter_at_once() {
    require_kafka();
    require_rabbitmq();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let shopper = customer().await;
    // WireMock answers Twilio's 400 for this number (an invalid "To").
    set_phone(&shopper.token, "+15005550001").await;
    choose(&shopper.token, "en", true, true).await;
    let order_id = order_id_of(&place_with(&shopper.token, &[(&sku, 1)], VISA).await);
    wait_for_order(&shopper.token, &order_id, "confirmed", |v| {
        v["status"] == "confirmed"
    })
    .await;

    let dead = eventually(
        "the refused text to be a dead letter",
        DELIVERY_PATIENCE,
        || async {
            let page = admin_notifications(
                &admin,
                "status=dead&recipient=%2B15005550001&kind=order-confirmed",
            )
            .await;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["userId"] == shopper.user.user_id.as_str())
                .cloned()
        },
    )
    .await;
    assert_eq!(dead["channel"], "sms");
    assert_eq!(dead["attempts"], 1, "no retries for a refusal: {dead:#}");
    assert!(
        dead["lastError"].as_str().unwrap().contains("400"),
        "{dead:#}"
    );
}
