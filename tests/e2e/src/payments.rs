//! Helpers for the payments tests: orders placed with a payment method, the payments API
//! (customers' and administrators'), the provider as it really is (localstripe's own API, with
//! the key `./shop up` generated), webhooks signed as the provider signs them, the
//! `payment-events` topic read on the broker, and crashing the payments service, its sidecar or
//! localstripe (kill -9, then started again from what `/proc` said, as `process` does).
//!
//! localstripe is asked directly, not through the shop: what it holds is what the customer was
//! really charged, whatever the payments service believes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::orders::{Customer, PATIENCE, customer, get_order, place_order_paying_with};
use crate::process::{self, Launch};
use crate::{GATEWAY, eventually, http, required_env, secret};

/// Stripe's test card that is always authorized.
pub const VISA: &str = "pm_card_visa";
/// Stripe's test card whose charges are declined (`card_declined`); the provider knows it, so
/// the order is accepted and its payment fails.
pub const DECLINED: &str = "pm_card_chargeCustomerFail";

/// Waiting for a payment to settle can take the processor's backoff (up to 20 s between two
/// attempts) on top of the saga's own hops.
pub const PAYMENT_PATIENCE: Duration = Duration::from_secs(180);

// ---------------------------------------------------------------------------------------------
// Orders, paid

/// Places an order of `lines` paid with `payment_method`, asserts 201 and returns its view.
pub async fn place_with(token: &str, lines: &[(&str, u32)], payment_method: &str) -> Value {
    let response = place_order_paying_with(token, lines, None, payment_method).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(
        status,
        StatusCode::CREATED,
        "placing an order paid with {payment_method} failed: {body}"
    );
    body
}

/// The `orderId` of an order's view.
pub fn order_id_of(view: &Value) -> String {
    view["orderId"]
        .as_str()
        .unwrap_or_else(|| panic!("no orderId in {view}"))
        .to_owned()
}

/// `POST /api/admin/orders/{id}/ship`.
pub async fn ship(admin: &str, order_id: &str) -> reqwest::Response {
    http()
        .post(format!("{GATEWAY}/api/admin/orders/{order_id}/ship"))
        .bearer_auth(admin)
        .json(&json!({ "carrier": "DHL", "trackingNumber": "JJD000390007" }))
        .send()
        .await
        .expect("gateway answers")
}

/// `POST /api/orders/{id}/cancel`, as the customer.
pub async fn cancel(token: &str, order_id: &str) -> reqwest::Response {
    http()
        .post(format!("{GATEWAY}/api/orders/{order_id}/cancel"))
        .bearer_auth(token)
        .send()
        .await
        .expect("gateway answers")
}

/// Waits until the order's view (through its actor) satisfies `done`, and returns it.
pub async fn wait_for_order(
    token: &str,
    order_id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    eventually(
        &format!("order {order_id}: {what}"),
        PAYMENT_PATIENCE,
        || async {
            let (code, view) = get_order(token, order_id).await;
            (code == StatusCode::OK && done(&view)).then_some(view)
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// The payments API

async fn get_json(url: String, token: &str) -> (StatusCode, Value) {
    let response = http()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("the gateway is unreachable at {url}: {e}"));
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `GET /api/payments/orders/{order_id}`: the customer's own payment.
pub async fn my_payment(token: &str, order_id: &str) -> (StatusCode, Value) {
    get_json(format!("{GATEWAY}/api/payments/orders/{order_id}"), token).await
}

/// `GET /api/admin/payments/{order_id}`: any payment, with its ledger.
pub async fn admin_payment(admin: &str, order_id: &str) -> (StatusCode, Value) {
    get_json(format!("{GATEWAY}/api/admin/payments/{order_id}"), admin).await
}

/// `GET /api/admin/payments?{query}`.
pub async fn admin_payments(admin: &str, query: &str) -> (StatusCode, Value) {
    get_json(format!("{GATEWAY}/api/admin/payments?{query}"), admin).await
}

/// `POST /api/admin/payments/{order_id}/refunds` with `body`, and `Idempotency-Key` if given.
pub async fn refund(
    admin: &str,
    order_id: &str,
    body: &Value,
    idempotency_key: Option<&str>,
) -> reqwest::Response {
    let mut request = http()
        .post(format!("{GATEWAY}/api/admin/payments/{order_id}/refunds"))
        .bearer_auth(admin)
        .json(body);
    if let Some(key) = idempotency_key {
        request = request.header("idempotency-key", key);
    }
    request.send().await.expect("gateway answers")
}

/// Waits until the payment (the administrators' view, with its ledger) satisfies `done`.
pub async fn wait_for_payment(
    admin: &str,
    order_id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    eventually(
        &format!("the payment of order {order_id}: {what}"),
        PAYMENT_PATIENCE,
        || async {
            let (code, view) = admin_payment(admin, order_id).await;
            (code == StatusCode::OK && done(&view)).then_some(view)
        },
    )
    .await
}

/// Waits until the payment has `status`.
pub async fn wait_for_payment_status(admin: &str, order_id: &str, status: &str) -> Value {
    wait_for_payment(admin, order_id, &format!("to be {status}"), |view| {
        view["status"] == status
    })
    .await
}

/// The ledger as (operation, amountMinor) pairs, in the order recorded.
pub fn ledger_operations(payment: &Value) -> Vec<(String, i64)> {
    payment["ledger"]
        .as_array()
        .unwrap_or_else(|| panic!("no ledger in the administrators' view: {payment}"))
        .iter()
        .map(|entry| {
            (
                entry["operation"].as_str().unwrap_or_default().to_owned(),
                entry["amountMinor"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

/// How many ledger entries record `operation`.
pub fn ledger_count(payment: &Value, operation: &str) -> usize {
    ledger_operations(payment)
        .iter()
        .filter(|(op, _)| op == operation)
        .count()
}

/// What a payment looks like once the processor is done with it, without the fields that only
/// say when it was last looked at (`updatedAt`, `processing`): what a redelivery must not change.
pub fn settled_part(payment: &Value) -> Value {
    let mut part = payment.clone();
    if let Some(object) = part.as_object_mut() {
        object.remove("updatedAt");
        object.remove("processing");
    }
    part
}

/// Whether the processor has nothing left to do with the payment (no attempt due).
pub fn processor_idle(payment: &Value) -> bool {
    payment["processing"].is_null() || payment["processing"]["nextAttemptAt"].is_null()
}

// ---------------------------------------------------------------------------------------------
// The problems the API answers

/// The problem+json body of `response`, asserting a 4xx (never a 5xx for bad input).
pub async fn client_problem(response: reqwest::Response, what: &str) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(
        status.is_client_error(),
        "{what}: expected a 4xx problem, got {status}: {body}"
    );
    assert_eq!(
        content_type,
        crate::PROBLEM_JSON,
        "{what}: a {status} must be a problem document: {body}"
    );
    (status, body)
}

/// The fields a validation problem names (`errors[].field`).
pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The provider: localstripe's own API

/// Where localstripe listens (`LOCALSTRIPE_URL`, set by `./shop test`).
pub fn localstripe_url() -> String {
    required_env("LOCALSTRIPE_URL")
}

/// Where stripe-mock listens (`STRIPE_MOCK_URL`, set by `./shop test`).
pub fn stripe_mock_url() -> String {
    required_env("STRIPE_MOCK_URL")
}

fn socket_of(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

/// Fails at once, naming it, when localstripe does not listen.
pub fn require_localstripe() {
    crate::require_reachable("localstripe", &socket_of(&localstripe_url()));
}

/// Fails at once, naming it, when stripe-mock does not listen.
pub fn require_stripe_mock() {
    crate::require_reachable("stripe-mock", &socket_of(&stripe_mock_url()));
}

/// `GET` on localstripe's API with the shop's key (the secret is the whole Authorization value,
/// "Bearer sk_test_…", as the `stripe` binding sends it).
pub async fn localstripe_get(path_and_query: &str) -> Value {
    let url = format!(
        "{}/v1/{}",
        localstripe_url(),
        path_and_query.trim_start_matches('/')
    );
    let response = http()
        .get(&url)
        .header("authorization", secret("stripe-api-authorization"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("localstripe is unreachable at {url} (`./shop status`): {e}"));
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(
        status.is_success(),
        "localstripe answered {status} to GET {url}: {body}"
    );
    body
}

/// Every PaymentIntent localstripe holds, oldest first, paging through all of them.
pub async fn localstripe_payment_intents() -> Vec<Value> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    // A guard against a provider that would page forever, not a limit: 100 000 intents.
    for _ in 0..1_000 {
        let query = match &after {
            Some(after) => format!("payment_intents?limit=100&starting_after={after}"),
            None => "payment_intents?limit=100".to_owned(),
        };
        let page = localstripe_get(&query).await;
        let items = page["data"]
            .as_array()
            .unwrap_or_else(|| panic!("localstripe's list has no data: {page}"))
            .clone();
        let next = items
            .last()
            .and_then(|last| last["id"].as_str())
            .map(str::to_owned);
        all.extend(items);
        match (page["has_more"].as_bool(), next) {
            (Some(true), Some(next)) => {
                assert_ne!(
                    after.as_deref(),
                    Some(next.as_str()),
                    "localstripe's list does not move on"
                );
                after = Some(next);
            }
            _ => return all,
        }
    }
    panic!("localstripe lists more than 100 000 PaymentIntents");
}

/// The PaymentIntents of `all` made for `order_id` (by their `metadata.order_id`).
pub fn intents_of<'a>(all: &'a [Value], order_id: &str) -> Vec<&'a Value> {
    all.iter()
        .filter(|intent| intent["metadata"]["order_id"] == order_id)
        .collect()
}

/// The PaymentIntents localstripe holds for `order_id`.
pub async fn payment_intents_of(order_id: &str) -> Vec<Value> {
    intents_of(&localstripe_payment_intents().await, order_id)
        .into_iter()
        .cloned()
        .collect()
}

/// How much a PaymentIntent really took from the card: Stripe's `amount_received`, or, since
/// localstripe 1.15 has no such field, its charge's amount once the intent succeeded with the
/// charge captured.
pub fn captured_at_provider(intent: &Value) -> i64 {
    if let Some(received) = intent["amount_received"].as_i64() {
        return received;
    }
    let charge = &intent["latest_charge"];
    if intent["status"] == "succeeded" && charge["captured"] == true {
        charge["amount"].as_i64().unwrap_or_default()
    } else {
        0
    }
}

/// The refunds localstripe holds for a PaymentIntent.
pub async fn localstripe_refunds(payment_intent: &str) -> Vec<Value> {
    let page = localstripe_get(&format!(
        "refunds?payment_intent={payment_intent}&limit=100"
    ))
    .await;
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("localstripe's refund list has no data: {page}"))
        .clone()
}

/// Asserts that `order_id` has exactly one PaymentIntent at localstripe, captured for
/// `amount_minor`, and returns it.
pub async fn assert_captured_once_at_provider(order_id: &str, amount_minor: i64) -> Value {
    let intents = payment_intents_of(order_id).await;
    assert_eq!(
        intents.len(),
        1,
        "exactly one PaymentIntent for order {order_id} at localstripe: {intents:#?}"
    );
    let intent = intents[0].clone();
    assert_eq!(intent["status"], "succeeded", "{intent}");
    assert_eq!(intent["amount"], amount_minor, "{intent}");
    assert_eq!(
        captured_at_provider(&intent),
        amount_minor,
        "the whole amount was captured: {intent}"
    );
    intent
}

// ---------------------------------------------------------------------------------------------
// Webhooks, signed as the provider signs them

/// The secret localstripe signs its webhooks with (`stripe-webhook-secret`).
pub fn webhook_secret() -> String {
    secret("stripe-webhook-secret")
}

/// A `Stripe-Signature` header for `body`, made now with `secret`.
pub fn stripe_signature(secret: &str, body: &[u8]) -> String {
    stripe_signature_at(secret, body, chrono::Utc::now().timestamp())
}

/// A `Stripe-Signature` header for `body` made at `timestamp` (unix seconds).
pub fn stripe_signature_at(secret: &str, body: &[u8], timestamp: i64) -> String {
    payments::domain::WebhookSecret::new(secret).sign(timestamp, body)
}

/// A provider event about a PaymentIntent of `order_id`, as Stripe sends it.
pub fn payment_intent_event(event_id: &str, event_type: &str, intent: &Value) -> Value {
    json!({
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": chrono::Utc::now().timestamp(),
        "livemode": false,
        "data": { "object": intent },
    })
}

/// `POST /api/payments/webhooks/stripe` with the raw `body` and `signature`, as the provider
/// delivers it (no bearer token: the endpoint is public).
pub async fn send_webhook(body: &[u8], signature: Option<&str>) -> reqwest::Response {
    let mut request = http()
        .post(format!("{GATEWAY}/api/payments/webhooks/stripe"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    request.send().await.expect("gateway answers")
}

// ---------------------------------------------------------------------------------------------
// The broker

/// Every record of `payment-events` about `order_id` (its subject), deduplicated by CloudEvent
/// id (publication is at least once), as (key, event); read by Kafka's own console consumer.
pub async fn payment_events_of(order_id: &str) -> Vec<(String, Value)> {
    let needle = order_id.to_owned();
    let records = tokio::task::spawn_blocking(move || {
        crate::kafka_records_containing("payment-events", &needle)
    })
    .await
    .expect("the Kafka console consumer ran");
    let mut seen = std::collections::HashSet::new();
    records
        .into_iter()
        .filter(|(_, event)| event["subject"] == order_id)
        .filter(|(_, event)| seen.insert(event["id"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// Waits until `payment-events` carries an event of each of `types` about `order_id`, and
/// returns the events by type.
pub async fn wait_for_payment_events(order_id: &str, types: &[&str]) -> HashMap<String, Value> {
    eventually(
        &format!("payment-events on Kafka to carry {types:?} for order {order_id}"),
        PAYMENT_PATIENCE,
        || async {
            let events = payment_events_of(order_id).await;
            let by_type: HashMap<String, Value> = events
                .iter()
                .map(|(key, event)| {
                    assert_eq!(
                        key, order_id,
                        "payment events are keyed by order id: {event}"
                    );
                    (
                        event["type"].as_str().unwrap_or_default().to_owned(),
                        event.clone(),
                    )
                })
                .collect();
            types
                .iter()
                .all(|t| by_type.contains_key(*t))
                .then_some(by_type)
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Inventory

/// The reasons of the stock ledger's entries for `order_id` (`reservation`, `commit`,
/// `release`, `return`), oldest first, from the admin stock view of a SKU.
pub fn stock_ledger_reasons(stock: &Value, order_id: &str) -> Vec<String> {
    stock["ledger"]
        .as_array()
        .unwrap_or_else(|| panic!("no ledger in the stock view: {stock}"))
        .iter()
        .filter(|entry| entry["orderId"] == order_id)
        .map(|entry| entry["reason"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Waits until the SKU is back to `units` on hand and available with nothing reserved, and
/// inventory has consumed every order event; returns the stock view.
pub async fn wait_for_stock_back(admin: &str, sku: &str, units: i64) -> Value {
    eventually(
        &format!("the stock of {sku} to be back to {units}"),
        PAYMENT_PATIENCE,
        || async {
            let now = crate::stock(admin, sku).await;
            (now["onHand"] == units && now["available"] == units && now["reserved"] == 0)
                .then_some(())
        },
    )
    .await;
    // Whatever inventory still had to consume (a duplicate, say) has been acted on too.
    eventually(
        "inventory to consume every order event",
        PAYMENT_PATIENCE,
        || async { crate::consumer_group_caught_up("inventory", "order-events").then_some(()) },
    )
    .await;
    crate::stock(admin, sku).await
}

// ---------------------------------------------------------------------------------------------
// The payments sidecar's own client (bindings go over its gRPC API)

/// A `Sidecar` client of the payments sidecar, as the payments service builds its own, with
/// the ports of `dapr/dapr.yaml`; waits until the sidecar is ready.
pub async fn payments_sidecar_client() -> service_runtime::Sidecar {
    let http_port = crate::APPS
        .iter()
        .find(|(app, _, _)| *app == "payments")
        .map(|(_, _, http)| *http)
        .expect("dapr/dapr.yaml runs payments");
    let config = service_runtime::config::SidecarConfig {
        http_port,
        grpc_port: crate::sidecar_grpc_port("payments"),
        secret_store: "secretstore".into(),
    };
    let sidecar = service_runtime::Sidecar::new(&config)
        .unwrap_or_else(|e| panic!("a client for the payments sidecar: {e}"));
    sidecar
        .wait_until_ready(Duration::from_secs(20))
        .await
        .unwrap_or_else(|e| panic!("the payments sidecar is not ready (`./shop status`): {e}"));
    sidecar
}

// ---------------------------------------------------------------------------------------------
// Processes: the payments service, its sidecar, localstripe

/// The payments service's own process.
pub fn payments_app() -> Launch {
    process::find("payments app", |argv| {
        argv.len() == 1 && argv[0].ends_with(".run/bin/payments")
    })
}

/// The payments service's Dapr sidecar (daprd with `--app-id payments`).
pub fn payments_sidecar() -> Launch {
    process::find("payments daprd", |argv| {
        argv[0].ends_with("daprd")
            && argv
                .windows(2)
                .any(|w| w[0] == "--app-id" && w[1] == "payments")
    })
}

fn payments_readyz() -> String {
    format!("http://127.0.0.1:{}/readyz", crate::app_port("payments"))
}

/// kill -9 the payments service, start it again, and wait until it is ready.
pub async fn crash_and_restart_payments_app() {
    let launch = payments_app();
    process::kill_9(&launch);
    tokio::time::sleep(Duration::from_millis(500)).await;
    process::relaunch(&launch, "payments-app-relaunched");
    process::wait_until_healthy(&payments_readyz(), Duration::from_secs(90)).await;
}

/// kill -9 the payments sidecar (daprd), start it again, and wait until both are ready.
pub async fn crash_and_restart_payments_sidecar() {
    let launch = payments_sidecar();
    process::kill_9(&launch);
    tokio::time::sleep(Duration::from_millis(500)).await;
    process::relaunch(&launch, "payments-daprd-relaunched");
    process::wait_until_healthy(
        &format!("{}/v1.0/healthz", crate::sidecar("payments")),
        Duration::from_secs(120),
    )
    .await;
    process::wait_until_healthy(&payments_readyz(), Duration::from_secs(60)).await;
}

fn localstripe_pid_file() -> PathBuf {
    PathBuf::from(required_env("SHOP_RUN")).join("localstripe/localstripe.pid")
}

fn recorded_localstripe_pid() -> Option<u32> {
    std::fs::read_to_string(localstripe_pid_file())
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The running localstripe (scripts/payments/localstripe_server.py), the one its pid file
/// (`$SHOP_RUN/localstripe/localstripe.pid`, written by the launcher itself) names.
pub fn localstripe_process() -> Launch {
    let launch = process::find("localstripe", |argv| {
        argv.iter()
            .any(|arg| arg.ends_with("localstripe_server.py"))
    });
    assert_eq!(
        recorded_localstripe_pid(),
        Some(launch.pid),
        "{} does not name the running localstripe {launch:?}",
        localstripe_pid_file().display()
    );
    launch
}

/// Whether localstripe answers (its bundled Stripe.js, served without a key once its store is
/// loaded: what `./shop` waits for too).
pub async fn localstripe_answers() -> bool {
    let url = format!("{}/js.stripe.com/v3/", localstripe_url());
    matches!(http().get(url).send().await, Ok(r) if r.status().is_success())
}

/// Starts a killed localstripe again as it was started (its data and webhook endpoints are on
/// disk), and waits until it answers and its pid file names the new process, so `./shop stop`
/// and `./shop status` keep managing it.
pub async fn restart_localstripe(launch: &Launch) {
    let pid = process::relaunch(launch, "localstripe-relaunched");
    eventually(
        "localstripe to answer again",
        Duration::from_secs(60),
        || async { localstripe_answers().await.then_some(()) },
    )
    .await;
    eventually(
        "the relaunched localstripe to write its pid file",
        Duration::from_secs(10),
        || async { (recorded_localstripe_pid() == Some(pid)).then_some(()) },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// A burst of paid orders across a crash

/// One order of the burst: whose it is and what it costs.
#[derive(Debug, Clone)]
pub struct BurstOrder {
    pub order_id: String,
    pub token: String,
    pub total_minor: i64,
}

/// How an order of a burst ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Confirmed, and its payment captured.
    Confirmed,
    /// Cancelled by its confirmation deadline, its payment voided or abandoned.
    TimedOut,
}

/// Waits until the order and its payment are settled: confirmed with the payment captured, or
/// cancelled by its deadline (reason `timeout`) with the payment voided or abandoned. Any other
/// ending (a failed payment, another cancellation reason) fails the test at once.
pub async fn wait_until_settled(admin: &str, order: &BurstOrder) -> (Ending, Value) {
    let order_id = order.order_id.as_str();
    eventually(
        &format!("order {order_id} to end confirmed and captured, or cancelled by its deadline with nothing taken"),
        PAYMENT_PATIENCE,
        || async {
            let (code, view) = get_order(&order.token, order_id).await;
            if code != StatusCode::OK {
                return None;
            }
            let status = view["status"].as_str().unwrap_or_default().to_owned();
            if status == "cancelled" {
                assert_eq!(
                    view["cancellationReason"], "timeout",
                    "an order of a valid card may only be cancelled by its deadline: {view}"
                );
            }
            let (code, payment) = admin_payment(admin, order_id).await;
            let payment_status = payment["status"].as_str().unwrap_or_default().to_owned();
            assert_ne!(
                payment_status, "failed",
                "a valid card's payment failed for order {order_id}: {payment}"
            );
            // Payments is asked only once the stock is reserved (`payment-requested`).
            let requested = view["history"]
                .as_array()
                .is_some_and(|history| {
                    history
                        .iter()
                        .any(|h| h["type"] == "shop.order.payment-requested.v1")
                });
            match status.as_str() {
                "confirmed" if code == StatusCode::OK && payment_status == "captured" => {
                    Some((Ending::Confirmed, payment))
                }
                // Cancelled before inventory answered: payments was never asked.
                "cancelled" if !requested => Some((Ending::TimedOut, Value::Null)),
                "cancelled"
                    if code == StatusCode::OK
                        && ["voided", "abandoned"].contains(&payment_status.as_str())
                        && processor_idle(&payment) =>
                {
                    Some((Ending::TimedOut, payment))
                }
                _ => None,
            }
        },
    )
    .await
}

/// Asserts what a settled order left at the provider and in the ledger: at most one
/// PaymentIntent; a confirmed order's captured once for its total (and one authorize and one
/// capture in the ledger), a timed-out order's not captured at all.
pub fn assert_settled_at_provider(
    all_intents: &[Value],
    order: &BurstOrder,
    ending: Ending,
    payment: &Value,
) {
    let order_id = order.order_id.as_str();
    let intents = intents_of(all_intents, order_id);
    assert!(
        intents.len() <= 1,
        "at most one PaymentIntent per order, order {order_id} has {}: {intents:#?}",
        intents.len()
    );
    if !payment.is_null() {
        assert!(
            ledger_count(payment, "authorize") <= 1 && ledger_count(payment, "capture") <= 1,
            "at most one authorize and one capture per order: {payment}"
        );
    }
    match ending {
        Ending::Confirmed => {
            assert_eq!(
                intents.len(),
                1,
                "a confirmed order was authorized at the provider"
            );
            let intent = intents[0];
            assert_eq!(intent["id"], payment["providerPaymentId"], "{payment}");
            assert_eq!(intent["status"], "succeeded", "{intent}");
            assert_eq!(
                captured_at_provider(intent),
                order.total_minor,
                "captured once, the order's total: {intent}"
            );
            assert_eq!(
                ledger_operations(payment),
                [
                    ("authorize".to_owned(), order.total_minor),
                    ("capture".to_owned(), order.total_minor)
                ],
                "{payment}"
            );
            assert_eq!(payment["capturedMinor"], order.total_minor, "{payment}");
        }
        Ending::TimedOut => {
            for intent in &intents {
                assert_ne!(
                    intent["status"], "succeeded",
                    "a cancelled order's payment must not be captured: {intent}"
                );
                assert_eq!(captured_at_provider(intent), 0, "{intent}");
            }
            if !payment.is_null() {
                assert_eq!(
                    ledger_count(payment, "capture"),
                    0,
                    "nothing captured for a cancelled order: {payment}"
                );
                assert_eq!(payment["capturedMinor"], 0, "{payment}");
                // Held at the provider once, so released: an authorize has its void.
                assert_eq!(
                    ledger_count(payment, "authorize"),
                    ledger_count(payment, "void"),
                    "{payment}"
                );
            }
        }
    }
}

/// A burst of `orders` paid orders from `customers` customers through the gateway, with `crash`
/// happening in the middle of it; then the proof that every payment ended where its order
/// wants it, once, at the provider and in the ledger, and that the order events delivered again
/// (under new ids, so that payments' processed-events check does not absorb them) change
/// nothing. Clients retry a failed request (connection refused, 5xx, 429) with its
/// Idempotency-Key, as they should.
pub async fn paid_burst_survives<F>(crash: F)
where
    F: std::future::Future<Output = ()>,
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const ORDERS: usize = 20;
    const CUSTOMERS: usize = 4;
    const UNIT_PRICE_MINOR: i64 = 4_900;
    crate::require_kafka();
    require_localstripe();
    let admin = crate::admin_access_token().await;
    let sku = crate::product_with_stock(&admin, 1_000).await;
    let mut shoppers: Vec<Customer> = Vec::new();
    for _ in 0..CUSTOMERS {
        shoppers.push(customer().await);
    }
    let accepted_so_far = Arc::new(AtomicUsize::new(0));

    let clients: Vec<_> = shoppers
        .iter()
        .enumerate()
        .map(|(index, shopper)| {
            let (token, sku, accepted_so_far) =
                (shopper.token.clone(), sku.clone(), accepted_so_far.clone());
            tokio::spawn(async move {
                let mut accepted = Vec::new();
                for n in (index..ORDERS).step_by(CUSTOMERS) {
                    // 1, 2 or 3 units: totals differ, so a capture of another order's amount shows.
                    let quantity = (n % 3 + 1) as u32;
                    let key = uuid::Uuid::new_v4().to_string();
                    let started = tokio::time::Instant::now();
                    let order_id = loop {
                        assert!(
                            started.elapsed() < Duration::from_secs(240),
                            "an order was never accepted"
                        );
                        let sent = crate::orders::send_order_paying_with(
                            &token,
                            &[(&sku, quantity)],
                            Some(&key),
                            VISA,
                        )
                        .await;
                        if let Ok(response) = sent {
                            let status = response.status();
                            if status == StatusCode::CREATED || status == StatusCode::OK {
                                match response.json::<Value>().await {
                                    Ok(body) => break order_id_of(&body),
                                    Err(error) => eprintln!(
                                        "a {status} without a readable body ({error}); retrying with the same key"
                                    ),
                                }
                            } else {
                                let body = response.text().await.unwrap_or_default();
                                assert!(
                                    status.is_server_error()
                                        || status == StatusCode::TOO_MANY_REQUESTS,
                                    "only outages may fail a valid order, got {status}: {body}"
                                );
                            }
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    };
                    accepted_so_far.fetch_add(1, Ordering::SeqCst);
                    accepted.push(BurstOrder {
                        order_id,
                        token: token.clone(),
                        total_minor: i64::from(quantity) * UNIT_PRICE_MINOR,
                    });
                }
                accepted
            })
        })
        .collect();

    // Crash when about a quarter of the burst is in: those are being paid for right now.
    eventually("the burst to get going", PATIENCE, || async {
        (accepted_so_far.load(Ordering::SeqCst) >= ORDERS / 4).then_some(())
    })
    .await;
    crash.await;

    let mut orders = Vec::new();
    for client in clients {
        orders.extend(client.await.expect("client task"));
    }
    let mut distinct: Vec<&str> = orders.iter().map(|o| o.order_id.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        ORDERS,
        "one order per Idempotency-Key, none doubled"
    );

    // Every order ends confirmed and captured, or cancelled by its deadline with nothing taken.
    let mut endings = Vec::new();
    for order in &orders {
        endings.push(wait_until_settled(&admin, order).await);
    }
    let confirmed = endings
        .iter()
        .filter(|(ending, _)| *ending == Ending::Confirmed)
        .count();
    eprintln!(
        "{confirmed} of {ORDERS} orders confirmed and captured, {} cancelled by their deadline",
        ORDERS - confirmed
    );
    let intents = localstripe_payment_intents().await;
    for (order, (ending, payment)) in orders.iter().zip(&endings) {
        assert_settled_at_provider(&intents, order, *ending, payment);
    }

    // Redelivery: the order events payments acts on, delivered again under new ids (as a second
    // publisher, or a replay of the topic, would), change nothing at the provider or in the
    // ledger.
    let mut before = Vec::new();
    for order in &orders {
        before.push((
            intents_of(&intents, &order.order_id).len(),
            payment_snapshot(&admin, &order.order_id).await,
        ));
    }
    let mut republished = 0;
    for order in &orders {
        republished += republish_payment_order_events(&order.order_id).await;
    }
    assert!(republished > 0, "some order events to deliver again");
    eventually(
        "payments to consume the redelivered order events",
        PAYMENT_PATIENCE,
        || async { crate::consumer_group_caught_up("payments", "order-events").then_some(()) },
    )
    .await;
    // Anything new would wake the processor at once; give it a moment to have acted.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let intents_after = localstripe_payment_intents().await;
    for (order, (intents_before, payment_before)) in orders.iter().zip(&before) {
        assert_eq!(
            intents_of(&intents_after, &order.order_id).len(),
            *intents_before,
            "a redelivered order event made another PaymentIntent for order {}",
            order.order_id
        );
        assert_eq!(
            &payment_snapshot(&admin, &order.order_id).await,
            payment_before,
            "a redelivered order event changed the payment of order {}",
            order.order_id
        );
    }
}

/// Whether payments has the order's payment and, if so, its settled part (see
/// [`settled_part`]): what must stay the same.
async fn payment_snapshot(admin: &str, order_id: &str) -> (StatusCode, Value) {
    let (code, payment) = admin_payment(admin, order_id).await;
    if code == StatusCode::OK {
        (code, settled_part(&payment))
    } else {
        (code, Value::Null)
    }
}

/// Publishes the order's `shop.order.payment-requested.v1` and `shop.order.confirmed.v1`
/// events again (those its stream holds), with their stored data under new CloudEvent ids,
/// keyed by the order id as orders publishes them, through the orders sidecar. Returns how
/// many it published.
pub async fn republish_payment_order_events(order_id: &str) -> usize {
    let stream = crate::orders::order_stream(order_id).await;
    let mut published = 0;
    for event in stream["events"].as_array().expect("events") {
        let event_type = event["type"].as_str().unwrap_or_default();
        if event_type != "shop.order.payment-requested.v1"
            && event_type != "shop.order.confirmed.v1"
        {
            continue;
        }
        let (_, cloud_event) = crate::cloud_event(event_type, order_id, event["data"].clone());
        crate::publish_keyed("orders", "order-events", &cloud_event, order_id).await;
        published += 1;
    }
    published
}
