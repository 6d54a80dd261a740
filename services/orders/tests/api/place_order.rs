//! Placing an order: everything refused before inventory is asked for prices and payments about
//! the payment method (and before an Idempotency-Key is claimed), and what a placement answers
//! when neither can be reached.

use route_testing::{Caller, fields, messages, problem};
use salvo::http::StatusCode;
use salvo::test::RequestBuilder;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

/// An order of `lines` (sku, quantity), paid with Stripe's test card.
fn lines(lines: &[(&str, u32)]) -> Value {
    paid_with(lines, "pm_card_visa")
}

fn paid_with(lines: &[(&str, u32)], payment_method_id: &str) -> Value {
    json!({
        "lines": lines
            .iter()
            .map(|(sku, quantity)| json!({ "sku": sku, "quantity": quantity }))
            .collect::<Vec<_>>(),
        "paymentMethodId": payment_method_id,
    })
}

async fn place(app: &TestApp, body: &Value) -> salvo::Response {
    app.post("/orders", Caller::Customer(Uuid::new_v4()), body)
        .await
}

async fn keys_claimed(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM idempotency_keys")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn every_bad_line_is_named_with_its_position(pool: PgPool) {
    let app = spawn_app(pool);
    let body = problem(
        &mut place(
            &app,
            &lines(&[("lamp-1", 0), ("x", 1), ("LAMP-1", 1000), ("-AB", 1)]),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["type"], "/problems/validation-error");
    assert_eq!(
        fields(&body),
        [
            "lines.quantity",
            "lines.sku",
            "lines.quantity",
            "lines.sku",
            "lines.sku"
        ]
    );
    assert_eq!(
        messages(&body),
        [
            "line 1: between 1 and 999",
            "line 2: a SKU is 3 to 32 of A-Z, 0-9 and -",
            "line 3: between 1 and 999",
            "line 3: LAMP-1 is already on an earlier line",
            "line 4: a SKU is 3 to 32 of A-Z, 0-9 and -",
        ]
    );
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn an_order_has_1_to_50_lines(pool: PgPool) {
    let app = spawn_app(pool);
    for count in [0, 51] {
        let skus: Vec<String> = (0..count).map(|i| format!("SKU-{i}")).collect();
        let requested: Vec<(&str, u32)> = skus.iter().map(|sku| (sku.as_str(), 1)).collect();
        let body = problem(
            &mut place(&app, &lines(&requested)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&body), ["lines"], "{count} lines");
        assert_eq!(messages(&body), ["between 1 and 50 lines"], "{count} lines");
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_body_that_is_not_an_order_is_a_bad_request(pool: PgPool) {
    let app = spawn_app(pool);
    for raw in [
        r#"{"lines": ["#,
        r#"{"lines": [{"sku": "LAMP-1", "quantity": 1, "price": 1}], "paymentMethodId": "pm_card_visa"}"#,
        r#"{"lines": [{"sku": "LAMP-1", "quantity": -1}], "paymentMethodId": "pm_card_visa"}"#,
        r#"{"lines": [{"sku": "LAMP-1", "quantity": 1.5}], "paymentMethodId": "pm_card_visa"}"#,
        // The payment method is required, and an id is text.
        r#"{"lines": [{"sku": "LAMP-1", "quantity": 1}]}"#,
        r#"{"lines": [{"sku": "LAMP-1", "quantity": 1}], "paymentMethodId": 4242}"#,
        r#"{"lines": [{"sku": "LAMP-1", "quantity": 1}], "paymentMethodId": null}"#,
        r#"{"lines": [{"sku": "LAMP-1", "quantity": 1}], "paymentMethodId": "pm_card_visa", "card": "4242424242424242"}"#,
        r#"{"items": []}"#,
        "",
    ] {
        let mut response = app
            .post_with("/orders", Caller::Customer(Uuid::new_v4()), |request| {
                request.raw_json(raw)
            })
            .await;
        let body = problem(&mut response, StatusCode::BAD_REQUEST).await;
        assert_eq!(body["type"], "/problems/bad-request", "{raw}: {body}");
    }
}

fn with_key(key: &'static str) -> impl FnOnce(RequestBuilder) -> RequestBuilder {
    move |request| {
        request
            .add_header("idempotency-key", key, true)
            .json(&lines(&[("LAMP-1", 1)]))
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn an_idempotency_key_is_1_to_255_visible_ascii_characters(pool: PgPool) {
    let app = spawn_app(pool);
    let too_long: &'static str = "k".repeat(256).leak();
    for key in ["has spaces in it", too_long, ""] {
        let mut response = app
            .post_with("/orders", Caller::Customer(Uuid::new_v4()), with_key(key))
            .await;
        let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&body), ["Idempotency-Key"], "{key:?}");
        assert_eq!(
            messages(&body),
            ["1 to 255 visible ASCII characters"],
            "{key:?}"
        );
    }
    assert_eq!(keys_claimed(&app).await, 0);
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_refused_placement_claims_no_idempotency_key(pool: PgPool) {
    let app = spawn_app(pool);
    let mut response = app
        .post_with("/orders", Caller::Customer(Uuid::new_v4()), |request| {
            request
                .add_header("idempotency-key", Uuid::new_v4().to_string(), true)
                .json(&lines(&[("LAMP-1", 0)]))
        })
        .await;
    problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
    // The same key may be used again, for the corrected request.
    assert_eq!(keys_claimed(&app).await, 0);
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_quantity_written_with_a_fraction_part_of_zero_is_a_whole_number(pool: PgPool) {
    let app = spawn_app(pool);
    // JSON Schema's integers include 1000.0: read as 1000, then refused as out of range.
    let mut response = app
        .post_with("/orders", Caller::Customer(Uuid::new_v4()), |request| {
            request.raw_json(
                r#"{"lines": [{"sku": "LAMP-1", "quantity": 1000.0}], "paymentMethodId": "pm_card_visa"}"#,
            )
        })
        .await;
    let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(messages(&body), ["line 1: between 1 and 999"]);
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_malformed_payment_method_is_named_with_the_other_fields_before_anything_is_asked(
    pool: PgPool,
) {
    let app = spawn_app(pool);
    // A 422 and not a 503: nothing was asked of the (unreachable) sidecar.
    for (body, expected) in [
        (
            paid_with(&[("LAMP-1", 1)], "card_visa"),
            vec!["paymentMethodId"],
        ),
        (paid_with(&[("LAMP-1", 1)], "pm_"), vec!["paymentMethodId"]),
        (
            paid_with(&[("LAMP-1", 1)], "pm_4242 4242 4242 4242"),
            vec!["paymentMethodId"],
        ),
        (
            paid_with(&[("LAMP-1", 0), ("x", 1)], "tok_visa"),
            vec!["lines.quantity", "lines.sku", "paymentMethodId"],
        ),
        (paid_with(&[], ""), vec!["lines", "paymentMethodId"]),
    ] {
        let mut response = app
            .post_with("/orders", Caller::Customer(Uuid::new_v4()), |request| {
                request
                    .add_header("idempotency-key", Uuid::new_v4().to_string(), true)
                    .json(&body)
            })
            .await;
        let problem = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&problem), expected, "{body}");
    }
    let body = problem(
        &mut place(&app, &paid_with(&[("LAMP-1", 1)], "card_visa")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        messages(&body),
        ["a payment method id starts with pm_ (made by the provider's checkout form)"]
    );
    assert_eq!(keys_claimed(&app).await, 0);
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_placement_payments_and_inventory_cannot_answer_is_a_503_to_retry(pool: PgPool) {
    let app = spawn_app(pool);
    let body = problem(
        &mut place(&app, &paid_with(&[("LAMP-1", 1)], "pm_card_visa")).await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_eq!(body["type"], "/problems/dependency-unavailable", "{body}");
    // Nothing about why goes to the client.
    assert_eq!(
        body["detail"],
        "a service orders depends on is unavailable; retry"
    );
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn the_same_idempotency_key_with_another_payment_method_is_another_request(pool: PgPool) {
    let app = spawn_app(pool);
    let customer = Caller::Customer(Uuid::new_v4());
    let key = Uuid::new_v4().to_string();
    let send = |payment_method_id: &'static str| {
        let key = key.clone();
        move |request: RequestBuilder| {
            request
                .add_header("idempotency-key", key, true)
                .json(&paid_with(&[("LAMP-1", 1)], payment_method_id))
        }
    };
    // The key is claimed for this request; the placement itself cannot go on without payments.
    let mut first = app
        .post_with("/orders", customer, send("pm_card_visa"))
        .await;
    problem(&mut first, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(keys_claimed(&app).await, 1);

    let mut other = app
        .post_with("/orders", customer, send("pm_card_mastercard"))
        .await;
    let body = problem(&mut other, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["type"], "/problems/idempotency-key-reused", "{body}");

    // The same request again is a retry, not a reuse: it looks for the order the key placed
    // (through the order's actor, behind the sidecar).
    let mut retry = app
        .post_with("/orders", customer, send("pm_card_visa"))
        .await;
    problem(&mut retry, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(keys_claimed(&app).await, 1);
}
