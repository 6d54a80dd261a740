use access_token::AccessTokenKey;
use route_testing::{fields, problem};
use salvo::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{ACCESS_TOKEN_TTL, SIGNING_KEY, spawn_app};

#[sqlx::test(migrations = "../../migrations/users")]
async fn signing_in_issues_an_access_token_for_the_user_and_a_refresh_token(pool: PgPool) {
    let app = spawn_app(pool);
    let user_id = app.customer("ann@example.com").await;
    // The address is matched case-insensitively, as it was registered.
    let tokens = app.login(" ANN@example.com", "a long passphrase").await;
    assert_eq!(tokens["tokenType"], "Bearer");
    assert_eq!(tokens["expiresIn"], ACCESS_TOKEN_TTL.as_secs());
    assert_eq!(tokens["refreshToken"].as_str().unwrap().len(), 43);
    let claims = AccessTokenKey::from_secret(SIGNING_KEY)
        .verify(tokens["accessToken"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.sub, user_id);
    assert_eq!(claims.roles, ["customer"]);
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401(pool: PgPool) {
    let app = spawn_app(pool);
    app.customer("ann@example.com").await;
    let mut bodies = Vec::new();
    for (email, password) in [
        ("ann@example.com", "not the passphrase"),
        ("nobody@example.com", "a long passphrase"),
        ("not an address", "a long passphrase"),
    ] {
        let mut response = app
            .post(
                "/users/login",
                &json!({ "email": email, "password": password }),
            )
            .await;
        bodies.push(problem(&mut response, StatusCode::UNAUTHORIZED).await);
    }
    assert_eq!(bodies[0]["type"], "/problems/invalid-credentials");
    assert!(
        bodies.iter().all(|body| *body == bodies[0]),
        "the failures must be indistinguishable: {bodies:?}"
    );
    let issued: i64 = sqlx::query_scalar("SELECT count(*) FROM refresh_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(issued, 0);
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn login_bodies_are_checked(pool: PgPool) {
    let app = spawn_app(pool);
    let mut response = app
        .post("/users/login", &json!({ "email": "", "password": "" }))
        .await;
    let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&body), ["email", "password"]);

    let mut response = app
        .post(
            "/users/login",
            &json!({ "email": "a@example.com", "password": "x", "isAdmin": true }),
        )
        .await;
    problem(&mut response, StatusCode::BAD_REQUEST).await;
}

async fn family_revoked(pool: &PgPool, user_id: Uuid) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE revoked_at IS NOT NULL)
         FROM refresh_tokens WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn refresh_tokens_rotate_and_a_replayed_one_revokes_its_family(pool: PgPool) {
    let app = spawn_app(pool);
    let user_id = app.customer("ann@example.com").await;
    let first = app.login("ann@example.com", "a long passphrase").await;
    let first_refresh = first["refreshToken"].as_str().unwrap();

    let mut response = app.refresh(first_refresh).await;
    let second = route_testing::json_body(&mut response, StatusCode::OK).await;
    let second_refresh = second["refreshToken"].as_str().unwrap();
    assert_ne!(second_refresh, first_refresh);
    let claims = AccessTokenKey::from_secret(SIGNING_KEY)
        .verify(second["accessToken"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.sub, user_id);
    assert_eq!(family_revoked(&app.pool, user_id).await, (2, 0));

    // The first token was used once: using it again is refused and burns the second one too.
    let replay = problem(
        &mut app.refresh(first_refresh).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(replay["type"], "/problems/invalid-refresh-token");
    assert_eq!(family_revoked(&app.pool, user_id).await, (2, 2));
    let burnt = problem(
        &mut app.refresh(second_refresh).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(burnt["type"], "/problems/invalid-refresh-token");

    // Another sign-in is another family, untouched by the replay.
    let other = app.login("ann@example.com", "a long passphrase").await;
    let mut response = app.refresh(other["refreshToken"].as_str().unwrap()).await;
    route_testing::json_body(&mut response, StatusCode::OK).await;
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn an_unknown_refresh_token_is_401(pool: PgPool) {
    let app = spawn_app(pool);
    let body = problem(
        &mut app.refresh("no-such-token").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(body["type"], "/problems/invalid-refresh-token");
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn logout_revokes_the_refresh_token_and_reveals_nothing(pool: PgPool) {
    let app = spawn_app(pool);
    let user_id = app.customer("ann@example.com").await;
    let session = app.login("ann@example.com", "a long passphrase").await;
    let refresh_token = session["refreshToken"].as_str().unwrap();

    let response = app
        .post("/users/logout", &json!({ "refreshToken": refresh_token }))
        .await;
    assert_eq!(response.status_code, Some(StatusCode::NO_CONTENT));
    assert_eq!(family_revoked(&app.pool, user_id).await, (1, 1));
    problem(
        &mut app.refresh(refresh_token).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let unknown = app
        .post("/users/logout", &json!({ "refreshToken": "no-such-token" }))
        .await;
    assert_eq!(unknown.status_code, Some(StatusCode::NO_CONTENT));

    // The token in an array is not the documented body (serde alone would read it as one).
    problem(
        &mut app.post("/users/logout", &json!(["no-such-token"])).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn the_configured_administrator_signs_in_as_admin(pool: PgPool) {
    let app = spawn_app(pool);
    app.app
        .ensure_admin("Root@Example.com", "the admin's passphrase".to_owned())
        .await
        .unwrap();
    // Again with another password (a rotated secret): still one account, the new password.
    app.app
        .ensure_admin("root@example.com", "a rotated passphrase".to_owned())
        .await
        .unwrap();
    let tokens = app.login("root@example.com", "a rotated passphrase").await;
    let claims = AccessTokenKey::from_secret(SIGNING_KEY)
        .verify(tokens["accessToken"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.roles, ["customer", "admin"]);
    problem(
        &mut app
            .post(
                "/users/login",
                &json!({ "email": "root@example.com", "password": "the admin's passphrase" }),
            )
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
