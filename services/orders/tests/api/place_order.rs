//! Placing an order: everything refused before inventory is asked for prices (and before an
//! Idempotency-Key is claimed).

use route_testing::{Caller, fields, messages, problem};
use salvo::http::StatusCode;
use salvo::test::RequestBuilder;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

fn lines(lines: &[(&str, u32)]) -> Value {
    json!({
        "lines": lines
            .iter()
            .map(|(sku, quantity)| json!({ "sku": sku, "quantity": quantity }))
            .collect::<Vec<_>>()
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
        r#"{"lines": [{"sku": "LAMP-1", "quantity": 1, "price": 1}]}"#,
        r#"{"lines": [{"sku": "LAMP-1", "quantity": -1}]}"#,
        r#"{"lines": [{"sku": "LAMP-1", "quantity": 1.5}]}"#,
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
            request.raw_json(r#"{"lines": [{"sku": "LAMP-1", "quantity": 1000.0}]}"#)
        })
        .await;
    let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(messages(&body), ["line 1: between 1 and 999"]);
}
