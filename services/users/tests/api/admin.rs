use route_testing::{Caller, fields, json_body, problem};
use salvo::http::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::spawn_app;

#[sqlx::test(migrations = "../../migrations/users")]
async fn listing_users_is_for_administrators(pool: PgPool) {
    let app = spawn_app(pool);
    let ann = app.customer("ann@example.com").await;
    let mut response = app.get("/admin/users", Caller::Customer(ann)).await;
    assert_eq!(
        problem(&mut response, StatusCode::FORBIDDEN).await["type"],
        "/problems/forbidden"
    );
    let mut response = app.get("/admin/users", Caller::Anonymous).await;
    problem(&mut response, StatusCode::UNAUTHORIZED).await;
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn an_administrator_lists_the_newest_accounts_first(pool: PgPool) {
    let app = spawn_app(pool);
    let mut registered = Vec::new();
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        registered.push(app.customer(email).await.to_string());
    }
    let admin = Caller::Admin(Uuid::now_v7());

    let mut response = app.get("/admin/users", admin).await;
    let listed = json_body(&mut response, StatusCode::OK).await;
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userId"].as_str().unwrap())
        .collect();
    registered.reverse();
    assert_eq!(ids, registered);
    assert_eq!(listed[0]["email"], "c@example.com");
    assert!(listed[0].get("passwordHash").is_none());

    for (limit, expected) in [(1, 1), (2, 2), (200, 3)] {
        let mut response = app.get(&format!("/admin/users?limit={limit}"), admin).await;
        let listed = json_body(&mut response, StatusCode::OK).await;
        assert_eq!(listed.as_array().unwrap().len(), expected, "limit={limit}");
    }
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn the_default_page_is_50_accounts(pool: PgPool) {
    let app = spawn_app(pool);
    sqlx::query(
        "INSERT INTO users (user_id, email, display_name, password_hash, roles)
         SELECT gen_random_uuid(), 'u' || n || '@example.com', 'U', 'x', ARRAY['customer']
         FROM generate_series(1, 51) AS n",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let mut response = app.get("/admin/users", Caller::Admin(Uuid::now_v7())).await;
    let listed = json_body(&mut response, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 50);
}

#[sqlx::test(migrations = "../../migrations/users")]
async fn a_limit_out_of_range_is_refused_not_clamped(pool: PgPool) {
    let app = spawn_app(pool);
    let admin = Caller::Admin(Uuid::now_v7());
    for limit in ["0", "-5", "201", "-121", "-31697551720803008512"] {
        let mut response = app.get(&format!("/admin/users?limit={limit}"), admin).await;
        let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&body), ["limit"], "limit={limit}");
        assert_eq!(
            body["errors"][0]["message"],
            "a whole number between 1 and 200"
        );
    }
    // Not an integer at all, or not one Limit reads: refused too, never the default page.
    for limit in [
        "ten",
        "1.5",
        "",
        "999999999999999999999999999999999999999999",
    ] {
        let mut response = app.get(&format!("/admin/users?limit={limit}"), admin).await;
        let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&body), ["limit"], "limit={limit:?}");
    }
}
