use route_testing::{fields, problem};
use salvo::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::spawn_app;

async fn count(pool: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn registering_creates_a_customer_and_records_its_event(pool: PgPool) {
    let app = spawn_app(pool);
    let body = app
        .register("Ann@Example.com", "a long passphrase", "  Ann Example ")
        .await;
    assert_eq!(body["email"], "ann@example.com");
    assert_eq!(body["displayName"], "Ann Example");
    assert_eq!(body["roles"], json!(["customer"]));
    assert!(body.get("password").is_none() && body.get("passwordHash").is_none());

    let user_id: uuid::Uuid = body["userId"].as_str().unwrap().parse().unwrap();
    let (email, hash): (String, String) =
        sqlx::query_as("SELECT email::text, password_hash FROM users WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(email, "ann@example.com");
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    let (topic, envelope): (String, serde_json::Value) =
        sqlx::query_as("SELECT topic, envelope FROM outbox WHERE published_at IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(topic, "user-events");
    assert_eq!(envelope["type"], "shop.user.registered.v1");
    assert_eq!(envelope["source"], "shop/users");
    assert_eq!(envelope["data"]["userId"], user_id.to_string());
    assert_eq!(envelope["data"]["email"], "ann@example.com");
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn the_same_email_in_any_case_cannot_register_twice(pool: PgPool) {
    let app = spawn_app(pool);
    app.register("ann@example.com", "a long passphrase", "Ann")
        .await;
    let mut again = app
        .post(
            "/users/register",
            &json!({ "email": "ANN@example.com", "password": "another passphrase", "displayName": "Twin" }),
        )
        .await;
    let body = problem(&mut again, StatusCode::CONFLICT).await;
    assert_eq!(body["type"], "/problems/email-taken");
    // Nothing of the second attempt was kept: no account, no event.
    assert_eq!(count(&app.pool, "SELECT count(*) FROM users").await, 1);
    assert_eq!(count(&app.pool, "SELECT count(*) FROM outbox").await, 1);
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn invalid_registrations_are_422_naming_every_bad_field(pool: PgPool) {
    let app = spawn_app(pool);
    // Refused by the request's own rules (validator names the Rust fields).
    let mut response = app
        .post(
            "/users/register",
            &json!({ "email": "not-an-email", "password": "short", "displayName": "" }),
        )
        .await;
    let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&body), ["display_name", "email", "password"]);

    // Refused by the domain: blank after trimming, a password that is the address.
    let mut response = app
        .post(
            "/users/register",
            &json!({ "email": "jonathan.smith@example.com", "password": "JONATHAN.SMITH@example.com", "displayName": "   " }),
        )
        .await;
    let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&body), ["displayName", "password"]);

    assert_eq!(count(&app.pool, "SELECT count(*) FROM users").await, 0);
    assert_eq!(count(&app.pool, "SELECT count(*) FROM outbox").await, 0);
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn bodies_that_are_not_json_of_the_shape_are_400(pool: PgPool) {
    let app = spawn_app(pool);
    for body in [
        "{\"email\": ",
        "not json at all",
        r#"{ "email": "ann@example.com", "password": "a long passphrase" }"#,
        r#"{ "email": "ann@example.com", "password": "a long passphrase", "displayName": "Ann", "roles": ["admin"] }"#,
        r#"{ "email": 42, "password": "a long passphrase", "displayName": "Ann" }"#,
    ] {
        let mut response = app.post_raw("/users/register", body).await;
        let problem = problem(&mut response, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem["type"], "/problems/bad-request", "{body}");
    }
    assert_eq!(count(&app.pool, "SELECT count(*) FROM users").await, 0);
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn stats_count_the_registered_users(pool: PgPool) {
    let app = spawn_app(pool);
    for email in ["a@example.com", "b@example.com"] {
        app.customer(email).await;
    }
    let mut response = app
        .get("/users/stats", route_testing::Caller::Anonymous)
        .await;
    let body = route_testing::json_body(&mut response, StatusCode::OK).await;
    assert_eq!(body, json!({ "service": "users", "registeredUsers": 2 }));
}
