//! What was sent: my history, and for administrators anyone's, one message in full, the dead
//! letters and their replay.

use route_testing::{fields, json_body, problem};
use salvo::http::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{admin, customer, spawn_app};

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn customers_see_their_own_messages_and_administrators_everyones(pool: PgPool) {
    let app = spawn_app(pool);
    let (ada_id, ada) = customer();
    let (grace_id, _) = customer();
    let ada_welcome = app.welcome(ada_id, "ada@example.test").await;
    app.welcome(grace_id, "grace@example.test").await;

    let mine = json_body(
        &mut app.get("/notifications/history", ada).await,
        StatusCode::OK,
    )
    .await;
    let items = mine["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["notificationId"], ada_welcome.to_string());
    assert_eq!(items[0]["recipient"], "ada@example.test");
    assert_eq!(items[0]["status"], "queued");
    assert!(items[0].get("bodyHtml").is_none(), "the summary only");
    assert!(mine["nextCursor"].is_null());

    let everyone = json_body(
        &mut app.get("/admin/notifications?limit=1", admin()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(everyone["items"].as_array().map(Vec::len), Some(1));
    let cursor = everyone["nextCursor"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let rest = json_body(
        &mut app
            .get(
                &format!("/admin/notifications?limit=1&cursor={cursor}"),
                admin(),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(1));
    assert_ne!(
        everyone["items"][0]["notificationId"],
        rest["items"][0]["notificationId"]
    );

    let by_recipient = json_body(
        &mut app
            .get("/admin/notifications?recipient=grace@example.test", admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_recipient["items"][0]["userId"], grace_id.to_string());
    assert!(
        by_recipient["items"][0]["bodyHtml"]
            .as_str()
            .is_some_and(|html| html.contains("Hello Ada"))
    );

    let one = json_body(
        &mut app
            .get(&format!("/admin/notifications/{ada_welcome}"), admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["kind"], "welcome");
    assert_eq!(one["attempts"], 0);

    // Customers are not administrators.
    problem(
        &mut app.get("/admin/notifications", ada).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn bad_parameters_are_named_and_unknown_ids_are_not_found(pool: PgPool) {
    let app = spawn_app(pool);
    let answer = problem(
        &mut app
            .get(
                "/admin/notifications?status=lost&kind=postcard&user_id=x&limit=0&cursor=nope",
                admin(),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut named = fields(&answer);
    named.sort_unstable();
    assert_eq!(named, ["cursor", "kind", "limit", "status", "user_id"]);
    // A recipient with a control character (a NUL, which PostgreSQL cannot hold) is refused.
    let answer = problem(
        &mut app
            .get("/admin/notifications?recipient=a%00b", admin())
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&answer), ["recipient"]);
    for path in [
        format!("/admin/notifications/{}", Uuid::new_v4()),
        "/admin/notifications/not-an-id".to_owned(),
    ] {
        problem(&mut app.get(&path, admin()).await, StatusCode::NOT_FOUND).await;
    }
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn dead_letters_are_listed_with_their_error_and_replayed_once_each(pool: PgPool) {
    let app = spawn_app(pool);
    let first = app.welcome(Uuid::new_v4(), "ada@example.test").await;
    let second = app.welcome(Uuid::new_v4(), "grace@example.test").await;
    let alive = app.welcome(Uuid::new_v4(), "linus@example.test").await;
    app.set_status(first, "dead").await;
    app.set_status(second, "dead").await;

    let dead = json_body(
        &mut app.get("/admin/notifications/dead-letters", admin()).await,
        StatusCode::OK,
    )
    .await;
    let items = dead["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|item| item["status"] == "dead"));
    assert!(
        items
            .iter()
            .all(|item| item["lastError"] == "gomail: 451 busy")
    );

    // Only a dead letter is replayed; a queued message is not.
    let conflict = problem(
        &mut app
            .post(
                &format!("/admin/notifications/dead-letters/{alive}/replay"),
                admin(),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(conflict["currentStatus"], "queued");
    problem(
        &mut app
            .post(
                &format!(
                    "/admin/notifications/dead-letters/{}/replay",
                    Uuid::new_v4()
                ),
                admin(),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let jobs_before = app.outbox().await.len();
    let all = json_body(
        &mut app
            .post("/admin/notifications/dead-letters/replay", admin())
            .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(all["replayed"], 2);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), jobs_before + 2, "one new job per dead letter");
    let ids: Vec<String> = outbox[jobs_before..]
        .iter()
        .map(|(_, job)| job["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(ids.iter().all(|id| id.ends_with(":replay:1")), "{ids:?}");
    assert_eq!(app.message(first).await.status, "queued");

    // Nothing is dead any more: a second "replay all" replays nothing.
    let again = json_body(
        &mut app
            .post("/admin/notifications/dead-letters/replay", admin())
            .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(again["replayed"], 0);
}
