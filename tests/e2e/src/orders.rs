//! Helpers for the order tests: a signed-in customer, placing and reading orders through the
//! gateway, the raw stream through orders' internal API, waiting for what inventory and payments
//! do by themselves (nothing here publishes an answer that moves an order on), holding inventory
//! back with a row lock, and what inventory and payments really published about an order, read
//! on the broker (to deliver it again).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::payments::{PAYMENT_PATIENCE, admin_payment, processor_idle};
use crate::{
    GATEWAY, RegisteredUser, access_token, eventually, http, invoke_url, register_user, secret,
};

pub const PATIENCE: Duration = Duration::from_secs(90);

pub struct Customer {
    pub user: RegisteredUser,
    pub token: String,
}

pub async fn customer() -> Customer {
    let user = register_user().await;
    let token = access_token(&user).await;
    Customer { user, token }
}

/// The payment method orders are placed with unless a test says otherwise: Stripe's test card
/// that is always authorized.
pub const TEST_CARD: &str = "pm_card_visa";
/// Stripe's test card that is always declined: payments fails the order.
pub const DECLINED_TEST_CARD: &str = "pm_card_chargeCustomerFail";

/// `POST /api/orders` with `lines` of (sku, quantity), paid with [`TEST_CARD`], as a client
/// sends it; the error is the transport's (the gateway unreachable), for tests that expect
/// outages.
pub async fn send_order(
    token: &str,
    lines: &[(&str, u32)],
    key: Option<&str>,
) -> reqwest::Result<reqwest::Response> {
    send_order_paying_with(token, lines, key, TEST_CARD).await
}

/// [`send_order`] with the payment method a test chooses.
pub async fn send_order_paying_with(
    token: &str,
    lines: &[(&str, u32)],
    key: Option<&str>,
    payment_method_id: &str,
) -> reqwest::Result<reqwest::Response> {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(sku, quantity)| json!({ "sku": sku, "quantity": quantity }))
        .collect();
    let mut request = http()
        .post(format!("{GATEWAY}/api/orders"))
        .bearer_auth(token)
        .json(&json!({ "lines": lines, "paymentMethodId": payment_method_id }));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.send().await
}

/// `POST /api/orders` with `lines` of (sku, quantity), paid with [`TEST_CARD`].
pub async fn place_order(
    token: &str,
    lines: &[(&str, u32)],
    key: Option<&str>,
) -> reqwest::Response {
    place_order_paying_with(token, lines, key, TEST_CARD).await
}

/// [`place_order`] with the payment method a test chooses.
pub async fn place_order_paying_with(
    token: &str,
    lines: &[(&str, u32)],
    key: Option<&str>,
    payment_method_id: &str,
) -> reqwest::Response {
    send_order_paying_with(token, lines, key, payment_method_id)
        .await
        .expect("gateway answers")
}

/// Places an order of one line and returns its view (asserting 201).
pub async fn place(token: &str, sku: &str, quantity: u32) -> Value {
    let response = place_order(token, &[(sku, quantity)], None).await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::CREATED, "placing failed: {body}");
    body
}

pub async fn get_order(token: &str, order_id: &str) -> (StatusCode, Value) {
    let response = http()
        .get(format!("{GATEWAY}/api/orders/{order_id}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("gateway answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Waits until the order's view (read through its actor) has `status`.
pub async fn wait_for_status(token: &str, order_id: &str, status: &str) -> Value {
    eventually(
        &format!("order {order_id} to be {status}"),
        PATIENCE,
        || async {
            let (code, view) = get_order(token, order_id).await;
            (code == StatusCode::OK && view["status"] == status).then_some(view)
        },
    )
    .await
}

/// The order's event stream as stored in the orderstore (orders' internal API, by invocation).
pub async fn order_stream(order_id: &str) -> Value {
    let response = http()
        .get(invoke_url(
            "orders",
            &format!("internal/streams/order-{order_id}"),
        ))
        .send()
        .await
        .expect("orders answers through Dapr");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

pub fn event_types(stream: &Value) -> Vec<String> {
    stream["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["type"].as_str().expect("type").to_owned())
        .collect()
}

/// The status the stream's events lead to, worked out here independently of the service.
pub fn status_after(types: &[String]) -> &'static str {
    types.iter().fold("none", |status, t| match t.as_str() {
        "shop.order.placed.v2" | "shop.order.placed.v1" => "awaiting-stock",
        "shop.order.payment-requested.v1" => "awaiting-payment",
        "shop.order.confirmed.v1" => "confirmed",
        "shop.order.cancelled.v1" => "cancelled",
        "shop.order.shipped.v1" => "shipped",
        // Payments' later facts (captured, voided, refunded) are about the money only.
        "shop.order.payment-updated.v1" => status,
        _ => status,
    })
}

/// Asserts the stream is gap-free and duplicate-free (sequences 1..=n) and returns n.
pub fn assert_sequences_contiguous(stream: &Value) -> u64 {
    let sequences: Vec<u64> = stream["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["sequence"].as_u64().expect("sequence"))
        .collect();
    let expected: Vec<u64> = (1..=sequences.len() as u64).collect();
    assert_eq!(
        sequences, expected,
        "sequences must be 1..=n without gaps or repeats"
    );
    assert_eq!(stream["version"].as_u64(), Some(sequences.len() as u64));
    sequences.len() as u64
}

/// Waits until the order's view (read through its actor) records its payment as
/// `payment_status` (`authorized`, `captured`, `voided`, `refunded`...): payments' answer and
/// later facts, as payments publishes them by itself and the order records them.
pub async fn wait_for_order_payment(token: &str, order_id: &str, payment_status: &str) -> Value {
    eventually(
        &format!("order {order_id}'s payment to be {payment_status}"),
        PAYMENT_PATIENCE,
        || async {
            let (code, view) = get_order(token, order_id).await;
            (code == StatusCode::OK && view["payment"]["status"] == payment_status).then_some(view)
        },
    )
    .await
}

/// Waits until the order is no longer open, payments has nothing left to do with its money, the
/// order has recorded payments' last word, and the view has caught up with the stream; returns
/// the view. Payments' last word follows how the order ended: captured (confirmed or shipped),
/// voided or refunded (cancelled after it was authorized or captured), abandoned (cancelled
/// before anything reached the provider: nothing for the order to record), failed; an order
/// cancelled before its stock was reserved never asked for payment.
pub async fn wait_for_payment_to_settle(admin: &str, token: &str, order_id: &str) -> Value {
    eventually(
        &format!("payments to be done with order {order_id} and the order to record it"),
        PAYMENT_PATIENCE,
        || async {
            let (code, view) = get_order(token, order_id).await;
            let status = view["status"].as_str().unwrap_or_default();
            if code != StatusCode::OK || ["awaiting-stock", "awaiting-payment"].contains(&status) {
                return None;
            }
            if !view["payment"].is_null() {
                let (code, payment) = admin_payment(admin, order_id).await;
                if code != StatusCode::OK || !processor_idle(&payment) {
                    return None;
                }
                let outcome = if status == "cancelled" {
                    "cancelled"
                } else {
                    "confirmed"
                };
                let payment_status = payment["status"].as_str().unwrap_or_default();
                // Where payments leaves the money for good, once it knows how the order ended.
                let done =
                    payment["orderOutcome"] == outcome
                        && match outcome {
                            "confirmed" => ["captured", "partially-refunded", "refunded"]
                                .contains(&payment_status),
                            _ => ["voided", "refunded", "abandoned", "failed"]
                                .contains(&payment_status),
                        };
                // What the order records of it (an abandoned payment, or one that failed for an
                // order already cancelled, leaves the order's payment pending).
                let on_order = match payment_status {
                    "abandoned" => "pending",
                    "failed" if view["cancellationReason"] != "payment-failed" => "pending",
                    other => other,
                };
                if !done || view["payment"]["status"] != on_order {
                    return None;
                }
            }
            let stream = order_stream(order_id).await;
            (view["version"] == stream["version"]).then_some(view)
        },
    )
    .await
}

/// What caused each event of the stream (`metadata.causationId`): `request:<id>` for a command
/// through the API, `event:<CloudEvent id>` for another service's answer or fact.
pub fn causation_ids(stream: &Value) -> Vec<String> {
    stream["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            e["metadata"]["causationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Every CloudEvent on `topic` about `order_id` (its subject), oldest first and deduplicated by
/// id (publication is at least once), as it is on the broker: what inventory or payments really
/// published, read by Kafka's own console consumer.
pub async fn published_about(topic: &str, order_id: &str) -> Vec<Value> {
    let (topic, needle) = (topic.to_owned(), order_id.to_owned());
    let records =
        tokio::task::spawn_blocking(move || crate::kafka_records_containing(&topic, &needle))
            .await
            .expect("the Kafka console consumer ran");
    let mut seen = std::collections::HashSet::new();
    records
        .into_iter()
        .map(|(_, event)| event)
        .filter(|event| event["subject"] == order_id)
        .filter(|event| seen.insert(event["id"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// A product's stock row held locked in inventory's database, in an open transaction: inventory
/// cannot reserve it (its reservation waits on the lock) while quotes, plain reads, still work,
/// so an order of it can be placed and stays in `awaiting-stock`. Hold it briefly: inventory's
/// consumer waits on it, and so do the events behind it on the same partition. Dropping it
/// closes the connection, which ends the transaction too (a failing test lets go).
pub struct HeldStock {
    connection: sqlx::PgConnection,
}

/// Locks `sku`'s stock row (see [`HeldStock`]).
pub async fn hold_stock(sku: &str) -> HeldStock {
    use sqlx::Connection;
    let url = format!(
        "postgres://inventory:{}@127.0.0.1:5432/inventory",
        secret("postgres-inventory-password")
    );
    let mut connection = sqlx::PgConnection::connect(&url)
        .await
        .expect("inventory's database answers");
    sqlx::query("BEGIN")
        .execute(&mut connection)
        .await
        .expect("a transaction in inventory's database");
    sqlx::query("SELECT sku FROM stock WHERE sku = $1 FOR UPDATE")
        .bind(sku)
        .fetch_one(&mut connection)
        .await
        .expect("the stock row is there to lock");
    HeldStock { connection }
}

impl HeldStock {
    /// Lets inventory go on.
    pub async fn release(mut self) {
        use sqlx::Connection;
        sqlx::query("ROLLBACK")
            .execute(&mut self.connection)
            .await
            .expect("the lock is released");
        self.connection
            .close()
            .await
            .expect("the connection closes");
    }
}

/// The admin list of one customer's orders (the query table).
pub async fn admin_list(admin: &str, customer_id: &str) -> Value {
    let response = http()
        .get(format!(
            "{GATEWAY}/api/admin/orders?customer_id={customer_id}&limit=100"
        ))
        .bearer_auth(admin)
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// What analytics recorded (from Kafka) about one order, oldest first.
pub async fn analytics_events(order_id: &str) -> Vec<Value> {
    let response = http()
        .get(invoke_url(
            "analytics",
            &format!("analytics/events?subject={order_id}"),
        ))
        .send()
        .await
        .expect("analytics answers through Dapr");
    if response.status() != StatusCode::OK {
        return Vec::new();
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    body["items"]
        .as_array()
        .or_else(|| body.as_array())
        .cloned()
        .unwrap_or_default()
}

/// A burst of orders through the gateway with `crash` happening in the middle of it, then the
/// proof that nothing was lost or doubled. Clients behave as they should: every order has its
/// own Idempotency-Key, and a failed request (connection refused, 5xx) is retried with it.
pub async fn burst_of_orders_survives<F>(crash: F)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const ORDERS: usize = 40;
    const CLIENTS: usize = 8;
    crate::require_kafka();
    let admin = crate::admin_access_token().await;
    let sku = crate::product_with_stock(&admin, 1_000).await;
    let shopper = customer().await;
    let accepted_so_far = Arc::new(AtomicUsize::new(0));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (token, sku, accepted_so_far) =
                (shopper.token.clone(), sku.clone(), accepted_so_far.clone());
            tokio::spawn(async move {
                let mut accepted = Vec::new();
                for _ in (client..ORDERS).step_by(CLIENTS) {
                    let key = uuid::Uuid::new_v4().to_string();
                    let started = tokio::time::Instant::now();
                    let order_id = loop {
                        assert!(
                            started.elapsed() < Duration::from_secs(180),
                            "an order was never accepted"
                        );
                        let sent = send_order(&token, &[(&sku, 1)], Some(&key)).await;
                        if let Ok(response) = sent {
                            let status = response.status();
                            if status == StatusCode::CREATED || status == StatusCode::OK {
                                // An answer cut off by the crash is no answer: retry with the key.
                                match response.json::<Value>().await {
                                    Ok(body) => {
                                        break body["orderId"]
                                            .as_str()
                                            .expect("order id")
                                            .to_owned();
                                    }
                                    Err(error) => {
                                        eprintln!("a {status} without a readable body ({error}); retrying with the same key");
                                    }
                                }
                            } else {
                                assert!(
                                    status.is_server_error()
                                        || status == StatusCode::TOO_MANY_REQUESTS,
                                    "only outages may fail a valid order, got {status}"
                                );
                            }
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    };
                    accepted_so_far.fetch_add(1, Ordering::SeqCst);
                    accepted.push((tokio::time::Instant::now(), order_id));
                }
                accepted
            })
        })
        .collect();

    // Crash when about a quarter of the burst is in.
    eventually("the burst to get going", PATIENCE, || async {
        (accepted_so_far.load(Ordering::SeqCst) >= ORDERS / 4).then_some(())
    })
    .await;
    crash.await;

    let mut accepted_at = Vec::new();
    for client in clients {
        accepted_at.extend(client.await.expect("client task"));
    }
    accepted_at.sort();
    // What the crash cost the clients: the longest time in which no order was accepted.
    let longest_gap = accepted_at
        .windows(2)
        .map(|pair| pair[1].0 - pair[0].0)
        .max()
        .unwrap_or_default();
    eprintln!("longest time without an accepted order across the crash: {longest_gap:?}");
    let accepted: Vec<String> = accepted_at.into_iter().map(|(_, id)| id).collect();
    let mut distinct = accepted.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        ORDERS,
        "one order per Idempotency-Key, none doubled"
    );

    for order_id in &distinct {
        // In the stream: placed exactly once, no gaps.
        let stream = order_stream(order_id).await;
        assert_sequences_contiguous(&stream);
        let types = event_types(&stream);
        assert_eq!(types[0], "shop.order.placed.v2");
        assert_eq!(
            types
                .iter()
                .filter(|t| t.starts_with("shop.order.placed"))
                .count(),
            1
        );
        // On Kafka: analytics consumed the placement, under its stream id.
        eventually(&format!("order {order_id} on Kafka"), PATIENCE, || async {
            let seen = analytics_events(order_id).await;
            seen.iter()
                .any(|e| e["eventId"] == format!("{order_id}:1"))
                .then_some(())
        })
        .await;
        // In the actor's view, caught up with the stream.
        eventually(
            &format!("order {order_id}'s view to match its stream"),
            PATIENCE,
            || async {
                let stream = order_stream(order_id).await;
                let (_, view) = get_order(&shopper.token, order_id).await;
                (view["version"] == stream["version"]).then_some(())
            },
        )
        .await;
    }
    // In the query table: exactly these orders, each at its stream's version.
    let rows = eventually("the query table to hold every order", PATIENCE, || async {
        let page = admin_list(&admin, &shopper.user.user_id).await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        let mut ids: Vec<String> = items
            .iter()
            .map(|i| i["orderId"].as_str().unwrap_or_default().to_owned())
            .collect();
        ids.sort();
        (ids == distinct).then_some(items)
    })
    .await;
    for row in rows {
        let order_id = row["orderId"].as_str().expect("order id");
        eventually("the row to match its stream", PATIENCE, || async {
            let stream = order_stream(order_id).await;
            let page = admin_list(&admin, &shopper.user.user_id).await;
            let row = page["items"]
                .as_array()?
                .iter()
                .find(|r| r["orderId"] == order_id)?
                .clone();
            (row["version"] == stream["version"]).then_some(())
        })
        .await;
    }
}

/// Replays every order stream into fresh read models (the query table emptied first) and waits
/// for the report: streams, events, seconds, eventsPerSecond.
pub async fn replay_read_models() -> Value {
    let started = http()
        .post(invoke_url(
            "orders",
            "internal/read-models/replays?reset=true",
        ))
        .send()
        .await
        .expect("orders answers through Dapr");
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let location = started.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    eventually("the replay to finish", Duration::from_secs(300), || async {
        let state: Value = http()
            .get(invoke_url("orders", &location))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        assert_ne!(state["state"], "failed", "the replay failed: {state}");
        (state["state"] == "finished").then_some(state)
    })
    .await
}
