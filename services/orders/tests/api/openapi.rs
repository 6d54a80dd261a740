//! The service's part of the public API document (`/openapi.json`, merged by the gateway): every
//! route declares its caller, its problems and the rules of its parameters.

use route_testing::Caller;
use salvo::http::StatusCode;
use salvo::test::ResponseExt;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::spawn_app;
use route_testing::openapi::{named_operations, parameter, resolve};

async fn document(pool: PgPool) -> Value {
    let app = spawn_app(pool);
    let mut response = app.get("/openapi.json", Caller::Anonymous).await;
    assert_eq!(response.status_code, Some(StatusCode::OK));
    response.take_json().await.unwrap()
}

/// A parameter's schema, with a `$ref` followed into the components.
fn schema<'a>(document: &'a Value, parameter: &'a Value) -> &'a Value {
    resolve(document, &parameter["schema"])
}

/// The component a property refers to, through the `allOf` its description adds and the `oneOf`
/// with `null` of an optional property.
fn referenced<'a>(document: &'a Value, schema: &Value) -> &'a Value {
    fn reference(schema: &Value) -> Option<&str> {
        schema["$ref"].as_str().or_else(|| {
            ["allOf", "oneOf", "anyOf"]
                .iter()
                .filter_map(|key| schema[key].as_array())
                .flatten()
                .find_map(reference)
        })
    }
    let name = reference(schema)
        .unwrap_or_else(|| panic!("no $ref in {schema}"))
        .trim_start_matches("#/components/schemas/");
    &document["components"]["schemas"][name]
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn only_the_public_routes_are_documented(pool: PgPool) {
    let document = document(pool).await;
    let mut paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/admin/orders",
            "/admin/orders/{order_id}",
            "/admin/orders/{order_id}/ship",
            "/orders",
            "/orders/{order_id}",
            "/orders/{order_id}/cancel",
        ]
    );
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn every_route_declares_bearer_security_and_its_problems(pool: PgPool) {
    let document = document(pool).await;
    let operations = named_operations(&document);
    assert_eq!(operations.len(), 7);
    for (name, operation) in operations {
        assert_eq!(operation["security"], json!([{ "bearer": [] }]), "{name}");
        let mut statuses = vec!["401", "404", "409", "422", "500", "503"];
        if name.contains("/admin/") {
            statuses.push("403");
        }
        for status in statuses {
            let response = &operation["responses"][status];
            assert!(
                response["content"]["application/problem+json"].is_object(),
                "{name} does not document its {status}: {}",
                operation["responses"]
            );
        }
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn ids_limits_statuses_and_keys_carry_their_rules(pool: PgPool) {
    let document = document(pool).await;
    let paths = &document["paths"];
    for (path, method) in [
        ("/orders/{order_id}", "get"),
        ("/orders/{order_id}/cancel", "post"),
        ("/admin/orders/{order_id}", "get"),
        ("/admin/orders/{order_id}/ship", "post"),
    ] {
        let order_id = parameter(&paths[path][method], "order_id");
        assert_eq!(order_id["in"], "path");
        assert_eq!(schema(&document, order_id)["format"], "uuid", "{path}");
    }
    for path in ["/orders", "/admin/orders"] {
        let list = &paths[path]["get"];
        let limit = schema(&document, parameter(list, "limit"));
        assert_eq!(
            (&limit["minimum"], &limit["maximum"], &limit["default"]),
            (&json!(1), &json!(100), &json!(20)),
            "{path}: {limit}"
        );
        let status = schema(&document, parameter(list, "status"));
        assert_eq!(
            status["enum"],
            json!([
                "awaiting-stock",
                "awaiting-payment",
                "confirmed",
                "shipped",
                "cancelled"
            ]),
            "{path}: {status}"
        );
        assert!(schema(&document, parameter(list, "cursor"))["pattern"].is_string());
    }
    let customer_id = parameter(&paths["/admin/orders"]["get"], "customer_id");
    assert_eq!(schema(&document, customer_id)["format"], "uuid");

    let place = &paths["/orders"]["post"];
    let key = parameter(place, "Idempotency-Key");
    assert_eq!(key["in"], "header");
    assert_eq!(key["schema"]["maxLength"], 255);
    assert_eq!(place["requestBody"]["required"], true);
    // Four refusals share the 422 of a placement; the endpoint says which.
    let refused = place["responses"]["422"]["description"].as_str().unwrap();
    assert!(refused.contains("Idempotency-Key"), "{refused}");
    assert!(
        refused.contains("/problems/unknown-payment-method"),
        "{refused}"
    );
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_placement_documents_its_payment_method(pool: PgPool) {
    let document = document(pool).await;
    let place = &document["paths"]["/orders"]["post"];
    let body = resolve(
        &document,
        &place["requestBody"]["content"]["application/json"]["schema"],
    );
    assert_eq!(
        body["required"],
        json!(["lines", "paymentMethodId"]),
        "{body}"
    );
    let payment_method = referenced(&document, &body["properties"]["paymentMethodId"]);
    assert_eq!(
        payment_method["pattern"],
        contracts::payment::PAYMENT_METHOD_PATTERN,
        "{payment_method}"
    );
    // Where the id comes from, and the ids to try it with.
    let description = place["description"].as_str().unwrap_or_default();
    for needed in ["Stripe.js", "pm_card_visa", "pm_card_chargeCustomerFail"] {
        assert!(description.contains(needed), "{needed}: {description}");
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn the_order_documents_its_payment(pool: PgPool) {
    let document = document(pool).await;
    let placed = &document["paths"]["/orders"]["post"]["responses"]["201"];
    let view = referenced(&document, &placed["content"]["application/json"]["schema"]);
    let payment = referenced(&document, &view["properties"]["payment"]);
    assert!(
        !view["required"]
            .as_array()
            .unwrap()
            .contains(&json!("payment")),
        "absent until payment is requested: {view}"
    );
    let mut required: Vec<&str> = payment["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    required.sort_unstable();
    assert_eq!(
        required,
        ["capturedMinor", "refundedMinor", "status"],
        "{payment}"
    );
    let status = referenced(&document, &payment["properties"]["status"]);
    assert_eq!(
        status["enum"],
        json!([
            "pending",
            "authorized",
            "failed",
            "captured",
            "voided",
            "refunded",
            "partially-refunded"
        ]),
        "{status}"
    );
}
