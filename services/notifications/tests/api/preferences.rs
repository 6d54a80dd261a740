//! `GET`/`PUT /notifications/preferences`: a customer's language and text-message choices.

use route_testing::{Caller, fields, json_body, problem};
use salvo::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{customer, spawn_app};

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn the_defaults_are_english_and_email_only_until_changed(pool: PgPool) {
    let app = spawn_app(pool);
    let (_, ada) = customer();
    let body = json_body(
        &mut app.get("/notifications/preferences", ada).await,
        StatusCode::OK,
    )
    .await;
    let email_only = json!({ "email": true, "sms": false });
    assert_eq!(
        body,
        json!({
            "language": "en",
            "channels": { "account": email_only, "orders": email_only, "shipping": email_only },
        })
    );

    let chosen = json!({
        "language": "de",
        "channels": {
            "account": { "sms": false },
            "orders": { "email": true, "sms": false },
            "shipping": { "email": true, "sms": true },
        },
    });
    let stored = json_body(
        &mut app.put("/notifications/preferences", ada, &chosen).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["language"], "de");
    assert_eq!(
        stored["channels"]["shipping"],
        json!({ "email": true, "sms": true })
    );
    assert_eq!(stored["channels"]["account"], email_only);
    let read = json_body(
        &mut app.get("/notifications/preferences", ada).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read, stored);

    // Someone else's are their own.
    let (_, grace) = customer();
    let theirs = json_body(
        &mut app.get("/notifications/preferences", grace).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs["language"], "en");
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn transactional_email_cannot_be_turned_off_and_every_bad_field_is_named(pool: PgPool) {
    let app = spawn_app(pool);
    let (_, ada) = customer();
    let bad = json!({
        "language": "fr",
        "channels": {
            "account": { "email": true, "sms": true },
            "orders": { "email": false, "sms": true },
            "shipping": { "email": true, "sms": false },
        },
    });
    let answer = problem(
        &mut app.put("/notifications/preferences", ada, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut named = fields(&answer);
    named.sort_unstable();
    assert_eq!(
        named,
        ["channels.account.sms", "channels.orders.email", "language"]
    );
    // Nothing was stored.
    let read = json_body(
        &mut app.get("/notifications/preferences", ada).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["language"], "en");
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn malformed_bodies_and_strangers_are_refused(pool: PgPool) {
    let app = spawn_app(pool);
    let (_, ada) = customer();
    for body in [
        "{",
        "[]",
        r#"{"language":"en"}"#,
        r#"{"language":"en","channels":{"account":{"sms":false},"orders":{"sms":"yes"},"shipping":{"sms":false}}}"#,
        r#"{"language":"en","channels":{"account":{"sms":false},"orders":{"sms":false},"shipping":{"sms":false}},"extra":1}"#,
    ] {
        let answer = problem(
            &mut app.put_raw("/notifications/preferences", ada, body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(answer["status"], 400, "{body}");
    }
    problem(
        &mut app
            .get("/notifications/preferences", Caller::Anonymous)
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
