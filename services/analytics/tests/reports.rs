//! The reports over events delivered as daprd delivers them, against a database of each test's
//! own: figures for known events, the same tables whatever order the events come in, a rebuild
//! equal to the live fold, and bad parameters answered as problems.

use chrono::{DateTime, Duration, TimeZone, Utc};
use route_testing::{fields, json_body, problem};
use salvo::Service;
use salvo::http::StatusCode;
use salvo::test::{ResponseExt, TestClient};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

fn service(pool: PgPool) -> Service {
    service_runtime::server::service(analytics::routes::router(pool), None, None)
}

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn event(
    id: String,
    ty: &str,
    subject: Uuid,
    sequence: Option<u64>,
    minutes: i64,
    data: Value,
) -> Value {
    let mut event = json!({
        "specversion": "1.0", "id": id, "type": ty, "source": "shop/tests",
        "subject": subject.to_string(), "time": at(minutes).to_rfc3339(),
        "datacontenttype": "application/json", "data": data,
        "topic": "order-events", "pubsubname": "events",
    });
    if let Some(sequence) = sequence {
        event["sequence"] = json!(sequence.to_string());
    }
    event
}

/// An order of 2 × 12.50 EUR: placed, reserved, paid, captured, shipped, refunded 5.00 in part.
fn shipped_and_partly_refunded(order: Uuid, customer: Uuid, start: i64) -> Vec<Value> {
    let o = |n: u64| format!("{order}:{n}");
    vec![
        event(
            o(1),
            "shop.order.placed.v2",
            order,
            Some(1),
            start,
            json!({
            "orderId": order, "customerId": customer, "currency": "EUR", "totalMinor": 2500,
            "lines": [{"sku": "MUG-1", "quantity": 2, "unitPriceMinor": 1250, "currency": "EUR",
                       "productName": "Mug", "category": "kitchen"}]}),
        ),
        event(
            o(2),
            "shop.order.stock-reserved.v1",
            order,
            Some(2),
            start + 1,
            json!({"orderId": order}),
        ),
        event(
            o(3),
            "shop.order.payment-requested.v1",
            order,
            Some(3),
            start + 1,
            json!({
            "orderId": order, "customerId": customer, "amountMinor": 2500, "currency": "EUR"}),
        ),
        event(
            format!("p-{order}-1"),
            "shop.payment.authorized.v1",
            order,
            None,
            start + 2,
            json!({
            "orderId": order, "amountMinor": 2500, "currency": "EUR", "providerPaymentId": "pi_1"}),
        ),
        event(
            o(4),
            "shop.order.confirmed.v1",
            order,
            Some(4),
            start + 3,
            json!({"orderId": order}),
        ),
        event(
            format!("p-{order}-2"),
            "shop.payment.captured.v1",
            order,
            None,
            start + 4,
            json!({
            "orderId": order, "amountMinor": 2500, "currency": "EUR"}),
        ),
        event(
            o(5),
            "shop.order.shipped.v1",
            order,
            Some(5),
            start + 60,
            json!({
            "orderId": order, "carrier": "DHL", "trackingNumber": "1"}),
        ),
        event(
            format!("p-{order}-3"),
            "shop.payment.refunded.v1",
            order,
            None,
            start + 90,
            json!({
            "orderId": order, "amountMinor": 500, "totalRefundedMinor": 500, "currency": "EUR",
            "reason": "chipped", "providerRefundId": "re_1"}),
        ),
        event(
            o(6),
            "shop.order.payment-updated.v1",
            order,
            Some(6),
            start + 91,
            json!({
            "orderId": order, "paymentStatus": "partially-refunded", "capturedMinor": 2500,
            "refundedMinor": 500}),
        ),
    ]
}

/// An order of one 40.00 EUR lamp that inventory rejected (none in stock).
fn rejected(order: Uuid, customer: Uuid, start: i64) -> Vec<Value> {
    let o = |n: u64| format!("{order}:{n}");
    vec![
        event(
            o(1),
            "shop.order.placed.v2",
            order,
            Some(1),
            start,
            json!({
            "orderId": order, "customerId": customer, "currency": "EUR", "totalMinor": 4000,
            "lines": [{"sku": "LAMP-1", "quantity": 1, "unitPriceMinor": 4000, "currency": "EUR"}]}),
        ),
        event(
            o(2),
            "shop.order.stock-rejected.v1",
            order,
            Some(2),
            start + 1,
            json!({
            "orderId": order, "lines": [{"sku": "LAMP-1", "requested": 1, "available": 0,
                                         "reason": "insufficient-stock"}]}),
        ),
        event(
            o(3),
            "shop.order.cancelled.v1",
            order,
            Some(3),
            start + 1,
            json!({
            "orderId": order, "reason": "stock-rejected"}),
        ),
    ]
}

async fn deliver(service: &Service, events: &[Value]) {
    for event in events {
        let mut response = TestClient::post("http://127.0.0.1/events/inbox")
            .add_header("content-type", "application/cloudevents+json", true)
            .raw_json(event.to_string())
            .send(service)
            .await;
        assert_eq!(
            json_body(&mut response, StatusCode::OK).await,
            json!({ "status": "SUCCESS" })
        );
    }
}

async fn admin_get(service: &Service, path: &str) -> salvo::Response {
    TestClient::get(format!("http://127.0.0.1/admin/analytics/{path}"))
        .add_header("x-user-id", Uuid::now_v7().to_string(), true)
        .add_header("x-user-roles", "customer,admin", true)
        .send(service)
        .await
}

async fn report(service: &Service, path: &str) -> Value {
    json_body(&mut admin_get(service, path).await, StatusCode::OK).await
}

async fn order_row(pool: &PgPool, order: Uuid) -> Value {
    sqlx::query_scalar(
        "SELECT to_jsonb(o) - 'order_id' - 'customer_id' FROM order_facts o WHERE order_id = $1",
    )
    .bind(order)
    .fetch_one(pool)
    .await
    .expect("the order is projected")
}

#[sqlx::test(migrations = "../../migrations/analytics")]
async fn the_reports_give_the_figures_of_known_events(pool: PgPool) {
    let service = service(pool);
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    deliver(
        &service,
        &shipped_and_partly_refunded(Uuid::now_v7(), first, 0),
    )
    .await;
    deliver(&service, &rejected(Uuid::now_v7(), second, 125)).await;
    let day = "from=2026-03-02&to=2026-03-02&tz=UTC";

    let kpis = report(&service, &format!("kpis?{day}")).await;
    let eur = &kpis["currencies"][0];
    assert_eq!(eur["currency"], "EUR");
    assert_eq!(
        eur["current"],
        json!({ "orders": 2, "paidOrders": 1, "cancelledOrders": 1, "shippedOrders": 1,
                "refundedOrders": 1, "grossRevenueMinor": 2500, "netRevenueMinor": 2000,
                "refundedMinor": 500, "averageOrderValueMinor": 2500, "conversionRate": 0.5,
                "cancellationRate": 0.5, "refundRate": 1.0 })
    );
    assert_eq!(eur["previous"]["orders"], 0);
    assert_eq!(
        kpis["customers"],
        json!({ "newCustomers": 2, "returningCustomers": 0 })
    );

    let series = report(&service, &format!("series?{day}&granularity=hour")).await;
    let points = series["currencies"][0]["points"].as_array().unwrap();
    assert_eq!(points.len(), 24);
    assert_eq!(points[10]["localStart"], "2026-03-02 10:00");
    assert_eq!(
        (
            points[10]["orders"].clone(),
            points[10]["grossRevenueMinor"].clone()
        ),
        (json!(1), json!(2500))
    );
    assert_eq!(
        points[12]["orders"], 1,
        "the rejected order, placed at 12:05"
    );
    assert_eq!(points[11]["orders"], 0);

    let funnel = report(&service, &format!("funnel?{day}")).await;
    let steps: Vec<(String, i64)> = funnel["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_owned(),
                s["orders"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("placed".into(), 2),
            ("stock-reserved".into(), 1),
            ("paid".into(), 1),
            ("shipped".into(), 1)
        ]
    );
    assert_eq!(funnel["steps"][1]["medianSecondsFromPrevious"], 60.0);
    assert_eq!(funnel["steps"][3]["medianSecondsFromPrevious"], 57.0 * 60.0);

    let top = report(&service, &format!("top/products?{day}")).await;
    assert_eq!(
        top["entries"],
        json!([{ "key": "MUG-1", "name": "Mug", "category": "kitchen",
        "currency": "EUR", "units": 2, "revenueMinor": 2500, "orders": 1 }])
    );
    let stock = report(&service, &format!("stock?{day}")).await;
    assert_eq!(
        stock["lostSales"],
        json!([{ "sku": "LAMP-1", "orders": 1, "units": 1,
        "currency": "EUR", "lostRevenueMinor": 4000 }])
    );
    let cancelled = report(&service, &format!("cancellations?{day}")).await;
    assert_eq!(
        cancelled["reasons"],
        json!([{ "reason": "stock-rejected", "orders": 1, "share": 1.0 }])
    );

    // The day after, in Tokyo, is another day; a week to come is empty, not an error.
    let later = report(&service, "kpis?from=2026-03-03&to=2026-03-03&tz=Asia/Tokyo").await;
    assert_eq!(later["currencies"][0]["current"]["orders"], 0);
    let future = report(&service, "funnel?from=2099-01-01&to=2099-01-07").await;
    assert_eq!(future["steps"][0]["orders"], 0);

    // CSV for spreadsheets.
    let mut csv = admin_get(&service, &format!("top/products?{day}&format=csv")).await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.take_string().await.unwrap(),
        "rank,key,name,category,currency,units,revenue_minor,orders\n1,MUG-1,Mug,kitchen,EUR,2,2500,1\n"
    );
}

#[sqlx::test(migrations = "../../migrations/analytics")]
async fn events_out_of_order_and_twice_fold_into_the_same_rows_and_a_rebuild_too(pool: PgPool) {
    let service = service(pool.clone());
    let (forwards, backwards, customer) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    deliver(
        &service,
        &shipped_and_partly_refunded(forwards, customer, 0),
    )
    .await;
    let mut reversed = shipped_and_partly_refunded(backwards, customer, 0);
    reversed.reverse();
    deliver(&service, &reversed).await;
    deliver(&service, &reversed[..4]).await; // redelivered: recognised by id
    assert_eq!(
        order_row(&pool, forwards).await,
        order_row(&pool, backwards).await
    );

    let live: Value =
        sqlx::query_scalar("SELECT json_agg(o ORDER BY order_id)::jsonb FROM order_facts o")
            .fetch_one(&pool)
            .await
            .unwrap();
    let rebuilt = analytics::projection::rebuild(&pool, 3)
        .await
        .expect("the rebuild runs");
    assert_eq!(rebuilt.events, 18);
    let again: Value =
        sqlx::query_scalar("SELECT json_agg(o ORDER BY order_id)::jsonb FROM order_facts o")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(live, again);
}

#[sqlx::test(migrations = "../../migrations/analytics")]
async fn bad_parameters_are_problems_naming_each_and_reports_are_for_admins(pool: PgPool) {
    let service = service(pool);
    let mut response = admin_get(
        &service,
        "series?from=2026-02-30&to=2026-01-01&tz=Nowhere&granularity=minute&format=xml",
    )
    .await;
    let body = problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&body), ["tz", "from", "format", "granularity"]);
    let mut response = admin_get(&service, "kpis?from=2026-03-02&to=2026-03-01").await;
    assert_eq!(
        fields(&problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["from"]
    );
    let mut response = admin_get(
        &service,
        "series?from=2026-01-01&to=2026-03-01&granularity=hour",
    )
    .await;
    assert_eq!(
        fields(&problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["granularity"]
    );
    let mut response = admin_get(&service, "top/products?limit=0&by=likes&currency=euro").await;
    assert_eq!(
        fields(&problem(&mut response, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["currency", "by", "limit"]
    );

    let mut response = TestClient::get("http://127.0.0.1/admin/analytics/kpis")
        .add_header("x-user-id", Uuid::now_v7().to_string(), true)
        .add_header("x-user-roles", "customer", true)
        .send(&service)
        .await;
    problem(&mut response, StatusCode::FORBIDDEN).await;
}
