//! Payments end to end, through the gateway and real sidecars, Kafka and the provider
//! (localstripe, asked directly for what it holds): an order paid by card is authorized,
//! confirmed and captured by itself; a declined card cancels the order and gives its stock back
//! once; a customer cancelling a confirmed order is refunded in full; an administrator's partial
//! refund happens once however often it is asked for; bad input gets 4xx problems; webhooks
//! are authenticated by their signature and count once.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use e2e::orders::{customer, get_order};
use e2e::payments::*;
use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn history_types(view: &Value) -> Vec<String> {
    view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["type"].as_str().unwrap().to_owned())
        .collect()
}

/// An order of `quantity` lamps (49.00 EUR each) paid with the test Visa, confirmed and its
/// payment captured; returns (order id, captured payment as administrators see it).
async fn captured_order(admin: &str, token: &str, sku: &str, quantity: u32) -> (String, Value) {
    let order_id = order_id_of(&place_with(token, &[(sku, quantity)], VISA).await);
    wait_for_order(token, &order_id, "confirmed", |v| {
        v["status"] == "confirmed"
    })
    .await;
    let payment = wait_for_payment_status(admin, &order_id, "captured").await;
    (order_id, payment)
}

#[tokio::test]
async fn an_order_paid_by_card_is_authorized_confirmed_captured_and_shipped_by_itself() {
    require_kafka();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let shopper = customer().await;

    let placed = place_with(&shopper.token, &[(&sku, 2)], VISA).await;
    let order_id = order_id_of(&placed);
    assert_eq!(
        placed["totalMinor"], 9_800,
        "priced by inventory: 2 x 49.00"
    );

    // Nothing is published by the test: inventory reserves, payments authorizes at the
    // provider, and the order confirms itself on `shop.payment.authorized.v1`.
    let confirmed = wait_for_order(&shopper.token, &order_id, "confirmed by itself", |v| {
        v["status"] == "confirmed"
    })
    .await;
    assert_eq!(
        history_types(&confirmed)[..4],
        [
            "shop.order.placed.v2",
            "shop.order.stock-reserved.v1",
            "shop.order.payment-requested.v1",
            "shop.order.confirmed.v1"
        ]
    );

    // Confirmed, so payments captures.
    let payment = wait_for_payment_status(&admin, &order_id, "captured").await;
    let intent_id = payment["providerPaymentId"].as_str().unwrap().to_owned();
    assert!(intent_id.starts_with("pi_"), "{payment}");
    assert_eq!(payment["orderId"], order_id.as_str());
    assert_eq!(payment["customerId"], shopper.user.user_id.as_str());
    assert_eq!(payment["orderOutcome"], "confirmed");
    assert_eq!(payment["amountMinor"], 9_800);
    assert_eq!(payment["currency"], "EUR");
    assert_eq!(payment["paymentMethodId"], VISA);
    assert_eq!(payment["authorizedMinor"], 9_800);
    assert_eq!(payment["capturedMinor"], 9_800);
    assert_eq!(payment["refundedMinor"], 0);
    assert!(payment["failure"].is_null(), "{payment}");

    // The customer sees the same payment, without the bookkeeping.
    let (code, mine) = my_payment(&shopper.token, &order_id).await;
    assert_eq!(code, StatusCode::OK, "{mine}");
    assert_eq!(mine["status"], "captured");
    assert_eq!(mine["capturedMinor"], 9_800);
    assert_eq!(mine["providerPaymentId"], intent_id.as_str());
    assert_eq!(mine["refunds"], json!([]));
    assert!(mine.get("ledger").is_none(), "{mine}");

    let shipped = ship(&admin, &order_id).await;
    assert_eq!(shipped.status(), StatusCode::OK);
    assert_eq!(shipped.json::<Value>().await.unwrap()["status"], "shipped");

    // At the provider: exactly one PaymentIntent for the order, captured for its total.
    let intent = assert_captured_once_at_provider(&order_id, 9_800).await;
    assert_eq!(intent["id"], intent_id.as_str());
    assert_eq!(
        intent["capture_method"], "manual",
        "authorized, captured later"
    );
    assert_eq!(intent["currency"], "eur");

    // The ledger: one authorize and one capture of the total, each under its own key.
    let payment = admin_payment(&admin, &order_id).await.1;
    assert_eq!(
        ledger_operations(&payment),
        [
            ("authorize".to_owned(), 9_800),
            ("capture".to_owned(), 9_800)
        ]
    );
    let ledger = payment["ledger"].as_array().unwrap();
    for entry in ledger {
        assert_eq!(entry["providerId"], intent_id.as_str(), "{entry}");
        assert_eq!(entry["currency"], "EUR", "{entry}");
        assert!(
            entry["idempotencyKey"]
                .as_str()
                .is_some_and(|k| !k.is_empty()),
            "{entry}"
        );
    }
    assert_ne!(ledger[0]["idempotencyKey"], ledger[1]["idempotencyKey"]);

    // On the broker: authorized and captured, keyed by the order, ids naming the change.
    let events = wait_for_payment_events(
        &order_id,
        &["shop.payment.authorized.v1", "shop.payment.captured.v1"],
    )
    .await;
    let authorized = &events["shop.payment.authorized.v1"];
    assert_eq!(authorized["id"], format!("{order_id}:authorized"));
    assert_eq!(authorized["data"]["orderId"], order_id.as_str());
    assert_eq!(authorized["data"]["amountMinor"], 9_800);
    assert_eq!(authorized["data"]["currency"], "EUR");
    assert_eq!(authorized["data"]["providerPaymentId"], intent_id.as_str());
    let captured = &events["shop.payment.captured.v1"];
    assert_eq!(captured["id"], format!("{order_id}:captured"));
    assert_eq!(captured["data"]["amountMinor"], 9_800);

    // The order records where the money is.
    wait_for_order(&shopper.token, &order_id, "to show the capture", |v| {
        v["payment"]["status"] == "captured" && v["payment"]["capturedMinor"] == 9_800
    })
    .await;

    // The administrators' list finds it by customer and status.
    let user_id = &shopper.user.user_id;
    let (code, list) =
        admin_payments(&admin, &format!("customer_id={user_id}&status=captured")).await;
    assert_eq!(code, StatusCode::OK, "{list}");
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["orderId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [order_id.as_str()]);
    let (_, failed) = admin_payments(&admin, &format!("customer_id={user_id}&status=failed")).await;
    assert_eq!(failed["items"], json!([]));

    // Inventory committed the stock on the confirmation.
    eventually(
        "inventory to commit the stock",
        e2e::orders::PATIENCE,
        || async {
            let now = stock(&admin, &sku).await;
            (now["onHand"] == 3 && now["reserved"] == 0).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn a_declined_card_cancels_the_order_and_gives_its_stock_back_once() {
    require_kafka();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 3).await;
    let shopper = customer().await;

    // The provider knows the card, so the order is accepted; charging it is declined.
    let order_id = order_id_of(&place_with(&shopper.token, &[(&sku, 2)], DECLINED).await);
    let cancelled = wait_for_order(&shopper.token, &order_id, "cancelled", |v| {
        v["status"] == "cancelled"
    })
    .await;
    assert_eq!(
        cancelled["cancellationReason"], "payment-failed",
        "{cancelled}"
    );
    assert_eq!(cancelled["payment"]["status"], "failed", "{cancelled}");

    let payment = wait_for_payment(&admin, &order_id, "failed and its order cancelled", |p| {
        p["status"] == "failed" && p["orderOutcome"] == "cancelled"
    })
    .await;
    assert_eq!(payment["failure"]["code"], "card_declined", "{payment}");
    assert!(
        payment["failure"]["reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty()),
        "{payment}"
    );
    assert_eq!(payment["authorizedMinor"], 0);
    assert_eq!(payment["capturedMinor"], 0);
    assert!(
        ledger_operations(&payment).is_empty(),
        "a declined card holds nothing: {payment}"
    );
    let (code, mine) = my_payment(&shopper.token, &order_id).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(mine["status"], "failed");
    assert_eq!(mine["failure"]["code"], "card_declined");

    // At the provider: at most the one declined PaymentIntent, nothing captured or held.
    let intents = payment_intents_of(&order_id).await;
    assert!(intents.len() <= 1, "{intents:#?}");
    for intent in &intents {
        assert!(
            !["succeeded", "requires_capture"].contains(&intent["status"].as_str().unwrap()),
            "a declined payment holds or takes nothing: {intent}"
        );
        assert_eq!(captured_at_provider(intent), 0, "{intent}");
    }

    // The reserved stock comes back, released exactly once.
    let level = wait_for_stock_back(&admin, &sku, 3).await;
    assert_eq!(
        stock_ledger_reasons(&level, &order_id),
        ["reservation", "release"],
        "reserved once, released once: {level}"
    );

    // A failed payment has nothing to refund.
    let (code, refused) = client_problem(
        refund(
            &admin,
            &order_id,
            &json!({ "amountMinor": 100, "reason": "goodwill" }),
            None,
        )
        .await,
        "refunding a failed payment",
    )
    .await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(refused["type"], "/problems/payment-not-refundable");
    assert_eq!(refused["currentStatus"], "failed");

    let events = wait_for_payment_events(&order_id, &["shop.payment.failed.v1"]).await;
    let failed = &events["shop.payment.failed.v1"];
    assert_eq!(failed["id"], format!("{order_id}:failed"));
    assert_eq!(failed["data"]["code"], "card_declined");
}

#[tokio::test]
async fn a_customer_cancelling_a_confirmed_order_is_refunded_in_full_and_the_stock_comes_back() {
    require_kafka();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 4).await;
    let shopper = customer().await;
    let (order_id, captured) = captured_order(&admin, &shopper.token, &sku, 1).await;
    let intent_id = captured["providerPaymentId"].as_str().unwrap().to_owned();

    // Confirmed and charged, not shipped: the customer may still take it back.
    let response = cancel(&shopper.token, &order_id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cancelled: Value = response.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancellationReason"], "customer");

    let payment = wait_for_payment(&admin, &order_id, "refunded in full", |p| {
        p["status"] == "refunded" && processor_idle(p)
    })
    .await;
    assert_eq!(payment["orderOutcome"], "cancelled");
    assert_eq!(payment["capturedMinor"], 4_900);
    assert_eq!(payment["refundedMinor"], 4_900);
    let refunds = payment["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 1, "{payment}");
    assert_eq!(refunds[0]["amountMinor"], 4_900);
    assert_eq!(refunds[0]["status"], "succeeded");
    let refund_id = refunds[0]["providerRefundId"].as_str().unwrap().to_owned();
    assert!(refund_id.starts_with("re_"), "{payment}");
    assert_eq!(
        ledger_operations(&payment),
        [
            ("authorize".to_owned(), 4_900),
            ("capture".to_owned(), 4_900),
            ("refund".to_owned(), 4_900)
        ]
    );

    // At the provider: the one PaymentIntent, refunded once, in full.
    assert_eq!(payment_intents_of(&order_id).await.len(), 1);
    let at_provider = localstripe_refunds(&intent_id).await;
    assert_eq!(at_provider.len(), 1, "{at_provider:#?}");
    assert_eq!(at_provider[0]["id"], refund_id.as_str());
    assert_eq!(at_provider[0]["amount"], 4_900);
    assert_eq!(at_provider[0]["status"], "succeeded");

    // On the broker.
    let events = wait_for_payment_events(&order_id, &["shop.payment.refunded.v1"]).await;
    let refunded = &events["shop.payment.refunded.v1"];
    assert!(
        refunded["id"]
            .as_str()
            .is_some_and(|id| id.starts_with(&format!("{order_id}:refund:"))),
        "{refunded}"
    );
    assert_eq!(refunded["data"]["amountMinor"], 4_900);
    assert_eq!(refunded["data"]["totalRefundedMinor"], 4_900);
    assert_eq!(refunded["data"]["providerRefundId"], refund_id.as_str());

    // The customer and the order see it.
    let (_, mine) = my_payment(&shopper.token, &order_id).await;
    assert_eq!(mine["status"], "refunded");
    assert_eq!(mine["refunds"][0]["status"], "succeeded");
    wait_for_order(&shopper.token, &order_id, "to show the refund", |v| {
        v["payment"]["status"] == "refunded" && v["payment"]["refundedMinor"] == 4_900
    })
    .await;

    // The stock comes back once: released if inventory had not committed it yet, returned if
    // it had.
    let level = wait_for_stock_back(&admin, &sku, 4).await;
    let reasons = stock_ledger_reasons(&level, &order_id);
    let given_back = reasons
        .iter()
        .filter(|r| *r == "release" || *r == "return")
        .count();
    assert_eq!(given_back, 1, "{reasons:?}");
    assert_eq!(reasons[0], "reservation", "{reasons:?}");
}

#[tokio::test]
async fn an_admin_refunds_part_of_a_shipped_order_once_however_often_it_is_asked() {
    require_kafka();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let shopper = customer().await;
    let (order_id, captured) = captured_order(&admin, &shopper.token, &sku, 2).await;
    let intent_id = captured["providerPaymentId"].as_str().unwrap().to_owned();
    assert_eq!(ship(&admin, &order_id).await.status(), StatusCode::OK);

    let key = uuid::Uuid::new_v4().to_string();
    let asked = json!({ "amountMinor": 1_500, "reason": "damaged in transit" });
    let first = refund(&admin, &order_id, &asked, Some(&key)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["refund"]["amountMinor"], 1_500, "{first}");
    assert_eq!(first["refund"]["reason"], "damaged in transit");
    assert!(
        ["pending", "succeeded"].contains(&first["refund"]["status"].as_str().unwrap()),
        "{first}"
    );
    assert_eq!(first["payment"]["orderId"], order_id.as_str());

    let payment = wait_for_payment(&admin, &order_id, "partially refunded", |p| {
        p["status"] == "partially-refunded" && p["refunds"][0]["status"] == "succeeded"
    })
    .await;
    assert_eq!(payment["capturedMinor"], 9_800);
    assert_eq!(payment["refundedMinor"], 1_500);
    let refund_id = payment["refunds"][0]["providerRefundId"]
        .as_str()
        .unwrap()
        .to_owned();
    let at_provider = localstripe_refunds(&intent_id).await;
    assert_eq!(at_provider.len(), 1, "{at_provider:#?}");
    assert_eq!(at_provider[0]["id"], refund_id.as_str());
    assert_eq!(at_provider[0]["amount"], 1_500);

    // The same request again: the same refund, nothing more refunded.
    let again = refund(&admin, &order_id, &asked, Some(&key)).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["refund"]["amountMinor"], 1_500);
    assert_eq!(again["refund"]["providerRefundId"], refund_id.as_str());
    assert_eq!(again["payment"]["refundedMinor"], 1_500);
    assert_eq!(localstripe_refunds(&intent_id).await.len(), 1);

    // The key names that refund: another amount under it is a client bug.
    let (code, reused) = client_problem(
        refund(
            &admin,
            &order_id,
            &json!({ "amountMinor": 1_600, "reason": "damaged in transit" }),
            Some(&key),
        )
        .await,
        "another refund under the same key",
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused["type"], "/problems/idempotency-key-reused");

    // More than is left (9 800 captured - 1 500 refunded) is refused, saying what is left.
    let (code, too_much) = client_problem(
        refund(
            &admin,
            &order_id,
            &json!({ "amountMinor": 8_301, "reason": "everything and a bit" }),
            Some(&uuid::Uuid::new_v4().to_string()),
        )
        .await,
        "refunding more than is left",
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_much["refundableMinor"], 8_300, "{too_much}");
    assert_eq!(problem_fields(&too_much), ["amountMinor"]);

    // Exactly one refund everywhere: the ledger, the payment, the provider, the order.
    let payment = wait_for_payment(&admin, &order_id, "settled", processor_idle).await;
    assert_eq!(payment["refundedMinor"], 1_500);
    assert_eq!(payment["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(
        ledger_operations(&payment),
        [
            ("authorize".to_owned(), 9_800),
            ("capture".to_owned(), 9_800),
            ("refund".to_owned(), 1_500)
        ]
    );
    let refund_entry = &payment["ledger"][2];
    assert_eq!(refund_entry["reason"], "damaged in transit", "{payment}");
    assert_eq!(refund_entry["providerId"], refund_id.as_str(), "{payment}");
    assert_eq!(localstripe_refunds(&intent_id).await.len(), 1);
    let (_, mine) = my_payment(&shopper.token, &order_id).await;
    assert_eq!(mine["status"], "partially-refunded");
    assert_eq!(mine["refunds"][0]["amountMinor"], 1_500);
    let view = wait_for_order(&shopper.token, &order_id, "to show the refund", |v| {
        v["payment"]["status"] == "partially-refunded" && v["payment"]["refundedMinor"] == 1_500
    })
    .await;
    assert_eq!(
        view["status"], "shipped",
        "a refund does not move the order"
    );
}

#[tokio::test]
async fn bad_payment_input_gets_4xx_problems_never_a_5xx() {
    require_kafka();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 10).await;
    let shopper = customer().await;
    let stranger = customer().await;
    let place_raw = |body: Value| {
        let token = shopper.token.clone();
        async move {
            http()
                .post(format!("{GATEWAY}/api/orders"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let line = json!([{ "sku": sku, "quantity": 1 }]);

    // Placing: a payment method the provider does not know, or that is not one at all.
    let (code, unknown) = client_problem(
        place_raw(json!({ "lines": line, "paymentMethodId": "pm_does_not_exist" })).await,
        "an unknown payment method",
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown["type"], "/problems/unknown-payment-method",
        "{unknown}"
    );
    for malformed in [
        json!("card_visa"),
        json!("pm_"),
        json!(format!("pm_{}", "a".repeat(121))),
    ] {
        let (code, problem) = client_problem(
            place_raw(json!({ "lines": line, "paymentMethodId": malformed })).await,
            &format!("payment method {malformed}"),
        )
        .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{malformed}");
        assert_eq!(problem_fields(&problem), ["paymentMethodId"], "{problem}");
    }
    for body in [
        // The client does not set the amount: inventory prices the order.
        json!({ "lines": line, "paymentMethodId": VISA, "amountMinor": 1 }),
        json!({ "lines": line }),
        json!({ "lines": line, "paymentMethodId": 42 }),
        json!({ "lines": line, "paymentMethodId": null }),
    ] {
        client_problem(place_raw(body.clone()).await, &format!("placing {body}")).await;
    }

    // Refunding: a captured payment, refunded wrongly in every way.
    let (order_id, _) = captured_order(&admin, &shopper.token, &sku, 1).await;
    let (code, too_much) = client_problem(
        refund(
            &admin,
            &order_id,
            &json!({ "amountMinor": 4_901, "reason": "too much" }),
            None,
        )
        .await,
        "refunding more than was captured",
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_much["refundableMinor"], 4_900, "{too_much}");
    assert_eq!(problem_fields(&too_much), ["amountMinor"]);
    for amount in [json!(-100), json!(0)] {
        let (code, problem) = client_problem(
            refund(
                &admin,
                &order_id,
                &json!({ "amountMinor": amount, "reason": "r" }),
                None,
            )
            .await,
            &format!("refunding {amount}"),
        )
        .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
        assert_eq!(problem_fields(&problem), ["amountMinor"], "{problem}");
    }
    for reason in ["", "two\nlines"] {
        let (code, problem) = client_problem(
            refund(
                &admin,
                &order_id,
                &json!({ "amountMinor": 100, "reason": reason }),
                None,
            )
            .await,
            &format!("refunding for {reason:?}"),
        )
        .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{reason:?}");
        assert_eq!(problem_fields(&problem), ["reason"], "{problem}");
    }
    for body in [
        json!({ "amountMinor": 1.5, "reason": "r" }),
        json!({ "amountMinor": "100", "reason": "r" }),
        json!({ "amountMinor": 100 }),
        json!({ "amountMinor": 100, "reason": "r", "currency": "EUR" }),
    ] {
        client_problem(
            refund(&admin, &order_id, &body, None).await,
            &format!("refunding {body}"),
        )
        .await;
    }
    let malformed = http()
        .post(format!("{GATEWAY}/api/admin/payments/{order_id}/refunds"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"amountMinor\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(
        client_problem(malformed, "malformed JSON").await.0,
        StatusCode::BAD_REQUEST
    );
    let (code, _) = client_problem(
        refund(
            &admin,
            &order_id,
            &json!({ "amountMinor": 100, "reason": "r" }),
            Some("has spaces in it"),
        )
        .await,
        "a malformed Idempotency-Key",
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);

    // Reading: another customer's payment does not exist for them; ids that name nothing.
    let (code, _) = my_payment(&stranger.token, &order_id).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let unknown = uuid::Uuid::new_v4().to_string();
    for id in ["not-a-uuid", "12345", unknown.as_str()] {
        let response = http()
            .get(format!("{GATEWAY}/api/payments/orders/{id}"))
            .bearer_auth(&shopper.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            client_problem(response, id).await.0,
            StatusCode::NOT_FOUND,
            "{id}"
        );
        let response = http()
            .get(format!("{GATEWAY}/api/admin/payments/{id}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(
            client_problem(response, id).await.0,
            StatusCode::NOT_FOUND,
            "{id}"
        );
        let response = refund(
            &admin,
            id,
            &json!({ "amountMinor": 100, "reason": "r" }),
            None,
        )
        .await;
        assert_eq!(
            client_problem(response, id).await.0,
            StatusCode::NOT_FOUND,
            "{id}"
        );
    }
    for query in ["status=lost", "customer_id=garbage", "limit=0", "limit=101"] {
        let (code, body) = admin_payments(&admin, query).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
    }
    let customer_on_admin = http()
        .get(format!("{GATEWAY}/api/admin/payments"))
        .bearer_auth(&shopper.token)
        .send()
        .await
        .unwrap();
    assert_eq!(customer_on_admin.status(), StatusCode::FORBIDDEN);
    let anonymous = http()
        .get(format!("{GATEWAY}/api/payments/orders/{order_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // None of it moved any money.
    let payment = admin_payment(&admin, &order_id).await.1;
    assert_eq!(payment["status"], "captured");
    assert_eq!(payment["refundedMinor"], 0);
    assert_eq!(payment["refunds"], json!([]));
    assert_eq!(ledger_operations(&payment).len(), 2);
    let intent = payment["providerPaymentId"].as_str().unwrap();
    assert_eq!(localstripe_refunds(intent).await, Vec::<Value>::new());
}

#[tokio::test]
async fn a_webhook_with_a_bad_signature_is_refused_and_changes_nothing() {
    require_kafka();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let shopper = customer().await;
    let (order_id, _) = captured_order(&admin, &shopper.token, &sku, 1).await;
    let before =
        settled_part(&wait_for_payment(&admin, &order_id, "settled", processor_idle).await);
    let intent = payment_intents_of(&order_id).await.remove(0);
    let event_id = format!("evt_e2e_{}", uuid::Uuid::new_v4().simple());
    let body = serde_json::to_vec(&payment_intent_event(
        &event_id,
        "payment_intent.succeeded",
        &intent,
    ))
    .unwrap();
    let secret = webhook_secret();
    let now = chrono::Utc::now().timestamp();

    let another_body =
        serde_json::to_vec(&json!({ "id": event_id, "type": "payment_intent.canceled" })).unwrap();
    let forgeries: [(&str, Option<String>); 6] = [
        ("no signature", None),
        ("not a signature", Some("garbage".to_owned())),
        (
            "signed with another secret",
            Some(stripe_signature("whsec_not_the_shops", &body)),
        ),
        (
            "the signature of another body",
            Some(stripe_signature(&secret, &another_body)),
        ),
        (
            "a signature an hour old",
            Some(stripe_signature_at(&secret, &body, now - 3_600)),
        ),
        (
            "a signature an hour ahead",
            Some(stripe_signature_at(&secret, &body, now + 3_600)),
        ),
    ];
    for (what, signature) in &forgeries {
        let response = send_webhook(&body, signature.as_deref()).await;
        let status = response.status();
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap()),
            Some(PROBLEM_JSON),
            "{what}"
        );
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}");
    }
    let after = settled_part(&admin_payment(&admin, &order_id).await.1);
    assert_eq!(after, before, "a refused webhook changes nothing");

    // The refused deliveries were not remembered: the genuine one is still new.
    let response = send_webhook(&body, Some(&stripe_signature(&secret, &body))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap()["outcome"],
        "reconciled"
    );
    let after =
        settled_part(&wait_for_payment(&admin, &order_id, "settled again", processor_idle).await);
    assert_eq!(
        after, before,
        "a captured payment reconciled is the same payment"
    );
}

#[tokio::test]
async fn a_webhook_delivered_twice_is_reconciled_once_and_changes_nothing() {
    require_kafka();
    require_localstripe();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 5).await;
    let shopper = customer().await;
    let (order_id, _) = captured_order(&admin, &shopper.token, &sku, 1).await;
    let before =
        settled_part(&wait_for_payment(&admin, &order_id, "settled", processor_idle).await);
    let intent = payment_intents_of(&order_id).await.remove(0);
    let secret = webhook_secret();
    let event_id = format!("evt_e2e_{}", uuid::Uuid::new_v4().simple());
    let body = serde_json::to_vec(&payment_intent_event(
        &event_id,
        "payment_intent.succeeded",
        &intent,
    ))
    .unwrap();
    let signature = stripe_signature(&secret, &body);

    let outcome = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()["outcome"].clone()
    };
    assert_eq!(
        outcome(send_webhook(&body, Some(&signature)).await).await,
        "reconciled"
    );
    // Delivered again as the provider retries (the same header), and signed anew.
    assert_eq!(
        outcome(send_webhook(&body, Some(&signature)).await).await,
        "ignored"
    );
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        outcome(send_webhook(&body, Some(&stripe_signature(&secret, &body))).await).await,
        "ignored"
    );

    // An event about a payment that is not ours is acknowledged and ignored.
    let mut stranger_intent = intent.clone();
    stranger_intent["id"] = json!(format!("pi_e2e{}", uuid::Uuid::new_v4().simple()));
    stranger_intent["metadata"] = json!({ "order_id": uuid::Uuid::new_v4().to_string() });
    let foreign = serde_json::to_vec(&payment_intent_event(
        &format!("evt_e2e_{}", uuid::Uuid::new_v4().simple()),
        "payment_intent.succeeded",
        &stranger_intent,
    ))
    .unwrap();
    assert_eq!(
        outcome(send_webhook(&foreign, Some(&stripe_signature(&secret, &foreign))).await).await,
        "ignored"
    );

    // Looked at again, the payment is where it was: the provider's state decides.
    let after =
        settled_part(&wait_for_payment(&admin, &order_id, "settled again", processor_idle).await);
    assert_eq!(after, before, "the payment and its ledger are unchanged");
    let intents = payment_intents_of(&order_id).await;
    assert_eq!(intents.len(), 1);
    assert_eq!(captured_at_provider(&intents[0]), 4_900);
    assert_eq!(
        localstripe_refunds(intents[0]["id"].as_str().unwrap()).await,
        Vec::<Value>::new()
    );
    let (_, order) = get_order(&shopper.token, &order_id).await;
    assert_eq!(order["status"], "confirmed");
}
