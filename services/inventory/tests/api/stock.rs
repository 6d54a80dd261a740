//! Stock administration: restocks and corrections in the ledger, and the stock of a SKU.

use route_testing::Caller;
use salvo::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{admin, customer, spawn_app};

fn stock_path(sku: &str) -> String {
    format!("/admin/catalog/products/{sku}/stock")
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn a_restock_is_recorded_with_who_and_why(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 100).await;
    let admin_id = Uuid::new_v4();
    let answer = app
        .post(
            &stock_path("lamp-1"),
            Caller::Admin(admin_id),
            &json!({ "delta": 10, "reason": "  delivery 42  " }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let level = &answer.body;
    assert_eq!(level["sku"], "LAMP-1");
    assert_eq!(
        (
            level["onHand"].as_i64(),
            level["reserved"].as_i64(),
            level["available"].as_i64()
        ),
        (Some(10), Some(0), Some(10))
    );
    assert_eq!(level["lowStockThreshold"], 5);
    let ledger = level["ledger"].as_array().unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["onHandDelta"], 10);
    assert_eq!(ledger[0]["reservedDelta"], 0);
    assert_eq!(ledger[0]["reason"], "delivery 42");
    assert_eq!(ledger[0]["actor"], format!("admin:{admin_id}"));
    assert!(ledger[0].get("orderId").is_none() || ledger[0]["orderId"].is_null());

    let shrinkage = app
        .post(
            &stock_path("LAMP-1"),
            admin(),
            &json!({ "delta": -3, "reason": "broken" }),
        )
        .await;
    assert_eq!(shrinkage.body["onHand"], 7);
    let read = app.get(&stock_path("LAMP-1"), admin()).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(
        read.body, shrinkage.body,
        "reading shows the same numbers and ledger"
    );
    assert_eq!(read.body["ledger"].as_array().unwrap().len(), 2);
    assert_eq!(app.stock_row("LAMP-1").await, (7, 0));
    let product = app.get("/catalog/products/LAMP-1", Caller::Anonymous).await;
    assert_eq!(product.body["available"], 7);
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn reserved_stock_cannot_be_removed(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 100).await;
    app.restock("LAMP-1", 5).await;
    sqlx::query("UPDATE stock SET reserved = 4 WHERE sku = 'LAMP-1'")
        .execute(&app.pool)
        .await
        .unwrap();
    let answer = app
        .post(
            &stock_path("LAMP-1"),
            admin(),
            &json!({ "delta": -2, "reason": "count" }),
        )
        .await;
    let problem = answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "delta");
    assert_eq!(
        problem["errors"][0]["message"],
        "would remove stock that is reserved for orders"
    );
    assert_eq!(app.stock_row("LAMP-1").await, (5, 4), "nothing changed");
    assert_eq!(app.ledger_len("LAMP-1").await, 1, "only the restock");

    let allowed = app
        .post(
            &stock_path("LAMP-1"),
            admin(),
            &json!({ "delta": -1, "reason": "count" }),
        )
        .await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(app.stock_row("LAMP-1").await, (4, 4));
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn bad_adjustments_are_refused(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 100).await;
    for (body, field) in [
        (json!({ "delta": 0, "reason": "nothing" }), "delta"),
        (json!({ "delta": 1_000_001, "reason": "typo" }), "delta"),
        (json!({ "delta": 1, "reason": "" }), "reason"),
        (json!({ "delta": 1, "reason": "r".repeat(201) }), "reason"),
        (json!({ "delta": 1, "reason": "crate\u{0}12" }), "reason"),
    ] {
        let answer = app.post(&stock_path("LAMP-1"), admin(), &body).await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.invalid_fields(), [field], "{body}");
    }
    let bad_sku = app
        .post(
            &stock_path("x"),
            admin(),
            &json!({ "delta": 1, "reason": "restock" }),
        )
        .await;
    bad_sku.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_sku.invalid_fields(), ["sku"]);
    app.post(
        &stock_path("LAMP-1"),
        admin(),
        &json!({ "delta": 1.5, "reason": "half" }),
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST);
    app.post(
        &stock_path("NOPE-1"),
        admin(),
        &json!({ "delta": 1, "reason": "restock" }),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    app.post(
        &stock_path("NOPE-1"),
        admin(),
        &json!({ "delta": -1, "reason": "count" }),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    assert_eq!(app.stock_row("LAMP-1").await, (0, 0));
    assert_eq!(app.ledger_len("LAMP-1").await, 0);
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn stock_is_for_administrators(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 100).await;
    let body = json!({ "delta": 5, "reason": "restock" });
    for (caller, status) in [
        (customer(), StatusCode::FORBIDDEN),
        (Caller::Anonymous, StatusCode::UNAUTHORIZED),
    ] {
        app.get(&stock_path("LAMP-1"), caller)
            .await
            .assert_problem(status);
        app.post(&stock_path("LAMP-1"), caller, &body)
            .await
            .assert_problem(status);
    }
    assert_eq!(app.stock_row("LAMP-1").await, (0, 0));
    let unknown = app.get(&stock_path("NOPE-1"), admin()).await;
    assert_eq!(
        unknown.assert_problem(StatusCode::NOT_FOUND)["type"],
        "/problems/unknown-sku"
    );
}
