//! This service's part of the public OpenAPI document (the gateway merges it into the one
//! document) states the rules the routes enforce, from the types that enforce them.

use route_testing::Caller;
use salvo::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::spawn_app;
use route_testing::openapi::{operations, parameter, resolve};

async fn document(pool: PgPool) -> Value {
    let answer = spawn_app(pool)
        .get("/openapi.json", Caller::Anonymous)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.body
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn only_the_public_routes_are_documented(pool: PgPool) {
    let document = document(pool).await;
    let mut paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/admin/catalog/products",
            "/admin/catalog/products/{sku}",
            "/admin/catalog/products/{sku}/stock",
            "/catalog/products",
            "/catalog/products/{sku}",
        ]
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn admin_routes_need_a_bearer_token_and_say_what_they_refuse(pool: PgPool) {
    let document = document(pool).await;
    for (path, method, operation) in operations(&document) {
        let problems: &[&str] = if path.starts_with("/admin/") {
            assert_eq!(
                operation["security"],
                json!([{ "bearer": [] }]),
                "{method} {path}"
            );
            &["401", "403", "404", "422", "500"]
        } else {
            assert!(
                operation.get("security").is_none(),
                "{method} {path} is public"
            );
            &["404", "422", "500"]
        };
        for status in problems {
            let response = &operation["responses"][status];
            assert!(
                response["content"]["application/problem+json"]["schema"].is_object(),
                "{method} {path} does not document {status}: {}",
                operation["responses"]
            );
        }
    }
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn success_statuses_are_the_ones_sent(pool: PgPool) {
    let document = document(pool).await;
    let success = |path: &str, method: &str| -> Vec<String> {
        let responses = document["paths"][path][method]["responses"]
            .as_object()
            .unwrap();
        responses
            .keys()
            .filter(|s| s.starts_with('2'))
            .cloned()
            .collect()
    };
    assert_eq!(success("/admin/catalog/products", "post"), ["201"]);
    assert_eq!(success("/admin/catalog/products/{sku}", "delete"), ["204"]);
    assert_eq!(success("/admin/catalog/products/{sku}", "patch"), ["200"]);
    assert_eq!(success("/catalog/products", "get"), ["200"]);
    let created = &document["paths"]["/admin/catalog/products"]["post"]["responses"]["201"];
    let product = resolve(&document, &created["content"]["application/json"]["schema"]);
    assert_eq!(
        resolve(&document, &product["properties"]["sku"])["pattern"],
        contracts::sku::PATTERN
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn skus_in_paths_and_bodies_carry_the_sku_rule(pool: PgPool) {
    let document = document(pool).await;
    for (path, method, operation) in operations(&document) {
        if !path.contains("{sku}") {
            continue;
        }
        let sku = parameter(operation, "sku");
        assert_eq!(sku["in"], "path");
        assert_eq!(sku["required"], true);
        let schema = resolve(&document, &sku["schema"]);
        assert_eq!(
            schema["pattern"],
            contracts::sku::PATTERN,
            "{method} {path}"
        );
        assert_eq!(schema["minLength"], contracts::sku::MIN_CHARS);
        assert_eq!(schema["maxLength"], contracts::sku::MAX_CHARS);
    }
    let create = &document["paths"]["/admin/catalog/products"]["post"];
    let body = resolve(
        &document,
        &create["requestBody"]["content"]["application/json"]["schema"],
    );
    assert_eq!(
        resolve(&document, &body["properties"]["sku"])["maxLength"],
        32
    );
    let price = resolve(&document, &body["properties"]["price"]);
    assert_eq!(price["properties"]["minorUnits"]["minimum"], 0);
    let currency = resolve(&document, &price["properties"]["currency"]);
    assert_eq!(
        currency["enum"],
        json!(["EUR", "USD", "GBP", "CHF", "SEK", "JPY"])
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn the_listing_documents_its_bounds_and_choices(pool: PgPool) {
    let document = document(pool).await;
    let list = &document["paths"]["/catalog/products"]["get"];
    let schema = |name: &str| resolve(&document, &parameter(list, name)["schema"]).clone();
    let limit = schema("limit");
    assert_eq!(
        (limit["minimum"].as_i64(), limit["maximum"].as_i64()),
        (Some(1), Some(100))
    );
    assert_eq!(limit["default"], 20);
    assert_eq!(
        schema("sort")["enum"],
        json!(["name", "price", "-price", "newest"])
    );
    assert_eq!(
        schema("category")["pattern"],
        "^[A-Za-z0-9](-?[A-Za-z0-9])*$"
    );
    assert_eq!(schema("category")["maxLength"], 50);
    assert_eq!(schema("q")["maxLength"], 200);
    assert_eq!(schema("q")["pattern"], "^[^\\u0000]*$", "no NUL");
    for bound in ["min_price", "max_price"] {
        assert_eq!(schema(bound)["minimum"], 0, "{bound}");
    }
    assert_eq!(schema("in_stock")["type"], "boolean");
    for name in [
        "category",
        "q",
        "min_price",
        "max_price",
        "in_stock",
        "sort",
        "cursor",
        "limit",
    ] {
        let parameter = parameter(list, name);
        assert_eq!(parameter["in"], "query");
        assert_ne!(parameter["required"], true, "{name} is optional");
    }
}
