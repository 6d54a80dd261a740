use route_testing::{Caller, fields, json_body, problem};
use salvo::http::StatusCode;
use salvo::test::TestClient;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::spawn_app;

#[sqlx::test(migrations = "../../migrations/users")]
async fn a_customer_reads_their_own_profile(pool: PgPool) {
    let app = spawn_app(pool);
    let ann = app.customer("ann@example.com").await;
    app.customer("bob@example.com").await;
    let mut response = app.get("/users/me", Caller::Customer(ann)).await;
    let me = json_body(&mut response, StatusCode::OK).await;
    assert_eq!(me["userId"], ann.to_string());
    assert_eq!(me["email"], "ann@example.com");
    assert_eq!(me["displayName"], "Ann");
    assert_eq!(me["phone"], Value::Null);
    assert_eq!(me["shippingAddresses"], json!([]));
    assert_eq!(me["roles"], json!(["customer"]));
    assert!(
        me.get("passwordHash").is_none() && !me.to_string().contains("argon2"),
        "{me}"
    );
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn a_customer_updates_some_fields_and_keeps_the_rest(pool: PgPool) {
    let app = spawn_app(pool);
    let ann = app.customer("ann@example.com").await;
    let update = json!({
        "displayName": "  Ada Lovelace ",
        "phone": "+44 20 7946 0958",
        "shippingAddresses": [{ "recipient": "Ada", "line1": "12 St James's Square", "city": "London", "postalCode": "SW1Y 4JH", "country": "gb" }]
    });
    let mut response = app.patch("/users/me", &update, Caller::Customer(ann)).await;
    let updated = json_body(&mut response, StatusCode::OK).await;
    assert_eq!(updated["displayName"], "Ada Lovelace");
    assert_eq!(updated["phone"], "+442079460958");
    assert_eq!(updated["shippingAddresses"][0]["country"], "GB");

    let mut response = app
        .patch(
            "/users/me",
            &json!({ "phone": null }),
            Caller::Customer(ann),
        )
        .await;
    let cleared = json_body(&mut response, StatusCode::OK).await;
    assert_eq!(cleared["phone"], Value::Null);
    assert_eq!(cleared["displayName"], "Ada Lovelace", "absent fields stay");
    assert_eq!(cleared["shippingAddresses"], updated["shippingAddresses"]);

    // What the next read sees is what is stored.
    let mut response = app.get("/users/me", Caller::Customer(ann)).await;
    assert_eq!(json_body(&mut response, StatusCode::OK).await, cleared);
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn invalid_profile_changes_are_422_and_change_nothing(pool: PgPool) {
    let app = spawn_app(pool);
    let ann = app.customer("ann@example.com").await;
    let too_many = vec![
        json!({ "recipient": "Ann", "line1": "Main St 1", "city": "Berlin", "postalCode": "10115", "country": "DE" });
        11
    ];
    let mut response = app
        .patch(
            "/users/me",
            &json!({ "displayName": " ", "phone": "0800 not a number", "shippingAddresses": too_many }),
            Caller::Customer(ann),
        )
        .await;
    let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&body), ["displayName", "phone", "shippingAddresses"]);

    let mut response = app
        .patch(
            "/users/me",
            &json!({ "shippingAddresses": [{ "recipient": "Ann", "postalCode": "10115!" }] }),
            Caller::Customer(ann),
        )
        .await;
    let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&body), ["line1", "city", "postalCode", "country"]);

    let mut response = app
        .patch(
            "/users/me",
            &json!({ "nickname": "A" }),
            Caller::Customer(ann),
        )
        .await;
    problem(&mut response, StatusCode::BAD_REQUEST).await;

    let mut response = app.get("/users/me", Caller::Customer(ann)).await;
    let me = json_body(&mut response, StatusCode::OK).await;
    assert_eq!(
        (&me["displayName"], &me["phone"]),
        (&json!("Ann"), &Value::Null)
    );
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn without_the_gateways_identity_the_profile_is_401(pool: PgPool) {
    let app = spawn_app(pool);
    let ann = app.customer("ann@example.com").await;
    let mut response = app.get("/users/me", Caller::Anonymous).await;
    assert_eq!(
        problem(&mut response, StatusCode::UNAUTHORIZED).await["type"],
        "/problems/unauthorized"
    );
    let mut response = app
        .patch(
            "/users/me",
            &json!({ "displayName": "Mallory" }),
            Caller::Anonymous,
        )
        .await;
    problem(&mut response, StatusCode::UNAUTHORIZED).await;

    // A malformed id is no identity either.
    let mut response = TestClient::get("http://users.test/users/me")
        .add_header("x-user-id", "ann", true)
        .send(&app.service)
        .await;
    problem(&mut response, StatusCode::UNAUTHORIZED).await;

    let name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE user_id = $1")
        .bind(ann)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "Ann");
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn the_profile_of_an_account_that_does_not_exist_is_404(pool: PgPool) {
    let app = spawn_app(pool);
    let nobody = Caller::Customer(Uuid::now_v7());
    let mut response = app.get("/users/me", nobody).await;
    assert_eq!(
        problem(&mut response, StatusCode::NOT_FOUND).await["type"],
        "/problems/not-found"
    );
    let mut response = app
        .patch("/users/me", &json!({ "displayName": "Ghost" }), nobody)
        .await;
    problem(&mut response, StatusCode::NOT_FOUND).await;
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn an_unknown_route_is_a_404_problem(pool: PgPool) {
    let app = spawn_app(pool);
    let mut response = app.get("/users/nobody-here", Caller::Anonymous).await;
    problem(&mut response, StatusCode::NOT_FOUND).await;
}
