//! The public API's one OpenAPI document: valid, complete, and true to what the API does.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::process::Command;

use e2e::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn api_document() -> Value {
    let response = http()
        .get(format!("{GATEWAY}/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_api_document_is_valid_openapi_3_1_and_lists_the_public_routes() {
    let document = api_document().await;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        document["openapi"]
    );
    let paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
    for expected in [
        "/api/users/register",
        "/api/users/login",
        "/api/users/refresh",
        "/api/users/logout",
        "/api/users/me",
        "/api/admin/users",
        "/api/orders",
        "/api/orders/{order_id}",
        "/api/orders/{order_id}/cancel",
        "/api/admin/orders",
        "/api/admin/orders/{order_id}",
        "/api/admin/orders/{order_id}/ship",
        "/api/payments/orders/{order_id}",
        "/api/payments/webhooks/stripe",
        "/api/admin/payments",
        "/api/admin/payments/{order_id}",
        "/api/admin/payments/{order_id}/refunds",
        "/api/notifications/preferences",
        "/api/notifications/history",
        "/api/admin/notifications",
        "/api/admin/notifications/{notification_id}",
        "/api/admin/notifications/dead-letters",
        "/api/admin/notifications/dead-letters/replay",
        "/api/admin/notifications/dead-letters/{notification_id}/replay",
    ] {
        assert!(
            paths.iter().any(|p| *p == expected),
            "{expected} is not documented: {paths:?}"
        );
    }
    assert!(
        paths.iter().all(|p| p.starts_with("/api/")),
        "internal routes leaked: {paths:?}"
    );

    let file = std::env::temp_dir().join(format!("shop-openapi-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, serde_json::to_vec_pretty(&document).unwrap()).unwrap();
    let output = Command::new(python_tool("openapi-spec-validator"))
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "the document is not valid OpenAPI:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Operations anyone may call: signing up and in, the public user count, reading the
/// catalogue, and the payment provider's webhook (signed with its own secret). Everything else
/// needs a signed-in caller, and the document must say so (the gateway refuses it with 401).
fn is_public(method: &str, path: &str) -> bool {
    matches!(
        path,
        "/api/users/register"
            | "/api/users/login"
            | "/api/users/refresh"
            | "/api/users/logout"
            | "/api/users/stats"
    ) || (method == "get" && path.starts_with("/api/catalog/"))
        || (method == "post" && path == "/api/payments/webhooks/stripe")
}

/// What the services' extractors and error types register must reach the merged document: a
/// route the document shows as open, or whose errors it does not describe, is a route clients
/// and generated SDKs get wrong.
#[tokio::test]
async fn every_route_declares_its_security_and_its_problem_responses() {
    let document = api_document().await;
    let mut wrong = Vec::new();
    let mut operations = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            operations += 1;
            let responses = operation["responses"].as_object().unwrap();
            let bearer = operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if is_public(method, path) {
                if bearer {
                    wrong.push(format!(
                        "{method} {path}: public, but documented as secured"
                    ));
                }
            } else {
                if !bearer {
                    wrong.push(format!("{method} {path}: no bearer security"));
                }
                if !responses.contains_key("401") {
                    wrong.push(format!("{method} {path}: no 401"));
                }
                if path.starts_with("/api/admin/") && !responses.contains_key("403") {
                    wrong.push(format!("{method} {path}: an admin route without 403"));
                }
            }
            for (status, response) in responses {
                let is_error = status.starts_with('4') || status.starts_with('5');
                let content = &response["content"];
                if is_error && content.get("application/problem+json").is_none() {
                    wrong.push(format!("{method} {path}: {status} is not problem+json"));
                }
            }
            if !responses.keys().any(|s| s.starts_with('4')) {
                wrong.push(format!("{method} {path}: no client error documented"));
            }
        }
    }
    assert!(operations >= 20, "only {operations} operations documented");
    assert!(
        wrong.is_empty(),
        "the document is wrong:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn the_interactive_docs_page_is_served() {
    let response = http()
        .get(format!("{GATEWAY}/api/docs/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("swagger-ui"),
        "not the Swagger UI page: {page:.200}"
    );
    let asset = http()
        .get(format!("{GATEWAY}/api/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        asset.status(),
        StatusCode::OK,
        "the UI's script is served by the gateway itself"
    );
}

/// Schemathesis generates requests from the document (valid and invalid ones) and runs every
/// check it has: no 5xx; every answer matches the documented status codes, content types and
/// schemas; schema-valid requests are accepted and schema-violating ones refused (so the
/// document states the constraints the code enforces); secured routes refuse a missing token;
/// unsupported methods answer 405 with `Allow`. Several seeds, so one lucky draw proves little.
#[tokio::test]
async fn schemathesis_with_every_check_finds_nothing() {
    let token = admin_access_token().await;
    for seed in ["20261126", "20261128", "7"] {
        run_schemathesis(&token, seed);
    }
}

fn run_schemathesis(token: &str, seed: &str) {
    let report = std::env::temp_dir().join(format!("shop-schemathesis-{}", uuid::Uuid::new_v4()));
    // The few refusals the document cannot state (state-dependent, opaque tokens), each named
    // and explained in the file, and the pace below the gateway's rate limit.
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/schemathesis.toml");
    let output = Command::new(python_tool("st"))
        .args(["--config-file", config])
        .args([
            "run",
            &format!("{GATEWAY}/api/openapi.json"),
            "--url",
            GATEWAY,
        ])
        .args(["--checks", "all"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--max-examples", "25", "--workers", "1", "--seed", seed])
        // One worker: with threads, hypothesis's lambda-source inspection on CPython 3.11 failed
        // once here with "AST constructor recursion depth mismatch" (a tool error, not ours).
        // Rejected examples mean the document is stricter than the generator, not an API bug.
        .args(["--suppress-health-check", "all", "--warnings", "off"])
        .env("NO_COLOR", "1")
        .current_dir(std::env::temp_dir())
        .arg("--report-dir")
        .arg(&report)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis (seed {seed}) found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&report);
}
