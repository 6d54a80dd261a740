//! This service's part of the public OpenAPI document states what the routes enforce.

use route_testing::{Caller, json_body};
use salvo::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use users::domain::{MAX_SHIPPING_ADDRESSES, display_name, email, password};

use crate::helpers::spawn_app;
use route_testing::openapi::resolve;

async fn document(pool: PgPool) -> Value {
    let app = spawn_app(pool);
    let mut response = app.get("/openapi.json", Caller::Anonymous).await;
    json_body(&mut response, StatusCode::OK).await
}

fn statuses(operation: &Value) -> Vec<&str> {
    let mut statuses: Vec<&str> = operation["responses"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    statuses.sort_unstable();
    statuses
}

fn request_schema<'a>(document: &'a Value, path: &str, method: &str) -> &'a Value {
    let body = &document["paths"][path][method]["requestBody"];
    assert_eq!(body["required"], true, "{path}");
    resolve(document, &body["content"]["application/json"]["schema"])
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn every_operation_documents_exactly_the_answers_it_gives(pool: PgPool) {
    let document = document(pool).await;
    let paths = &document["paths"];
    let expected = [
        (
            "/users/register",
            "post",
            vec!["201", "400", "409", "422", "500"],
        ),
        (
            "/users/login",
            "post",
            vec!["200", "400", "401", "422", "500"],
        ),
        (
            "/users/refresh",
            "post",
            vec!["200", "400", "401", "422", "500"],
        ),
        ("/users/logout", "post", vec!["204", "400", "422", "500"]),
        ("/users/stats", "get", vec!["200", "500"]),
        ("/users/me", "get", vec!["200", "401", "404", "500"]),
        (
            "/users/me",
            "patch",
            vec!["200", "400", "401", "404", "422", "500"],
        ),
        (
            "/admin/users",
            "get",
            vec!["200", "401", "403", "422", "500"],
        ),
    ];
    for (path, method, answers) in &expected {
        let operation = &paths[path][method];
        assert_eq!(&statuses(operation), answers, "{method} {path}");
        for (status, response) in operation["responses"].as_object().unwrap() {
            let content = response["content"].as_object();
            if status.starts_with('4') || status.starts_with('5') {
                assert!(
                    content.is_some_and(|c| c.contains_key("application/problem+json")),
                    "{method} {path} {status} is not a problem: {response}"
                );
            }
        }
    }
    let documented: usize = paths
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented,
        expected.len(),
        "an operation is not checked here"
    );
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn exactly_the_routes_the_gateway_keeps_public_are_documented_without_bearer(pool: PgPool) {
    let document = document(pool).await;
    for (path, method, public) in [
        ("/users/register", "post", true),
        ("/users/login", "post", true),
        ("/users/refresh", "post", true),
        ("/users/logout", "post", true),
        ("/users/stats", "get", true),
        ("/users/me", "get", false),
        ("/users/me", "patch", false),
        ("/admin/users", "get", false),
    ] {
        let security = &document["paths"][path][method]["security"];
        if public {
            assert!(security.is_null(), "{method} {path}: {security}");
        } else {
            assert_eq!(security, &json!([{ "bearer": [] }]), "{method} {path}");
        }
    }
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn the_limit_parameter_states_its_bounds_and_default(pool: PgPool) {
    let document = document(pool).await;
    let parameters = document["paths"]["/admin/users"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let limit = parameters.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(limit["in"], "query");
    assert_ne!(limit["required"], true);
    let schema = resolve(&document, &limit["schema"]);
    assert_eq!(
        (&schema["minimum"], &schema["maximum"], &schema["default"]),
        (&json!(1), &json!(200), &json!(50)),
        "{limit}"
    );
}

/// The schemas' bounds are literals in attributes; the rules live in the domain's constants.
#[sqlx::test(migrations = "../../migrations/users")]
async fn request_schemas_carry_the_domains_bounds(pool: PgPool) {
    let document = document(pool).await;
    let register = &request_schema(&document, "/users/register", "post")["properties"];
    assert_eq!(register["email"]["maxLength"], email::MAX_CHARS);
    assert_eq!(register["email"]["format"], "email");
    assert_eq!(register["password"]["minLength"], password::MIN_CHARS);
    assert_eq!(register["password"]["maxLength"], password::MAX_CHARS);
    assert_eq!(register["displayName"]["minLength"], 1);
    assert_eq!(
        register["displayName"]["maxLength"],
        display_name::MAX_CHARS
    );

    let login = &request_schema(&document, "/users/login", "post")["properties"];
    assert_eq!(login["email"]["maxLength"], email::MAX_CHARS);
    assert_eq!(login["password"]["maxLength"], password::MAX_CHARS);

    let update = &request_schema(&document, "/users/me", "patch")["properties"];
    assert_eq!(update["displayName"]["maxLength"], display_name::MAX_CHARS);
    assert_eq!(
        update["shippingAddresses"]["maxItems"],
        MAX_SHIPPING_ADDRESSES
    );
}
