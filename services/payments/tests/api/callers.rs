//! Who may call what: the payment routes need a signed-in caller, the admin routes an
//! administrator, and the service answers what it does not serve with a problem.

use route_testing::{Caller, problem};
use salvo::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{customer, spawn_app};

#[sqlx::test(migrations = "../../migrations/payments")]
async fn every_payment_route_refuses_a_caller_who_is_not_signed_in(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    for path in [
        format!("/payments/orders/{order_id}"),
        "/admin/payments".to_owned(),
        format!("/admin/payments/{order_id}"),
    ] {
        let body = problem(
            &mut app.get(&path, Caller::Anonymous).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_eq!(body["type"], "/problems/unauthorized", "{path}: {body}");
    }
    let refund = json!({ "amountMinor": 100, "reason": "damaged" });
    problem(
        &mut app
            .post(
                &format!("/admin/payments/{order_id}/refunds"),
                Caller::Anonymous,
                &refund,
            )
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(app.refunds(order_id).await.is_empty());
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_customer_is_refused_the_admin_routes_even_for_their_own_payment(pool: PgPool) {
    let app = spawn_app(pool);
    let (customer_id, customer) = customer();
    let order_id = app.seed_captured(customer_id).await;
    for path in [
        "/admin/payments".to_owned(),
        format!("/admin/payments/{order_id}"),
    ] {
        let body = problem(&mut app.get(&path, customer).await, StatusCode::FORBIDDEN).await;
        assert_eq!(body["type"], "/problems/forbidden", "{path}: {body}");
    }
    let refund = json!({ "amountMinor": 100, "reason": "damaged" });
    problem(
        &mut app
            .post(
                &format!("/admin/payments/{order_id}/refunds"),
                customer,
                &refund,
            )
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(app.refunds(order_id).await.is_empty());
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn serves_health_and_answers_unknown_routes_with_a_problem(pool: PgPool) {
    let app = spawn_app(pool);
    let response = app.get("/healthz", Caller::Anonymous).await;
    assert_eq!(response.status_code, Some(StatusCode::OK));
    let (_, customer) = customer();
    problem(
        &mut app.get("/payments/nothing/here", customer).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
