//! The service's part of the public API document (`/openapi.json`, merged by the gateway):
//! every route declares its caller and its problems, the refund body and the parameters carry
//! the rules the service applies, and the provider's webhook asks for no bearer token.

use route_testing::Caller;
use route_testing::openapi::{named_operations, parameter, resolve};
use salvo::http::StatusCode;
use salvo::test::ResponseExt;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::spawn_app;

const WEBHOOK: &str = "post /payments/webhooks/stripe";

async fn document(pool: PgPool) -> Value {
    let app = spawn_app(pool);
    let mut response = app.get("/openapi.json", Caller::Anonymous).await;
    assert_eq!(response.status_code, Some(StatusCode::OK));
    response.take_json().await.unwrap()
}

fn documents_problem(operation: &Value, status: &str) -> bool {
    operation["responses"][status]["content"]["application/problem+json"].is_object()
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn only_the_public_routes_are_documented(pool: PgPool) {
    let document = document(pool).await;
    let mut names: Vec<String> = named_operations(&document)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    names.sort();
    // Not the event intake, not the internal payment-method check.
    assert_eq!(
        names,
        [
            "get /admin/payments",
            "get /admin/payments/{order_id}",
            "get /payments/orders/{order_id}",
            "post /admin/payments/{order_id}/refunds",
            "post /payments/webhooks/stripe",
        ]
    );
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn every_route_declares_its_caller_and_its_problems(pool: PgPool) {
    let document = document(pool).await;
    for (name, operation) in named_operations(&document) {
        let mut statuses = vec!["500"];
        if name == WEBHOOK {
            // The provider is not a signed-in user: its signature authenticates it.
            assert!(
                operation.get("security").is_none(),
                "{name}: {}",
                operation["security"]
            );
            statuses.push("400");
            for status in ["401", "404", "409", "422", "503"] {
                assert!(!documents_problem(operation, status), "{name}: {status}");
            }
        } else {
            assert_eq!(operation["security"], json!([{ "bearer": [] }]), "{name}");
            statuses.push("401");
            if name.contains("{order_id}") {
                statuses.push("404");
            } else {
                assert!(
                    !documents_problem(operation, "404"),
                    "{name} names no payment"
                );
            }
            if name.contains("/admin/") {
                statuses.push("403");
            } else {
                assert!(!documents_problem(operation, "403"), "{name}");
            }
        }
        if name.starts_with("post /admin/") || name == "get /admin/payments" {
            statuses.push("422");
        }
        if name.ends_with("/refunds") {
            statuses.extend(["400", "409"]);
        }
        for status in statuses {
            assert!(
                documents_problem(operation, status),
                "{name} does not document its {status}: {}",
                operation["responses"]
            );
        }
    }
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_refund_documents_its_rules_and_both_answers(pool: PgPool) {
    let document = document(pool).await;
    let refund = &document["paths"]["/admin/payments/{order_id}/refunds"]["post"];
    assert_eq!(refund["requestBody"]["required"], true);
    let body = resolve(
        &document,
        &refund["requestBody"]["content"]["application/json"]["schema"],
    );
    let mut required: Vec<&str> = body["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field.as_str().unwrap())
        .collect();
    required.sort_unstable();
    assert_eq!(required, ["amountMinor", "reason"], "{body}");
    assert_eq!(body["additionalProperties"], false, "{body}");
    let amount = &body["properties"]["amountMinor"];
    assert_eq!(amount["type"], "integer", "{amount}");
    assert_eq!(amount["minimum"], 1, "{amount}");
    let reason = &body["properties"]["reason"];
    assert_eq!(
        (&reason["minLength"], &reason["maxLength"]),
        (&json!(1), &json!(200)),
        "{reason}"
    );
    assert!(reason["pattern"].is_string(), "one line: {reason}");

    let key = parameter(refund, "Idempotency-Key");
    assert_eq!(key["in"], "header");
    assert_eq!(key["required"], false);
    assert_eq!(
        (&key["schema"]["minLength"], &key["schema"]["maxLength"]),
        (&json!(1), &json!(255))
    );
    for status in ["200", "201"] {
        assert!(
            refund["responses"][status]["content"]["application/json"].is_object(),
            "{status}: {}",
            refund["responses"]
        );
    }
    // Its 400 is about its body (the error type's 400 is the webhook's signature).
    let bad_request = refund["responses"]["400"]["description"].as_str().unwrap();
    assert!(bad_request.contains("not JSON"), "{bad_request}");
    // A provider out of reach leaves a refund pending; this route has no 503 to give.
    assert!(
        refund["responses"]["503"].is_null(),
        "{}",
        refund["responses"]
    );
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn ids_statuses_and_limits_carry_their_rules(pool: PgPool) {
    let document = document(pool).await;
    let paths = &document["paths"];
    for (path, method) in [
        ("/payments/orders/{order_id}", "get"),
        ("/admin/payments/{order_id}", "get"),
        ("/admin/payments/{order_id}/refunds", "post"),
    ] {
        let order_id = parameter(&paths[path][method], "order_id");
        assert_eq!(order_id["in"], "path");
        assert_eq!(resolve(&document, &order_id["schema"])["format"], "uuid");
    }
    let list = &paths["/admin/payments"]["get"];
    let status = resolve(&document, &parameter(list, "status")["schema"]);
    assert_eq!(
        status["enum"],
        json!([
            "authorizing",
            "authorized",
            "captured",
            "partially-refunded",
            "refunded",
            "voided",
            "failed",
            "abandoned"
        ]),
        "{status}"
    );
    let customer_id = resolve(&document, &parameter(list, "customer_id")["schema"]);
    assert_eq!(customer_id["format"], "uuid");
    let limit = resolve(&document, &parameter(list, "limit")["schema"]);
    assert_eq!(
        (&limit["minimum"], &limit["maximum"], &limit["default"]),
        (&json!(1), &json!(100), &json!(20)),
        "{limit}"
    );
}
