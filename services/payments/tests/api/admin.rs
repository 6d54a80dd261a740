//! The administrators' view: every payment, filtered by status and customer, and one payment
//! with its ledger, its refunds and what the processor is waiting for.

use payments::processor::Drive;
use route_testing::{fields, json_body, problem};
use salvo::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, admin, spawn_app};

async fn list(app: &TestApp, query: &str) -> Vec<Value> {
    let body = json_body(
        &mut app.get(&format!("/admin/payments{query}"), admin()).await,
        StatusCode::OK,
    )
    .await;
    body["items"].as_array().unwrap().clone()
}

fn order_ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["orderId"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn payments_are_listed_newest_first_by_status_and_customer(pool: PgPool) {
    let app = spawn_app(pool);
    let (ada, bob) = (Uuid::new_v4(), Uuid::new_v4());
    let first = app.request_payment(ada, 1_000, Some("pm_card_visa")).await;
    let second = app.seed_captured(ada).await;
    let third = app.request_payment(bob, 3_000, Some("pm_card_visa")).await;
    let ids = |orders: &[Uuid]| orders.iter().map(Uuid::to_string).collect::<Vec<_>>();

    let all = list(&app, "").await;
    assert_eq!(order_ids(&all), ids(&[third, second, first]));
    // A list holds summaries: one payment's page has the rest.
    for item in &all {
        for absent in ["refunds", "ledger", "processing"] {
            assert!(item.get(absent).is_none(), "{absent} in {item}");
        }
    }
    assert_eq!(all[0]["amountMinor"], 3_000);
    assert_eq!(all[0]["status"], "authorizing");

    assert_eq!(
        order_ids(&list(&app, "?status=authorizing").await),
        ids(&[third, first])
    );
    assert_eq!(
        order_ids(&list(&app, "?status=captured").await),
        ids(&[second])
    );
    assert!(list(&app, "?status=refunded").await.is_empty());
    assert_eq!(
        order_ids(&list(&app, &format!("?customer_id={ada}")).await),
        ids(&[second, first])
    );
    assert_eq!(
        order_ids(&list(&app, &format!("?customer_id={bob}&status=authorizing")).await),
        ids(&[third])
    );
    assert!(
        list(&app, &format!("?customer_id={bob}&status=captured"))
            .await
            .is_empty()
    );
    assert_eq!(
        order_ids(&list(&app, "?limit=2").await),
        ids(&[third, second])
    );
    assert_eq!(
        order_ids(&list(&app, "?status=partially-refunded&limit=100").await),
        Vec::<String>::new()
    );
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn the_list_pages_with_a_cursor_through_every_payment_once(pool: PgPool) {
    let app = spawn_app(pool);
    let customer = Uuid::new_v4();
    let mut placed = Vec::new();
    for amount in 1..=5 {
        placed.push(
            app.request_payment(customer, amount * 100, Some("pm_card_visa"))
                .await
                .to_string(),
        );
    }
    placed.reverse(); // newest first

    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let body = json_body(
            &mut app.get(&format!("/admin/payments{query}"), admin()).await,
            StatusCode::OK,
        )
        .await;
        pages += 1;
        seen.extend(order_ids(body["items"].as_array().unwrap()));
        match body["nextCursor"].as_str() {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3, "five payments, two a page");
    assert_eq!(seen, placed, "every payment once, newest first");

    // A payment made while paging is not seen again on later pages, nor shifts them.
    let body = json_body(
        &mut app.get("/admin/payments?limit=2", admin()).await,
        StatusCode::OK,
    )
    .await;
    let cursor = body["nextCursor"].as_str().unwrap().to_owned();
    app.request_payment(customer, 900, Some("pm_card_visa"))
        .await;
    let next = json_body(
        &mut app
            .get(&format!("/admin/payments?limit=2&cursor={cursor}"), admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        order_ids(next["items"].as_array().unwrap()),
        placed[2..4].to_vec()
    );

    let body = problem(
        &mut app.get("/admin/payments?cursor=page-two", admin()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["cursor"]);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn list_parameters_out_of_their_rules_are_refused_naming_each(pool: PgPool) {
    let app = spawn_app(pool);
    let body = problem(
        &mut app
            .get(
                "/admin/payments?status=paid&customer_id=ada&limit=0",
                admin(),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["status", "customer_id", "limit"]);
    let status = route_testing::messages(&body)[0];
    assert!(
        status.contains("partially-refunded"),
        "lists them: {status}"
    );

    for query in ["?limit=0", "?limit=101", "?limit=-1", "?limit=ten"] {
        let body = problem(
            &mut app.get(&format!("/admin/payments{query}"), admin()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&body), ["limit"], "{query}");
    }
    for query in ["?status=", "?status=Captured", "?status=partially_refunded"] {
        let body = problem(
            &mut app.get(&format!("/admin/payments{query}"), admin()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&body), ["status"], "{query}");
    }
    let body = problem(
        &mut app.get("/admin/payments?customer_id=42", admin()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["customer_id"]);
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn one_payment_shows_its_ledger_refunds_and_processing(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let body = json_body(
        &mut app
            .get(&format!("/admin/payments/{order_id}"), admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["status"], "captured");
    assert_eq!(body["refunds"], json!([]));
    let ledger = body["ledger"].as_array().unwrap();
    let operations: Vec<(&Value, &Value)> = ledger
        .iter()
        .map(|entry| (&entry["operation"], &entry["amountMinor"]))
        .collect();
    assert_eq!(
        operations,
        [
            (&json!("authorize"), &json!(5_000)),
            (&json!("capture"), &json!(5_000))
        ]
    );
    assert_eq!(
        ledger[1]["providerId"],
        format!("pi_test{}", order_id.simple())
    );
    assert!(body.get("processing").is_none(), "nothing to do: {body}");

    // A payment the processor waits on says how often it tried and why it waits.
    let waiting = app
        .request_payment(Uuid::new_v4(), 700, Some("pm_card_visa"))
        .await;
    assert_eq!(app.drive(waiting).await, Drive::WillRetry);
    let body = json_body(
        &mut app
            .get(&format!("/admin/payments/{waiting}"), admin())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["ledger"], json!([]));
    assert_eq!(body["refunds"], json!([]));
    assert_eq!(body["processing"]["attempts"], 1);
    assert!(body["processing"]["nextAttemptAt"].is_string(), "{body}");
    let error = body["processing"]["lastError"].as_str().unwrap();
    assert!(error.contains("unavailable"), "{error}");
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn an_unknown_payment_is_not_found(pool: PgPool) {
    let app = spawn_app(pool);
    let body = problem(
        &mut app
            .get(&format!("/admin/payments/{}", Uuid::now_v7()), admin())
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["detail"], "no payment for this order");
}
