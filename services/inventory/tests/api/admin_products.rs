//! Managing the catalogue: administrators only, every invalid field named.

use route_testing::Caller;
use salvo::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{admin, customer, product, spawn_app};

const PRODUCTS: &str = "/admin/catalog/products";

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn an_admin_creates_a_product_with_no_stock(pool: PgPool) {
    let app = spawn_app(pool);
    let answer = app
        .post(
            PRODUCTS,
            admin(),
            &product("walnut-desk-1", " Walnut desk ", "Office", 24_900),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert!(answer.content_type.starts_with("application/json"));
    let created = &answer.body;
    assert_eq!(
        created["sku"], "WALNUT-DESK-1",
        "SKUs are stored upper case"
    );
    assert_eq!(created["name"], "Walnut desk");
    assert_eq!(created["category"], "office");
    assert_eq!(
        created["price"],
        json!({ "minorUnits": 24_900, "currency": "EUR" })
    );
    assert_eq!(
        (created["available"].as_i64(), created["active"].as_bool()),
        (Some(0), Some(true))
    );
    assert!(
        created["productId"]
            .as_str()
            .unwrap()
            .parse::<Uuid>()
            .is_ok()
    );

    let (on_hand, reserved) = app.stock_row("WALNUT-DESK-1").await;
    assert_eq!(
        (on_hand, reserved),
        (0, 0),
        "an empty stock row comes with it"
    );
    let read = app
        .get("/catalog/products/WALNUT-DESK-1", Caller::Anonymous)
        .await;
    assert_eq!(read.body, answer.body);
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn a_second_product_with_the_same_sku_is_a_conflict(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 100).await;
    let duplicate = app
        .post(
            PRODUCTS,
            admin(),
            &product("lamp-1", "Another lamp", "home", 200),
        )
        .await;
    let problem = duplicate.assert_problem(StatusCode::CONFLICT);
    assert_eq!(problem["type"], "/problems/sku-taken");
    assert_eq!(problem["detail"], "a product with SKU LAMP-1 exists");
    let kept = app.get("/catalog/products/LAMP-1", Caller::Anonymous).await;
    assert_eq!(kept.body["name"], "Lamp");
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn invalid_fields_are_each_named(pool: PgPool) {
    let app = spawn_app(pool);
    let cases = [
        (product("LAMP-1", "Lamp", "home", -1), vec!["price"]),
        (product("x", "Lamp", "home", 100), vec!["sku"]),
        (product("LAMP-1", "", "home", 100), vec!["name"]),
        (
            product("LAMP-1", "Lamp", "Home & Garden", 100),
            vec!["category"],
        ),
        (
            json!({ "sku": "LAMP-1", "name": "Lamp", "category": "home",
                    "price": { "minorUnits": 100, "currency": "EUO" } }),
            vec!["currency"],
        ),
        (
            json!({ "sku": "LAMP-1", "name": "Lamp", "category": "home",
                    "price": { "minorUnits": 100, "currency": "EURO" } }),
            vec!["currency"],
        ),
        (
            product("x", "", "-", -1),
            vec!["sku", "name", "category", "price"],
        ),
    ];
    for (body, fields) in cases {
        let answer = app.post(PRODUCTS, admin(), &body).await;
        let problem = answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["type"], "/problems/validation-error");
        assert_eq!(answer.invalid_fields(), fields, "{body}");
    }
    let listed = app.get("/catalog/products", Caller::Anonymous).await;
    assert_eq!(listed.body["items"], json!([]), "nothing was created");
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn a_body_that_is_not_a_product_is_a_400(pool: PgPool) {
    let app = spawn_app(pool);
    let not_json = app
        .post_raw(PRODUCTS, admin(), "application/json", "{ not json")
        .await;
    not_json.assert_problem(StatusCode::BAD_REQUEST);
    let mut extra_field = product("LAMP-1", "Lamp", "home", 100);
    extra_field["colour"] = json!("red");
    app.post(PRODUCTS, admin(), &extra_field)
        .await
        .assert_problem(StatusCode::BAD_REQUEST);
    let missing = json!({ "sku": "LAMP-1", "name": "Lamp" });
    app.post(PRODUCTS, admin(), &missing)
        .await
        .assert_problem(StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn only_administrators_manage_products(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 100).await;
    let body = product("DESK-1", "Desk", "home", 100);
    let change = json!({ "name": "Sneaky" });
    for (caller, status) in [
        (customer(), StatusCode::FORBIDDEN),
        (Caller::Anonymous, StatusCode::UNAUTHORIZED),
    ] {
        app.post(PRODUCTS, caller, &body)
            .await
            .assert_problem(status);
        app.patch(&format!("{PRODUCTS}/LAMP-1"), caller, &change)
            .await
            .assert_problem(status);
        app.delete(&format!("{PRODUCTS}/LAMP-1"), caller)
            .await
            .assert_problem(status);
    }
    // Refused before the body is read: an invalid body from a customer is still a 403.
    app.post(PRODUCTS, customer(), &json!({}))
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    let lamp = app.get("/catalog/products/LAMP-1", Caller::Anonymous).await;
    assert_eq!(
        (lamp.body["name"].as_str(), lamp.body["active"].as_bool()),
        (Some("Lamp"), Some(true))
    );
    assert_eq!(
        app.get("/catalog/products/DESK-1", Caller::Anonymous)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn an_admin_changes_some_fields_and_the_rest_stay(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 100).await;
    let answer = app
        .patch(
            "/admin/catalog/products/lamp-1",
            admin(),
            &json!({ "price": { "minorUnits": 199, "currency": "usd" }, "category": "Lighting" }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.body["price"],
        json!({ "minorUnits": 199, "currency": "USD" })
    );
    assert_eq!(answer.body["category"], "lighting");
    assert_eq!(answer.body["name"], "Lamp");

    let invalid = app
        .patch(
            "/admin/catalog/products/x",
            admin(),
            &json!({ "name": "", "category": "-" }),
        )
        .await;
    invalid.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.invalid_fields(), ["sku", "name", "category"]);

    let unknown = app
        .patch(
            "/admin/catalog/products/NOPE-1",
            admin(),
            &json!({ "name": "Nope" }),
        )
        .await;
    assert_eq!(
        unknown.assert_problem(StatusCode::NOT_FOUND)["type"],
        "/problems/unknown-sku"
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn a_deactivated_product_is_kept_but_no_longer_listed(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 100).await;
    let removed = app.delete("/admin/catalog/products/LAMP-1", admin()).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(removed.body, json!(""), "no body");
    let listed = app.get("/catalog/products", Caller::Anonymous).await;
    assert_eq!(listed.body["items"], json!([]));
    let read = app.get("/catalog/products/LAMP-1", Caller::Anonymous).await;
    assert_eq!(read.body["active"], false);

    app.delete("/admin/catalog/products/NOPE-1", admin())
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let invalid = app.delete("/admin/catalog/products/x", admin()).await;
    invalid.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid.invalid_fields(), ["sku"]);
}
