//! The notifications sidecar's two output bindings reach the real servers that stand for the
//! providers here: `email` (bindings.smtp) delivers into Mailpit with the shop's SMTP login, and
//! `sms` (bindings.twilio.sms), whose URL is fixed to api.twilio.com, reaches WireMock through that
//! sidecar's own HTTPS proxy and CA, with the shop's Twilio credentials. Mailpit's chaos option
//! makes a send fail, and the binding says so. (The notifications service itself sends through
//! them with issue 11; this checks the channels it will use.)
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use e2e::{http, required_env, sidecar};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn mailpit() -> String {
    required_env("MAILPIT_URL")
}

fn wiremock() -> String {
    required_env("WIREMOCK_URL")
}

/// `create` on one of the notifications sidecar's output bindings.
async fn invoke(binding: &str, data: &str, metadata: Value) -> (StatusCode, String) {
    let response = http()
        .post(format!(
            "{}/v1.0/bindings/{binding}",
            sidecar("notifications")
        ))
        .json(&json!({ "operation": "create", "data": data, "metadata": metadata }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("the notifications sidecar is unreachable: {e}"));
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

async fn mailpit_search(query: &str) -> Value {
    http()
        .get(format!("{}/api/v1/search", mailpit()))
        .query(&[("query", query)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("Mailpit is unreachable: {e}"))
        .json()
        .await
        .unwrap()
}

async fn set_chaos(failing: bool) {
    let rate = if failing { 100 } else { 0 };
    let response = http()
        .put(format!("{}/api/v1/chaos", mailpit()))
        .json(&json!({ "Recipient": { "ErrorCode": 451, "Probability": rate } }))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "Mailpit chaos: {}",
        response.status()
    );
}

#[tokio::test]
async fn an_email_through_the_binding_lands_in_mailpit_once_and_a_failing_server_is_reported() {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let to = format!("channel-{tag}@shop.test");
    let (status, body) = invoke(
        "email",
        &format!("<p>Your order <b>{tag}</b> is on its way.</p>"),
        json!({ "emailTo": to, "subject": format!("Shipped {tag}") }),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let found = mailpit_search(&format!("to:\"{to}\"")).await;
    assert_eq!(found["messages_count"], 1, "{found:#}");
    let message = &found["messages"][0];
    assert_eq!(message["Subject"], format!("Shipped {tag}"));
    assert_eq!(message["From"]["Address"], "shop@shop.local");
    let id = message["ID"].as_str().unwrap();
    let full: Value = http()
        .get(format!("{}/api/v1/message/{id}", mailpit()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        full["HTML"]
            .as_str()
            .unwrap()
            .contains(&format!("<b>{tag}</b>")),
        "{full:#}"
    );

    // With every recipient refused, the send fails, the binding says so, nothing is stored.
    set_chaos(true).await;
    let refused_to = format!("refused-{tag}@shop.test");
    let (status, body) = invoke(
        "email",
        "<p>never delivered</p>",
        json!({ "emailTo": refused_to, "subject": "refused" }),
    )
    .await;
    set_chaos(false).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(
        body.contains("451"),
        "the SMTP error reaches the caller: {body}"
    );
    let none = mailpit_search(&format!("to:\"{refused_to}\"")).await;
    assert_eq!(none["messages_count"], 0, "{none:#}");
}

#[tokio::test]
async fn an_sms_through_the_binding_reaches_twilio_as_wiremock_through_the_sidecars_proxy() {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let number = format!(
        "+1555{:07}",
        u64::from_str_radix(&tag[..8], 16).unwrap() % 10_000_000
    );
    let text = format!("Your order {tag} shipped");
    let (status, body) = invoke("sms", &text, json!({ "toNumber": number })).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let journal: Value = http()
        .post(format!("{}/__admin/requests/find", wiremock()))
        .json(&json!({
            "method": "POST",
            "urlPathPattern": "/2010-04-01/Accounts/AC[0-9a-f]{32}/Messages.json",
            "bodyPatterns": [{ "contains": tag }],
        }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("WireMock is unreachable: {e}"))
        .json()
        .await
        .unwrap();
    let requests = journal["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "one request to Twilio: {journal:#}");
    let request = &requests[0];
    assert!(
        request["absoluteUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://api.twilio.com/2010-04-01/Accounts/AC"),
        "it went to Twilio's URL, over TLS, through the proxy: {request:#}"
    );
    let form: Vec<(String, String)> =
        form_urlencoded::parse(request["body"].as_str().unwrap().as_bytes())
            .into_owned()
            .collect();
    assert!(form.contains(&("To".into(), number.clone())), "{form:?}");
    assert!(form.contains(&("Body".into(), text.clone())), "{form:?}");
    assert!(
        form.contains(&("From".into(), "+15005550006".into())),
        "{form:?}"
    );
    assert!(
        request["headers"]["Authorization"]
            .as_str()
            .is_some_and(|value| value.starts_with("Basic ")),
        "the shop's Twilio credentials: {request:#}"
    );

    // Twilio's refusal of a number reaches the caller.
    let (status, body) = invoke("sms", "nope", json!({ "toNumber": "+15005550001" })).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("400"), "{body}");
}
