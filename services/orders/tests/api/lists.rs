//! The lists, from the query table: the caller's orders and the admin list, filtered, paged
//! with a cursor, and every bad parameter refused (never replaced by a default).

use orders::domain::OrderStatus;
use route_testing::{Caller, fields, messages, problem};
use salvo::http::StatusCode;
use salvo::test::ResponseExt;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, minute, order_view, spawn_app};

async fn page(app: &TestApp, path: &str, caller: Caller) -> Value {
    let mut response = app.get(path, caller).await;
    assert_eq!(response.status_code, Some(StatusCode::OK), "{path}");
    response.take_json().await.unwrap()
}

fn order_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["orderId"].as_str().unwrap().to_owned())
        .collect()
}

/// Seeds orders of `customer` placed a minute apart, oldest first; returns their ids newest
/// first, as the lists answer.
async fn seed_orders(app: &TestApp, customer: Uuid, statuses: &[OrderStatus]) -> Vec<String> {
    let mut ids = Vec::new();
    for (n, status) in (0..).zip(statuses) {
        let view = order_view(customer, *status, minute(n), 1);
        app.seed(&view).await;
        ids.push(view.order_id.to_string());
    }
    ids.reverse();
    ids
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn my_orders_are_mine_newest_first_and_filter_by_status(pool: PgPool) {
    let app = spawn_app(pool);
    let me = Uuid::new_v4();
    let mine = seed_orders(
        &app,
        me,
        &[
            OrderStatus::Cancelled,
            OrderStatus::AwaitingPayment,
            OrderStatus::Confirmed,
        ],
    )
    .await;
    seed_orders(&app, Uuid::new_v4(), &[OrderStatus::Confirmed]).await;

    let all = page(&app, "/orders", Caller::Customer(me)).await;
    assert_eq!(order_ids(&all), mine);
    assert!(all.get("nextCursor").is_none(), "one page: {all}");
    let first = &all["items"][2];
    assert_eq!(first["customerId"], me.to_string());
    assert_eq!(first["status"], "cancelled");
    assert_eq!(first["cancellationReason"], "customer");
    assert_eq!(first["totalMinor"], 2_500);
    assert_eq!(first["lineCount"], 1);

    let confirmed = page(&app, "/orders?status=confirmed", Caller::Customer(me)).await;
    assert_eq!(order_ids(&confirmed), [mine[0].clone()]);
    let shipped = page(&app, "/orders?status=shipped", Caller::Customer(me)).await;
    assert!(order_ids(&shipped).is_empty());
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn pages_follow_the_cursor_to_the_last_one(pool: PgPool) {
    let app = spawn_app(pool);
    let me = Uuid::new_v4();
    let mine = seed_orders(&app, me, &[OrderStatus::AwaitingStock; 5]).await;

    let mut seen = Vec::new();
    let mut path = "/orders?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let current = page(&app, &path, Caller::Customer(me)).await;
        pages += 1;
        assert!(current["items"].as_array().unwrap().len() <= 2);
        seen.extend(order_ids(&current));
        match current["nextCursor"].as_str() {
            Some(cursor) => path = format!("/orders?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, mine);
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn the_admin_list_has_everyones_orders_and_filters_by_customer(pool: PgPool) {
    let app = spawn_app(pool);
    let admin = Caller::Admin(Uuid::new_v4());
    let ada = Uuid::new_v4();
    let bob = Uuid::new_v4();
    let adas = seed_orders(&app, ada, &[OrderStatus::Shipped, OrderStatus::Confirmed]).await;
    let bobs = seed_orders(&app, bob, &[OrderStatus::Confirmed]).await;

    let all = page(&app, "/admin/orders?limit=100", admin).await;
    let mut expected: Vec<String> = adas.iter().chain(&bobs).cloned().collect();
    let mut listed = order_ids(&all);
    expected.sort();
    listed.sort();
    assert_eq!(listed, expected);

    let only_ada = page(&app, &format!("/admin/orders?customer_id={ada}"), admin).await;
    assert_eq!(order_ids(&only_ada), adas);
    let adas_shipped = page(
        &app,
        &format!("/admin/orders?customer_id={ada}&status=shipped"),
        admin,
    )
    .await;
    assert_eq!(order_ids(&adas_shipped), [adas[1].clone()]);

    let body = problem(
        &mut app.get("/admin/orders?customer_id=ada", admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["customer_id"]);
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_limit_out_of_range_or_not_a_number_is_refused_on_both_lists(pool: PgPool) {
    let app = spawn_app(pool);
    let me = Uuid::new_v4();
    seed_orders(&app, me, &[OrderStatus::Confirmed]).await;
    for list in ["/orders", "/admin/orders"] {
        for limit in [
            "0",
            "101",
            "-121",
            "-31697551720803008512",
            "ten",
            "1.5",
            "",
        ] {
            let path = format!("{list}?limit={limit}");
            let body = problem(
                &mut app.get(&path, Caller::Admin(me)).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert_eq!(fields(&body), ["limit"], "{path}");
            assert_eq!(
                messages(&body),
                ["a whole number between 1 and 100"],
                "{path}"
            );
        }
        for limit in ["1", "100"] {
            let listed = page(&app, &format!("{list}?limit={limit}"), Caller::Admin(me)).await;
            assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        }
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn every_bad_filter_is_named_at_once(pool: PgPool) {
    let app = spawn_app(pool);
    let body = problem(
        &mut app
            .get(
                "/orders?status=lost&cursor=garbage&limit=0",
                Caller::Customer(Uuid::new_v4()),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["status", "cursor", "limit"]);
}
