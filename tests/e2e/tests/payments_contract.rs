//! The contract test of payments' Stripe dialect: every request the service sends in
//! production, built by the service's own code (`payments::provider::stripe::requests`) and sent
//! the way the service sends it (`StripeGateway::send`: the payments sidecar's gRPC
//! InvokeBinding, the `bindings.http` component, a form body and its headers), is accepted by
//! stripe-mock, Stripe's own server that validates each request against Stripe's OpenAPI spec
//! (binding `stripe-contract`). The same requests go to localstripe too (binding `stripe`), the
//! provider the running system uses, so the two dialects are known to agree.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use contracts::payment::PaymentMethodId;
use e2e::payments::*;
use payments::provider::AuthorizationRequest;
use payments::provider::stripe::{StripeGateway, StripeRequest, StripeResponse, requests};
use serde_json::Value;
use uuid::Uuid;

/// Sends `request` through `gateway` and asserts a 2xx answer whose `object` is `object`;
/// says which request, what was sent and what came back otherwise.
async fn accepted(
    gateway: &StripeGateway,
    provider: &str,
    name: &str,
    request: &StripeRequest,
    object: &str,
) -> Value {
    let StripeResponse { status, body } = gateway.send(request).await.unwrap_or_else(|error| {
        panic!("{name}: no answer from {provider} through the payments sidecar: {error}")
    });
    let sent = format!(
        "{:?} {} form {:?} idempotency key {:?}",
        request.method, request.path, request.form, request.idempotency_key
    );
    assert!(
        (200..300).contains(&status),
        "{provider} refused {name} with {status}\n  sent: {sent}\n  answer: {body:#}"
    );
    assert_eq!(
        body["object"], object,
        "{provider} answered {name} with something else than a {object}\n  sent: {sent}\n  answer: {body:#}"
    );
    body
}

fn authorization(order_id: Uuid) -> AuthorizationRequest {
    AuthorizationRequest {
        order_id,
        amount_minor: 4_900,
        currency: "EUR".into(),
        payment_method: PaymentMethodId::parse(VISA).unwrap(),
        idempotency_key: format!("payment:{order_id}:authorize"),
    }
}

#[tokio::test]
async fn every_request_the_service_sends_is_valid_for_stripe() {
    require_stripe_mock();
    let gateway = StripeGateway::new(payments_sidecar_client().await, "stripe-contract");
    let mock = "stripe-mock";
    let order_id = Uuid::new_v4();

    let request = requests::create_payment_intent(&authorization(order_id));
    assert!(
        request.idempotency_key.is_some(),
        "an authorization carries an Idempotency-Key"
    );
    let created = accepted(
        &gateway,
        mock,
        "create_payment_intent",
        &request,
        "payment_intent",
    )
    .await;
    // stripe-mock keeps no state and answers fixtures: any well-formed id serves from here on.
    let intent = created["id"]
        .as_str()
        .filter(|id| id.starts_with("pi_"))
        .unwrap_or("pi_contract")
        .to_owned();

    let key = |operation: &str| format!("payment:{order_id}:{operation}");
    accepted(
        &gateway,
        mock,
        "capture_payment_intent",
        &requests::capture_payment_intent(&intent, &key("capture")),
        "payment_intent",
    )
    .await;
    accepted(
        &gateway,
        mock,
        "cancel_payment_intent",
        &requests::cancel_payment_intent(&intent, &key("void")),
        "payment_intent",
    )
    .await;
    let refund_key = key("refund:key:contract");
    let refunded = accepted(
        &gateway,
        mock,
        "create_refund",
        &requests::create_refund(order_id, &intent, 1_500, &refund_key),
        "refund",
    )
    .await;
    accepted(
        &gateway,
        mock,
        "retrieve_payment_intent",
        &requests::retrieve_payment_intent(&intent),
        "payment_intent",
    )
    .await;
    accepted(
        &gateway,
        mock,
        "list_payment_intents (first page)",
        &requests::list_payment_intents(None),
        "list",
    )
    .await;
    accepted(
        &gateway,
        mock,
        "list_payment_intents (starting_after)",
        &requests::list_payment_intents(Some(&intent)),
        "list",
    )
    .await;
    accepted(
        &gateway,
        mock,
        "list_refunds (first page)",
        &requests::list_refunds(&intent, None),
        "list",
    )
    .await;
    let refund_id = refunded["id"]
        .as_str()
        .filter(|id| id.starts_with("re_"))
        .unwrap_or("re_contract")
        .to_owned();
    accepted(
        &gateway,
        mock,
        "list_refunds (starting_after)",
        &requests::list_refunds(&intent, Some(&refund_id)),
        "list",
    )
    .await;
    accepted(
        &gateway,
        mock,
        "retrieve_payment_method",
        &requests::retrieve_payment_method(&PaymentMethodId::parse(VISA).unwrap()),
        "payment_method",
    )
    .await;
}

#[tokio::test]
async fn localstripe_accepts_the_same_requests() {
    require_localstripe();
    let gateway = StripeGateway::new(payments_sidecar_client().await, payments::PROVIDER_BINDING);
    let local = "localstripe";
    // Not an order of the shop: no order's PaymentIntents are counted wrong by this one.
    let order_id = Uuid::new_v4();
    let key = |operation: &str| format!("payment:{order_id}:{operation}");

    // The same authorization stripe-mock accepted: held, not taken, the order in its metadata.
    let created = accepted(
        &gateway,
        local,
        "create_payment_intent",
        &requests::create_payment_intent(&authorization(order_id)),
        "payment_intent",
    )
    .await;
    assert_eq!(created["status"], "requires_capture", "{created:#}");
    assert_eq!(created["amount"], 4_900);
    assert_eq!(created["metadata"]["order_id"], order_id.to_string());
    let intent = created["id"].as_str().unwrap().to_owned();

    let read = accepted(
        &gateway,
        local,
        "retrieve_payment_intent",
        &requests::retrieve_payment_intent(&intent),
        "payment_intent",
    )
    .await;
    assert_eq!(read["id"], intent.as_str());
    accepted(
        &gateway,
        local,
        "list_payment_intents (first page)",
        &requests::list_payment_intents(None),
        "list",
    )
    .await;
    accepted(
        &gateway,
        local,
        "list_payment_intents (starting_after)",
        &requests::list_payment_intents(Some(&intent)),
        "list",
    )
    .await;
    accepted(
        &gateway,
        local,
        "retrieve_payment_method",
        &requests::retrieve_payment_method(&PaymentMethodId::parse(VISA).unwrap()),
        "payment_method",
    )
    .await;

    // Captured, then partly refunded.
    let captured = accepted(
        &gateway,
        local,
        "capture_payment_intent",
        &requests::capture_payment_intent(&intent, &key("capture")),
        "payment_intent",
    )
    .await;
    assert_eq!(captured["status"], "succeeded", "{captured:#}");
    let refund_key = key("refund:key:contract");
    let refunded = accepted(
        &gateway,
        local,
        "create_refund",
        &requests::create_refund(order_id, &intent, 1_500, &refund_key),
        "refund",
    )
    .await;
    assert_eq!(refunded["amount"], 1_500);
    assert_eq!(refunded["metadata"]["refund_key"], refund_key.as_str());
    let listed = accepted(
        &gateway,
        local,
        "list_refunds (first page)",
        &requests::list_refunds(&intent, None),
        "list",
    )
    .await;
    assert_eq!(
        listed["data"].as_array().map(Vec::len),
        Some(1),
        "{listed:#}"
    );

    // Another authorization, released.
    let other = Uuid::new_v4();
    let held = accepted(
        &gateway,
        local,
        "create_payment_intent",
        &requests::create_payment_intent(&authorization(other)),
        "payment_intent",
    )
    .await;
    let held = held["id"].as_str().unwrap().to_owned();
    let released = accepted(
        &gateway,
        local,
        "cancel_payment_intent",
        &requests::cancel_payment_intent(&held, &format!("payment:{other}:void")),
        "payment_intent",
    )
    .await;
    assert_eq!(released["status"], "canceled", "{released:#}");
}
