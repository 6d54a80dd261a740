//! Orders end to end, through the gateway and real sidecars: placing, reading back through the
//! OrderActor, inventory's answer reflected, payment, cancellation (open and confirmed orders),
//! shipping, refusals, the Idempotency-Key, lists from the query table, concurrency on one order
//! and redeliveries.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use e2e::orders::*;
use e2e::payments::stock_ledger_reasons;
use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn ship(admin: &str, order_id: &str) -> reqwest::Response {
    http()
        .post(format!("{GATEWAY}/api/admin/orders/{order_id}/ship"))
        .bearer_auth(admin)
        .json(&json!({ "carrier": "DHL", "trackingNumber": "JJD000390007" }))
        .send()
        .await
        .unwrap()
}

async fn cancel(token: &str, order_id: &str) -> reqwest::Response {
    http()
        .post(format!("{GATEWAY}/api/orders/{order_id}/cancel"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn problem(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "a {status} must be a problem document"
    );
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn an_order_is_placed_reserved_paid_shipped_and_read_back_through_its_actor() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let shopper = customer().await;

    // Inventory cannot answer while the product's stock row is locked, so the order stays
    // unpaid (waiting for stock; payments is asked only once it is reserved) until let go.
    let held = hold_stock(&sku).await;
    let placed = place(&shopper.token, &sku, 2).await;
    let order_id = placed["orderId"].as_str().unwrap().to_owned();
    // The answer is the view right after placing.
    assert_eq!(placed["status"], "awaiting-stock", "{placed}");
    assert_eq!(
        placed["totalMinor"], 9_800,
        "priced by inventory: 2 x 49.00"
    );
    assert_eq!(placed["currency"], "EUR");
    assert_eq!(placed["customerId"], shopper.user.user_id.as_str());

    // Read back through the actor: the same order, right after placing.
    let (status, read) = get_order(&shopper.token, &order_id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["orderId"], order_id.as_str());
    assert_eq!(read["status"], "awaiting-stock");
    assert_eq!(read["lines"][0]["sku"], sku.as_str());
    assert_eq!(read["lines"][0]["lineTotalMinor"], 9_800);

    // Shipping an unpaid order is refused with the status it is in.
    let (code, refused) = problem(ship(&admin, &order_id).await).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(refused["type"], "/problems/order-status-conflict");
    assert_eq!(refused["currentStatus"], "awaiting-stock");
    held.release().await;

    // Inventory reserves through Kafka; the order records it and asks for payment; payments
    // authorizes the card (the order is confirmed), then captures it (recorded on the order).
    let paid = wait_for_order_payment(&shopper.token, &order_id, "captured").await;
    assert_eq!(paid["status"], "confirmed");
    assert_eq!(paid["payment"]["paymentMethodId"], TEST_CARD);
    assert_eq!(paid["payment"]["capturedMinor"], 9_800);
    let history: Vec<&str> = paid["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        [
            "shop.order.placed.v2",
            "shop.order.stock-reserved.v1",
            "shop.order.payment-requested.v1",
            "shop.order.confirmed.v1",
            "shop.order.payment-updated.v1"
        ]
    );

    let shipped = ship(&admin, &order_id).await;
    assert_eq!(shipped.status(), StatusCode::OK);
    let shipped: Value = shipped.json().await.unwrap();
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(shipped["shipment"]["carrier"], "DHL");
    let (code, refused) = problem(ship(&admin, &order_id).await).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(refused["currentStatus"], "shipped");

    // A shipped order can no longer be cancelled by the customer (a confirmed one could).
    let (code, refused) = problem(cancel(&shopper.token, &order_id).await).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(refused["currentStatus"], "shipped");

    // The stream holds exactly what happened, in order, and inventory reserved the stock, then
    // committed it.
    let stream = order_stream(&order_id).await;
    let version = assert_sequences_contiguous(&stream);
    assert_eq!(
        event_types(&stream),
        [
            "shop.order.placed.v2",
            "shop.order.stock-reserved.v1",
            "shop.order.payment-requested.v1",
            "shop.order.confirmed.v1",
            "shop.order.payment-updated.v1",
            "shop.order.shipped.v1"
        ]
    );
    assert_eq!(status_after(&event_types(&stream)), "shipped");
    assert_eq!(stream["events"][4]["data"]["paymentStatus"], "captured");
    let committed = eventually("inventory to commit the stock", PATIENCE, || async {
        let now = stock(&admin, &sku).await;
        (now["onHand"] == 3 && now["reserved"] == 0).then_some(now)
    })
    .await;
    assert_eq!(committed["available"], 3);
    assert_eq!(
        stock_ledger_reasons(&committed, &order_id),
        ["reservation", "commit"],
        "{committed}"
    );

    // Each stored event went out on Kafka once, as a CloudEvent keyed and numbered by the
    // stream: analytics (a Kafka consumer) recorded ids <order>:1..=<version>.
    let recorded = eventually("analytics to see every stored event", PATIENCE, || async {
        let events: Vec<Value> = analytics_events(&order_id)
            .await
            .into_iter()
            .filter(|e| e["topic"] == "order-events")
            .collect();
        (events.len() as u64 >= version).then_some(events)
    })
    .await;
    let ids: Vec<&str> = recorded
        .iter()
        .map(|e| e["eventId"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=version).map(|n| format!("{order_id}:{n}")).collect();
    assert_eq!(ids, expected);

    // On the broker itself: each record keyed by the order id (one partition, in order), with
    // its sequence, causation and trace context as CloudEvents extensions.
    let on_kafka = kafka_records_containing("order-events", &format!("\"{order_id}:"));
    let mut sequences: Vec<u64> = on_kafka
        .iter()
        .map(|(key, event)| {
            assert_eq!(key, &order_id, "the Kafka key is the order id");
            assert_eq!(event["subject"], order_id.as_str());
            assert!(
                event["causationid"].as_str().is_some_and(|c| !c.is_empty()),
                "{event}"
            );
            assert!(
                event["traceparent"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("00-")),
                "{event}"
            );
            event["sequence"].as_u64().unwrap()
        })
        .collect();
    sequences.dedup();
    assert_eq!(
        sequences,
        (1..=version).collect::<Vec<u64>>(),
        "in stream order on one partition"
    );
    assert_eq!(recorded[0]["payload"]["totalMinor"], 9_800);
}

#[tokio::test]
async fn stock_rejected_cancels_the_order_and_says_why() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 1).await;
    let shopper = customer().await;

    let placed = place(&shopper.token, &sku, 3).await;
    let order_id = placed["orderId"].as_str().unwrap();
    let cancelled = wait_for_status(&shopper.token, order_id, "cancelled").await;
    assert_eq!(cancelled["cancellationReason"], "stock-rejected");
    assert_eq!(cancelled["rejectedLines"][0]["sku"], sku.as_str());
    assert_eq!(
        cancelled["rejectedLines"][0]["reason"],
        "insufficient-stock"
    );
    assert_eq!(cancelled["rejectedLines"][0]["available"], 1);

    let (code, refused) = problem(cancel(&shopper.token, order_id).await).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(refused["currentStatus"], "cancelled");
}

#[tokio::test]
async fn a_customer_cancels_an_open_order_and_the_stock_comes_back() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 4).await;
    let shopper = customer().await;

    // An open order: inventory cannot answer while the product's stock row is locked, so the
    // order waits for its stock (payments is asked only once it is reserved).
    let held = hold_stock(&sku).await;
    let placed = place(&shopper.token, &sku, 4).await;
    let order_id = placed["orderId"].as_str().unwrap().to_owned();
    assert_eq!(placed["status"], "awaiting-stock", "{placed}");
    let cancelled = cancel(&shopper.token, &order_id).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let cancelled: Value = cancelled.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellationReason"], "customer");
    held.release().await;
    // Inventory, let go, reserves for the order (the placement comes before the cancellation
    // on the order's partition), then sees the cancellation and releases: the stock comes back.
    eventually("inventory to release the reservation", PATIENCE, || async {
        let now = stock(&admin, &sku).await;
        (now["available"] == 4
            && now["reserved"] == 0
            && stock_ledger_reasons(&now, &order_id) == ["reservation", "release"])
        .then_some(())
    })
    .await;

    // Another customer cannot see or cancel it: it does not exist for them.
    let stranger = customer().await;
    assert_eq!(
        get_order(&stranger.token, &order_id).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        cancel(&stranger.token, &order_id).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_customer_cancels_a_confirmed_order_before_it_ships_and_the_stock_comes_back() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let shopper = customer().await;

    let order_id = place(&shopper.token, &sku, 2).await["orderId"]
        .as_str()
        .unwrap()
        .to_owned();
    // Payments authorizes the test card by itself: the order is confirmed.
    let confirmed = wait_for_status(&shopper.token, &order_id, "confirmed").await;
    assert_eq!(confirmed["payment"]["paymentMethodId"], TEST_CARD);
    eventually("inventory to commit the stock", PATIENCE, || async {
        let now = stock(&admin, &sku).await;
        (now["onHand"] == 3 && now["reserved"] == 0).then_some(())
    })
    .await;

    let cancelled = cancel(&shopper.token, &order_id).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let cancelled: Value = cancelled.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellationReason"], "customer");
    // The committed stock goes back on hand, once.
    eventually("inventory to put the stock back", PATIENCE, || async {
        let now = stock(&admin, &sku).await;
        (now["onHand"] == 5 && now["reserved"] == 0).then_some(())
    })
    .await;
    let (code, refused) = problem(cancel(&shopper.token, &order_id).await).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(refused["currentStatus"], "cancelled");
    let (code, refused) = problem(ship(&admin, &order_id).await).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(refused["currentStatus"], "cancelled");
    eventually(
        "inventory to consume the cancellation",
        PATIENCE,
        || async { consumer_group_caught_up("inventory", "order-events").then_some(()) },
    )
    .await;
    assert_eq!(stock(&admin, &sku).await["onHand"], 5, "returned once");

    let stream = order_stream(&order_id).await;
    assert_sequences_contiguous(&stream);
    assert_eq!(status_after(&event_types(&stream)), "cancelled");
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_returns_the_same_order() {
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 10).await;
    let shopper = customer().await;
    let key = uuid::Uuid::new_v4().to_string();

    let first = place_order(&shopper.token, &[(&sku, 1)], Some(&key)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();

    let retries = (0..5).map(|_| {
        let (token, sku, key) = (shopper.token.clone(), sku.clone(), key.clone());
        tokio::spawn(async move { place_order(&token, &[(&sku, 1)], Some(&key)).await })
    });
    for retry in retries {
        let retry = retry.await.unwrap();
        assert_eq!(retry.status(), StatusCode::OK);
        assert_eq!(retry.headers()["idempotent-replayed"], "true");
        let body: Value = retry.json().await.unwrap();
        assert_eq!(body["orderId"], first["orderId"]);
    }
    assert_eq!(
        location,
        format!("/api/orders/{}", first["orderId"].as_str().unwrap())
    );

    // The same key for a different request is a client bug, not a retry: other lines, or the
    // same lines paid another way.
    let (code, reused) = problem(place_order(&shopper.token, &[(&sku, 2)], Some(&key)).await).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused["type"], "/problems/idempotency-key-reused");
    let (code, reused) = problem(
        place_order_paying_with(
            &shopper.token,
            &[(&sku, 1)],
            Some(&key),
            "pm_card_mastercard",
        )
        .await,
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused["type"], "/problems/idempotency-key-reused");

    let mine = eventually("the query table to list the order", PATIENCE, || async {
        let page = admin_list(&admin, &shopper.user.user_id).await;
        (!page["items"].as_array().unwrap().is_empty()).then_some(page)
    })
    .await;
    assert_eq!(
        mine["items"].as_array().unwrap().len(),
        1,
        "one order, not six"
    );
}

#[tokio::test]
async fn bad_order_input_gets_clear_4xx_problems() {
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 10).await;
    let shopper = customer().await;

    let (code, body) = problem(place_order(&shopper.token, &[], None).await).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("lines"), "{body}");

    let (code, body) =
        problem(place_order(&shopper.token, &[(&sku, 0), ("x", 1)], None).await).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["lines.quantity", "lines.sku"], "{body}");

    let unknown =
        format!("NOPE-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]).to_uppercase();
    let (code, body) = problem(place_order(&shopper.token, &[(&unknown, 1)], None).await).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no product"),
        "{body}"
    );

    let malformed = http()
        .post(format!("{GATEWAY}/api/orders"))
        .bearer_auth(&shopper.token)
        .header("content-type", "application/json")
        .body("{\"lines\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(malformed).await.0, StatusCode::BAD_REQUEST);

    let unknown_field = http()
        .post(format!("{GATEWAY}/api/orders"))
        .bearer_auth(&shopper.token)
        .json(&json!({
            "lines": [{ "sku": sku, "quantity": 1, "price": 1 }], "paymentMethodId": TEST_CARD
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(unknown_field).await.0, StatusCode::BAD_REQUEST);

    // The payment method is required, checked for its form before anything is asked of anyone,
    // then with the provider.
    let unpaid = http()
        .post(format!("{GATEWAY}/api/orders"))
        .bearer_auth(&shopper.token)
        .json(&json!({ "lines": [{ "sku": sku, "quantity": 1 }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(unpaid).await.0, StatusCode::BAD_REQUEST);
    let (code, body) = problem(
        place_order_paying_with(&shopper.token, &[(&sku, 0)], None, "4242424242424242").await,
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["lines.quantity", "paymentMethodId"], "{body}");
    let (code, body) = problem(
        place_order_paying_with(&shopper.token, &[(&sku, 1)], None, "pm_no_such_method_e2e").await,
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["type"], "/problems/unknown-payment-method", "{body}");

    let bad_key = http()
        .post(format!("{GATEWAY}/api/orders"))
        .bearer_auth(&shopper.token)
        .header("idempotency-key", "has spaces in it")
        .json(&json!({ "lines": [{ "sku": sku, "quantity": 1 }], "paymentMethodId": TEST_CARD }))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(bad_key).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(
        get_order(&shopper.token, "not-a-uuid").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_order(&shopper.token, &uuid::Uuid::new_v4().to_string())
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    for query in ["limit=0", "limit=101", "status=lost", "cursor=garbage"] {
        let response = http()
            .get(format!("{GATEWAY}/api/orders?{query}"))
            .bearer_auth(&shopper.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(response).await.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}"
        );
    }
    let anonymous = http()
        .get(format!("{GATEWAY}/api/orders"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let customer_on_admin = http()
        .get(format!("{GATEWAY}/api/admin/orders"))
        .bearer_auth(&shopper.token)
        .send()
        .await
        .unwrap();
    assert_eq!(customer_on_admin.status(), StatusCode::FORBIDDEN);
    let (code, _) = problem(
        http()
            .post(format!(
                "{GATEWAY}/api/admin/orders/{}/ship",
                uuid::Uuid::new_v4()
            ))
            .bearer_auth(&admin)
            .json(&json!({ "carrier": "", "trackingNumber": "a\nb" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn my_orders_filter_by_status_and_page_with_a_cursor() {
    let admin = admin_access_token().await;
    let plenty = product_with_stock(&admin, 100).await;
    let shopper = customer().await;

    let mut placed = Vec::new();
    for _ in 0..5 {
        placed.push(
            place(&shopper.token, &plenty, 1).await["orderId"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // Payments authorizes the test card by itself, so every order ends confirmed; then the
    // customer takes the oldest back (a confirmed order can be cancelled until it ships). One
    // cancelled, the rest confirmed: no deadline can change that.
    for order_id in &placed {
        wait_for_status(&shopper.token, order_id, "confirmed").await;
    }
    assert_eq!(
        cancel(&shopper.token, &placed[0]).await.status(),
        StatusCode::OK
    );

    let list = |query: String| {
        let token = shopper.token.clone();
        async move {
            let response = http()
                .get(format!("{GATEWAY}/api/orders?{query}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()
        }
    };
    let ids = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .map(|item| item["orderId"].as_str().unwrap().to_owned())
            .collect()
    };
    // Only the cancelled order comes back for status=cancelled.
    let cancelled = eventually(
        "the query table to record the cancellation",
        PATIENCE,
        || async {
            let page = list("status=cancelled".into()).await;
            let items = page["items"].as_array().cloned().unwrap_or_default();
            items
                .iter()
                .any(|item| item["orderId"] == placed[0].as_str())
                .then_some(items)
        },
    )
    .await;
    assert_eq!(ids(&cancelled), [placed[0].clone()], "{cancelled:?}");
    assert_eq!(cancelled[0]["status"], "cancelled");
    assert_eq!(cancelled[0]["cancellationReason"], "customer");
    // Only the other four for status=confirmed, newest first.
    let mut still_confirmed = placed[1..].to_vec();
    still_confirmed.reverse();
    let confirmed = eventually(
        "the query table to record the confirmations",
        PATIENCE,
        || async {
            let page = list("status=confirmed".into()).await;
            let items = page["items"].as_array().cloned().unwrap_or_default();
            let listed = ids(&items);
            still_confirmed
                .iter()
                .all(|id| listed.contains(id))
                .then_some(items)
        },
    )
    .await;
    assert_eq!(ids(&confirmed), still_confirmed, "{confirmed:?}");
    assert!(confirmed.iter().all(|item| item["status"] == "confirmed"));

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("limit=2&cursor={c}"),
            None => "limit=2".into(),
        };
        let page = list(query).await;
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["customerId"], shopper.user.user_id.as_str());
            seen.push(item["orderId"].as_str().unwrap().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    // Newest first, every order once.
    let mut expected = placed.clone();
    expected.reverse();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn twenty_concurrent_commands_on_one_order_leave_a_gapless_stream_and_a_matching_view() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 10).await;
    let shopper = customer().await;
    let order_id = place(&shopper.token, &sku, 1).await["orderId"]
        .as_str()
        .unwrap()
        .to_owned();
    // Payments authorizes the test card by itself. Once the order is confirmed, both a
    // customer's cancel and an admin's ship are allowed, and only one of them can happen.
    wait_for_status(&shopper.token, &order_id, "confirmed").await;

    // Ten cancels by the customer, ten ships by an admin, all at once, while payments' facts
    // about the money arrive through Kafka on the same order (the capture, if it is not in
    // yet; the void or refund when a cancel wins).
    let mut contenders = Vec::new();
    for n in 0..20 {
        let (token, admin, order_id) = (shopper.token.clone(), admin.clone(), order_id.clone());
        contenders.push(tokio::spawn(async move {
            let response = if n % 2 == 0 {
                cancel(&token, &order_id).await
            } else {
                ship(&admin, &order_id).await
            };
            (n % 2 == 0, response.status())
        }));
    }
    let mut outcomes = Vec::new();
    for contender in contenders {
        outcomes.push(contender.await.unwrap());
    }
    for (_, status) in &outcomes {
        assert!(
            *status == StatusCode::OK || *status == StatusCode::CONFLICT,
            "every command either applies or is refused with 409, got {status}"
        );
    }
    let cancels_won = outcomes
        .iter()
        .filter(|(is_cancel, s)| *is_cancel && *s == StatusCode::OK)
        .count();
    let ships_won = outcomes
        .iter()
        .filter(|(is_cancel, s)| !*is_cancel && *s == StatusCode::OK)
        .count();
    assert!(cancels_won <= 1 && ships_won <= 1, "{outcomes:?}");
    assert_eq!(
        cancels_won + ships_won,
        1,
        "a confirmed order is either cancelled or shipped, by the first command: {outcomes:?}"
    );

    // Let payments finish with the money (captured for a shipped order, voided or refunded for
    // a cancelled one) and the order record it, then compare.
    wait_for_payment_to_settle(&admin, &shopper.token, &order_id).await;
    let stream = order_stream(&order_id).await;
    let version = assert_sequences_contiguous(&stream);
    let types = event_types(&stream);
    let by_customer = stream["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "shop.order.cancelled.v1" && e["data"]["reason"] == "customer")
        .count();
    assert_eq!(by_customer, cancels_won, "one stored cancellation per 200");
    assert_eq!(
        types.iter().filter(|t| t.ends_with("shipped.v1")).count(),
        ships_won
    );
    assert_eq!(
        types.iter().filter(|t| t.ends_with("confirmed.v1")).count(),
        1
    );
    let view = eventually(
        "the actor to reflect the whole stream",
        PATIENCE,
        || async {
            let (_, view) = get_order(&shopper.token, &order_id).await;
            (view["version"].as_u64() == Some(version)).then_some(view)
        },
    )
    .await;
    assert_eq!(view["status"], status_after(&types));
    let history: Vec<String> = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(history, types, "the view is the fold of the stream");
}

#[tokio::test]
async fn redelivered_answers_and_events_append_and_change_nothing() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 10).await;
    let shopper = customer().await;
    let order_id = place(&shopper.token, &sku, 2).await["orderId"]
        .as_str()
        .unwrap()
        .to_owned();
    // Inventory reserves, payments authorizes (the order is confirmed) and captures, each
    // answer recorded once.
    wait_for_order_payment(&shopper.token, &order_id, "captured").await;
    let recorded = order_stream(&order_id).await;
    assert_eq!(
        event_types(&recorded),
        [
            "shop.order.placed.v2",
            "shop.order.stock-reserved.v1",
            "shop.order.payment-requested.v1",
            "shop.order.confirmed.v1",
            "shop.order.payment-updated.v1"
        ],
        "each answer recorded once"
    );

    // What inventory and payments really published about the order, as it is on the broker:
    // the very events the order recorded (their ids are the stream's causations).
    let causes = causation_ids(&recorded);
    let stock_events = published_about("stock-events", &order_id).await;
    let payment_events = published_about("payment-events", &order_id).await;
    let answers: Vec<(&str, &str, Value)> = [
        ("inventory", "stock-events", "shop.stock.reserved.v1"),
        ("payments", "payment-events", "shop.payment.authorized.v1"),
        ("payments", "payment-events", "shop.payment.captured.v1"),
    ]
    .into_iter()
    .map(|(app, topic, event_type)| {
        let published = if topic == "stock-events" {
            &stock_events
        } else {
            &payment_events
        };
        let answer = published
            .iter()
            .find(|e| e["type"] == event_type)
            .unwrap_or_else(|| panic!("no {event_type} for the order on {topic}: {published:?}"))
            .clone();
        let cause = format!("event:{}", answer["id"].as_str().unwrap());
        assert!(causes.contains(&cause), "{cause} not in {causes:?}");
        (app, topic, answer)
    })
    .collect();

    // Each again from its publisher, keyed by the order: as a redelivery (the same id, twice)
    // and as a duplicate (the same event under a new id).
    for (app, topic, answer) in &answers {
        publish_keyed(app, topic, answer, &order_id).await;
        publish_keyed(app, topic, answer, &order_id).await;
        let mut duplicate = answer.clone();
        duplicate["id"] = uuid::Uuid::now_v7().to_string().into();
        publish_keyed(app, topic, &duplicate, &order_id).await;
    }
    eventually("orders to consume every copy", PATIENCE, || async {
        (consumer_group_caught_up("orders", "stock-events")
            && consumer_group_caught_up("orders", "payment-events"))
        .then_some(())
    })
    .await;
    let stream = order_stream(&order_id).await;
    assert_eq!(stream, recorded, "the copies appended nothing");

    // The order's actor wrote its view and the query row in the turns that stored the events,
    // once each: the copies changed neither.
    let (_, view) = get_order(&shopper.token, &order_id).await;
    assert_eq!(view["version"], stream["version"]);
    assert_eq!(view["status"], "confirmed");
    let listed = admin_list(&admin, &shopper.user.user_id).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["version"], stream["version"]);
    assert_eq!(listed["items"][0]["status"], "confirmed");
    // And inventory, which also saw the duplicates, reserved once and committed once.
    eventually("inventory to consume the duplicates", PATIENCE, || async {
        consumer_group_caught_up("inventory", "order-events").then_some(())
    })
    .await;
    let committed = eventually("inventory to commit once", PATIENCE, || async {
        let now = stock(&admin, &sku).await;
        (now["onHand"] == 8 && now["reserved"] == 0).then_some(now)
    })
    .await;
    assert_eq!(
        stock_ledger_reasons(&committed, &order_id),
        ["reservation", "commit"],
        "{committed}"
    );
}
