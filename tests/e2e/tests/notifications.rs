//! Notifications end to end: a customer registers, chooses German and text messages, places
//! and pays an order that an administrator ships; Mailpit holds exactly the expected emails,
//! once each, in German, with the lines, the total and the tracking number; WireMock (as
//! Twilio) holds exactly the expected text messages, and none for a customer who did not opt
//! in. Nothing is published by the test but a copy of an event that was really published,
//! delivered again, which changes nothing. Bad preferences are refused with problem details.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use e2e::notifications::*;
use e2e::orders::{customer, published_about};
use e2e::payments::*;
use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The order number customers read: the first eight hex digits of the id, upper case.
fn order_number(order_id: &str) -> String {
    order_id.replace('-', "")[..8].to_ascii_uppercase()
}

fn subjects(emails: &[Value]) -> Vec<String> {
    emails
        .iter()
        .map(|m| m["Subject"].as_str().unwrap().to_owned())
        .collect()
}

async fn placed_paid_and_shipped(admin: &str, token: &str, sku: &str) -> String {
    let order_id = order_id_of(&place_with(token, &[(sku, 2)], VISA).await);
    wait_for_order(token, &order_id, "confirmed", |v| {
        v["status"] == "confirmed"
    })
    .await;
    let shipped = ship(admin, &order_id).await;
    assert!(
        shipped.status().is_success(),
        "shipping failed: {}",
        shipped.status()
    );
    wait_for_order(token, &order_id, "shipped", |v| v["status"] == "shipped").await;
    order_id
}

#[tokio::test]
async fn each_message_arrives_once_in_the_customers_language_and_texts_only_when_chosen() {
    require_kafka();
    require_rabbitmq();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 10).await;

    // Ada: German, texts for orders and shipping, a phone number.
    let ada = customer().await;
    let ada_phone = fresh_phone();
    set_phone(&ada.token, &ada_phone).await;
    choose(&ada.token, "de", true, true).await;
    // Grace: a phone number too, but no texts chosen.
    let grace = customer().await;
    let grace_phone = fresh_phone();
    set_phone(&grace.token, &grace_phone).await;

    let ada_order = placed_paid_and_shipped(&admin, &ada.token, &sku).await;
    let grace_order = placed_paid_and_shipped(&admin, &grace.token, &sku).await;

    // Welcome, received, confirmed, shipped: four emails each, once.
    let number = order_number(&ada_order);
    let emails = exactly_emails(&ada.user.email, 4).await;
    let got = subjects(&emails);
    // The welcome may be read before Ada chose German: either language.
    assert!(
        got.iter()
            .any(|s| s.starts_with("Welcome to Shop") || s.starts_with("Willkommen bei Shop")),
        "{got:?}"
    );
    for expected in [
        format!("Wir haben Ihre Bestellung {number} erhalten"),
        format!("Ihre Bestellung {number} ist bestätigt"),
        format!("Ihre Bestellung {number} ist unterwegs"),
    ] {
        assert_eq!(
            got.iter().filter(|s| **s == expected).count(),
            1,
            "{expected}: {got:?}"
        );
    }
    for message in &emails {
        assert_eq!(message["To"][0]["Address"], ada.user.email.as_str());
        assert_eq!(message["From"]["Address"], "shop@shop.local");
    }
    let confirmed = emails
        .iter()
        .find(|m| m["Subject"].as_str().unwrap().ends_with("ist bestätigt"))
        .unwrap();
    let html = email(confirmed["ID"].as_str().unwrap()).await["HTML"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(html.contains(&sku), "the lines: {html}");
    assert!(html.contains("98,00 €"), "the total, in German: {html}");
    let shipped = emails
        .iter()
        .find(|m| m["Subject"].as_str().unwrap().ends_with("ist unterwegs"))
        .unwrap();
    let html = email(shipped["ID"].as_str().unwrap()).await["HTML"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        html.contains("JJD000390007") && html.contains("DHL"),
        "{html}"
    );

    // Ada's two texts, confirmed and shipped, through Twilio's API (WireMock).
    let texts = eventually("Ada's two texts", DELIVERY_PATIENCE, || async {
        let texts = texts_to(&ada_phone).await;
        (texts.len() >= 2).then_some(texts)
    })
    .await;
    let bodies = bodies(&texts);
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(
        bodies
            .iter()
            .any(|b| b.contains(&number) && b.contains("bestätigt")),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.contains("JJD000390007")),
        "{bodies:?}"
    );
    assert!(
        texts
            .iter()
            .all(|form| form.contains(&("To".into(), ada_phone.clone())))
    );

    // Grace: her four emails in English, and not one text.
    let grace_number = order_number(&grace_order);
    let got = subjects(&exactly_emails(&grace.user.email, 4).await);
    assert!(
        got.contains(&format!("Your order {grace_number} is on its way")),
        "{got:?}"
    );
    assert!(
        texts_to(&grace_phone).await.is_empty(),
        "Grace chose no texts"
    );

    // Her history says the same: six messages to her, all sent.
    let history = my_history(&ada.token).await;
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 6, "{history:#}");
    assert!(items.iter().all(|m| m["status"] == "sent"), "{history:#}");

    // The shipped event, delivered again exactly as orders published it: no second message.
    let shipped_event = published_about("order-events", &ada_order)
        .await
        .into_iter()
        .find(|e| e["type"] == "shop.order.shipped.v1")
        .expect("orders published the shipment");
    publish_keyed("orders", "order-events", &shipped_event, &ada_order).await;
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    exactly_emails(&ada.user.email, 4).await;
    assert_eq!(texts_to(&ada_phone).await.len(), 2);
}

#[tokio::test]
async fn a_cancelled_paid_order_is_explained_and_its_refund_confirmed_by_email_and_text() {
    require_kafka();
    require_rabbitmq();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let shopper = customer().await;
    let phone = fresh_phone();
    set_phone(&shopper.token, &phone).await;
    choose(&shopper.token, "en", true, false).await;

    let order_id = order_id_of(&place_with(&shopper.token, &[(&sku, 1)], VISA).await);
    wait_for_payment_status(&admin, &order_id, "captured").await;
    let response = cancel(&shopper.token, &order_id).await;
    assert_eq!(response.status(), StatusCode::OK);
    wait_for_payment_status(&admin, &order_id, "refunded").await;

    // Welcome, received, confirmed, cancelled, refund issued.
    let number = order_number(&order_id);
    let emails = exactly_emails(&shopper.user.email, 5).await;
    let got = subjects(&emails);
    assert!(
        got.contains(&format!("Your order {number} was cancelled")),
        "{got:?}"
    );
    assert!(
        got.contains(&format!("We refunded €49.00 for order {number}")),
        "{got:?}"
    );
    let cancelled = emails
        .iter()
        .find(|m| m["Subject"].as_str().unwrap().ends_with("was cancelled"))
        .unwrap();
    let html = email(cancelled["ID"].as_str().unwrap()).await["HTML"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        html.contains("you asked us to cancel it"),
        "the reason in words: {html}"
    );

    // Texts for orders were chosen: confirmed, cancelled, refunded.
    let texts = eventually("three texts", DELIVERY_PATIENCE, || async {
        let texts = texts_to(&phone).await;
        (texts.len() >= 3).then_some(texts)
    })
    .await;
    let bodies = bodies(&texts);
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("was cancelled because you asked us to cancel it")),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.contains("we refunded €49.00")),
        "{bodies:?}"
    );
}

#[tokio::test]
async fn bad_preferences_are_refused_with_problem_details_and_change_nothing() {
    let shopper = customer().await;
    let put = |body: Value| {
        let token = shopper.token.clone();
        async move {
            http()
                .put(format!("{GATEWAY}/api/notifications/preferences"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let off = json!({
        "language": "de",
        "channels": {
            "account": { "email": true, "sms": false },
            "orders": { "email": false, "sms": false },
            "shipping": { "email": true, "sms": false },
        },
    });
    let answer = problem(put(off).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        answer["errors"][0]["field"], "channels.orders.email",
        "{answer}"
    );

    let unknown_language = json!({
        "language": "xx",
        "channels": {
            "account": { "sms": false }, "orders": { "sms": false }, "shipping": { "sms": false },
        },
    });
    problem(
        put(unknown_language).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(
        put(json!({ "language": "de" })).await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    let response = http()
        .get(format!("{GATEWAY}/api/notifications/preferences"))
        .bearer_auth(&shopper.token)
        .send()
        .await
        .unwrap();
    let stored: Value = response.json().await.unwrap();
    assert_eq!(stored["language"], "en", "nothing was stored: {stored}");

    let anonymous = http()
        .get(format!("{GATEWAY}/api/notifications/preferences"))
        .send()
        .await
        .unwrap();
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let not_admin = http()
        .get(format!("{GATEWAY}/api/admin/notifications/dead-letters"))
        .bearer_auth(&shopper.token)
        .send()
        .await
        .unwrap();
    problem(not_admin, StatusCode::FORBIDDEN).await;
}
