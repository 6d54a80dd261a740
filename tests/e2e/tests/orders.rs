//! Orders end to end, through the gateway and real sidecars: placing, reading back through the
//! OrderActor, inventory's answer reflected, payment, cancellation (open and confirmed orders),
//! shipping, refusals, the Idempotency-Key, lists from the query table, concurrency on one order
//! and redeliveries.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use e2e::orders::*;
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

    let placed = place(&shopper.token, &sku, 2).await;
    let order_id = placed["orderId"].as_str().unwrap().to_owned();
    // The answer is the view right after placing; inventory may already have answered by then.
    assert!(
        ["awaiting-stock", "awaiting-payment"].contains(&placed["status"].as_str().unwrap()),
        "{placed}"
    );
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
    assert_eq!(read["lines"][0]["sku"], sku.as_str());
    assert_eq!(read["lines"][0]["lineTotalMinor"], 9_800);

    // Inventory reserves through Kafka; the order records it and asks for payment.
    let reserved = wait_for_status(&shopper.token, &order_id, "awaiting-payment").await;
    let history: Vec<&str> = reserved["history"]
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
            "shop.order.payment-requested.v1"
        ]
    );
    assert_eq!(stock(&admin, &sku).await["reserved"], 2);

    // Shipping an unpaid order is refused with the status it is in.
    let (code, refused) = problem(ship(&admin, &order_id).await).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(refused["type"], "/problems/order-status-conflict");
    assert_eq!(refused["currentStatus"], "awaiting-payment");

    publish_payment(&uuid::Uuid::now_v7().to_string(), &order_id, true, 9_800).await;
    wait_for_status(&shopper.token, &order_id, "confirmed").await;

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

    // The stream holds exactly what happened, in order, and inventory committed the stock.
    let stream = order_stream(&order_id).await;
    assert_eq!(assert_sequences_contiguous(&stream), 5);
    assert_eq!(status_after(&event_types(&stream)), "shipped");
    let committed = eventually("inventory to commit the stock", PATIENCE, || async {
        let now = stock(&admin, &sku).await;
        (now["onHand"] == 3 && now["reserved"] == 0).then_some(now)
    })
    .await;
    assert_eq!(committed["available"], 3);

    // Each stored event went out on Kafka once, as a CloudEvent keyed and numbered by the
    // stream: analytics (a Kafka consumer) recorded ids <order>:1..=5.
    let recorded = eventually("analytics to see all five events", PATIENCE, || async {
        let events: Vec<Value> = analytics_events(&order_id)
            .await
            .into_iter()
            .filter(|e| e["topic"] == "order-events")
            .collect();
        (events.len() >= 5).then_some(events)
    })
    .await;
    let ids: Vec<&str> = recorded
        .iter()
        .map(|e| e["eventId"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=5).map(|n| format!("{order_id}:{n}")).collect();
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
        [1, 2, 3, 4, 5],
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

    let order_id = place(&shopper.token, &sku, 4).await["orderId"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_for_status(&shopper.token, &order_id, "awaiting-payment").await;
    let cancelled = cancel(&shopper.token, &order_id).await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let cancelled: Value = cancelled.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellationReason"], "customer");
    eventually("inventory to release the reservation", PATIENCE, || async {
        (stock(&admin, &sku).await["available"] == 4).then_some(())
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
    // Payments authorizes the test card by itself; the answer published here as well is then
    // a redelivery to the order. Published only once the order asked for payment (before
    // that, an answer is one the order cannot use yet).
    eventually("the order to ask for payment", PATIENCE, || async {
        let (_, view) = get_order(&shopper.token, &order_id).await;
        ["awaiting-payment", "confirmed"]
            .contains(&view["status"].as_str().unwrap_or_default())
            .then_some(())
    })
    .await;
    publish_payment(&uuid::Uuid::now_v7().to_string(), &order_id, true, 9_800).await;
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
    // One cancelled, the rest waiting for payment.
    for order_id in &placed {
        wait_for_status(&shopper.token, order_id, "awaiting-payment").await;
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
    // Only cancelled orders come back for status=cancelled, the one cancelled here among them
    // (the others may be cancelled by their deadline too, if this test runs slowly).
    let cancelled = eventually("the query table to catch up", PATIENCE, || async {
        let page = list("status=cancelled".into()).await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .any(|item| item["orderId"] == placed[0].as_str())
            .then_some(items)
    })
    .await;
    assert!(cancelled.iter().all(|item| item["status"] == "cancelled"));
    assert_eq!(
        cancelled
            .iter()
            .find(|item| item["orderId"] == placed[0].as_str())
            .unwrap()["cancellationReason"],
        "customer"
    );

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
    wait_for_status(&shopper.token, &order_id, "awaiting-payment").await;

    // Ten cancels by the customer, ten ships by an admin, all at once, plus payments' answer
    // arriving through Kafka in the middle of it.
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
    publish_payment(&uuid::Uuid::now_v7().to_string(), &order_id, true, 4_900).await;
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

    // Let the payment answer land (or be found too late), then compare.
    eventually("orders to consume payment-events", PATIENCE, || async {
        consumer_group_caught_up("orders", "payment-events").then_some(())
    })
    .await;
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
    assert!(types.iter().filter(|t| t.ends_with("confirmed.v1")).count() <= 1);
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
    wait_for_status(&shopper.token, &order_id, "awaiting-payment").await;

    // Inventory's answer again, as a redelivery (same id) and as a duplicate (new id).
    let reserved = json!({
        "specversion": "1.0", "type": "shop.stock.reserved.v1", "source": "shop/inventory",
        "subject": order_id, "datacontenttype": "application/json", "data": { "orderId": order_id },
    });
    for id in ["redelivered-reservation", "duplicate-reservation"] {
        let mut event = reserved.clone();
        event["id"] = format!("{id}-{order_id}").into();
        publish_keyed("inventory", "stock-events", &event, &order_id).await;
        publish_keyed("inventory", "stock-events", &event, &order_id).await;
    }
    // Payments' answer twice with one id, once more with another.
    let payment_id = uuid::Uuid::now_v7().to_string();
    publish_payment(&payment_id, &order_id, true, 9_800).await;
    publish_payment(&payment_id, &order_id, true, 9_800).await;
    publish_payment(&uuid::Uuid::now_v7().to_string(), &order_id, true, 9_800).await;
    wait_for_status(&shopper.token, &order_id, "confirmed").await;
    eventually("orders to consume every copy", PATIENCE, || async {
        (consumer_group_caught_up("orders", "stock-events")
            && consumer_group_caught_up("orders", "payment-events"))
        .then_some(())
    })
    .await;
    let stream = order_stream(&order_id).await;
    assert_eq!(
        event_types(&stream),
        [
            "shop.order.placed.v2",
            "shop.order.stock-reserved.v1",
            "shop.order.payment-requested.v1",
            "shop.order.confirmed.v1"
        ],
        "each answer recorded once"
    );

    // The projector gets an old order event again (as Kafka redelivers): the view stays.
    let before = get_order(&shopper.token, &order_id).await.1;
    let mut placed_again = json!({
        "specversion": "1.0", "id": format!("{order_id}:1"), "type": "shop.order.placed.v2",
        "source": "shop/orders", "subject": order_id, "datacontenttype": "application/json",
        "data": stream["events"][0]["data"], "sequence": 1,
    });
    publish_keyed("orders", "order-events", &placed_again, &order_id).await;
    placed_again["id"] = format!("{order_id}:3").into();
    publish_keyed("orders", "order-events", &placed_again, &order_id).await;
    eventually("orders to consume its own events", PATIENCE, || async {
        consumer_group_caught_up("orders", "order-events").then_some(())
    })
    .await;
    let after = get_order(&shopper.token, &order_id).await.1;
    assert_eq!(before, after);
    let listed = admin_list(&admin, &shopper.user.user_id).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["version"], 4);
    assert_eq!(listed["items"][0]["status"], "confirmed");
    // And inventory, which also saw the duplicates, reserved once and committed once.
    eventually("inventory to commit once", PATIENCE, || async {
        let now = stock(&admin, &sku).await;
        (now["onHand"] == 8 && now["reserved"] == 0).then_some(())
    })
    .await;
}
