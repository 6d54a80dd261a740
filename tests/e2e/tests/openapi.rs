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

/// Schemathesis generates requests from the document (valid and invalid ones) and checks that
/// nothing answers 5xx and that every answer matches the documented status codes, content types
/// and schemas.
#[tokio::test]
async fn schemathesis_finds_no_server_errors_and_no_undocumented_answers() {
    let token = admin_access_token().await;
    let report = std::env::temp_dir().join(format!("shop-schemathesis-{}", uuid::Uuid::new_v4()));
    let output = Command::new(python_tool("st"))
        .args(["run", &format!("{GATEWAY}/api/openapi.json"), "--url", GATEWAY])
        .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--max-examples", "25", "--workers", "1", "--seed", "20261126"])
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
        "schemathesis found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&report);
}
