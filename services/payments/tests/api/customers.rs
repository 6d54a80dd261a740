//! `GET /payments/orders/{order_id}`: a customer's own payment, and nobody else's.

use route_testing::{Caller, json_body, problem};
use salvo::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{customer, spawn_app};

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_customer_sees_their_payment_without_the_bookkeeping(pool: PgPool) {
    let app = spawn_app(pool);
    let (customer_id, caller) = customer();
    let order_id = app.seed_captured(customer_id).await;
    let body = json_body(
        &mut app
            .get(&format!("/payments/orders/{order_id}"), caller)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["orderId"], order_id.to_string());
    assert_eq!(body["customerId"], customer_id.to_string());
    assert_eq!(body["status"], "captured");
    assert_eq!(body["orderOutcome"], "confirmed");
    assert_eq!(
        (
            &body["amountMinor"],
            &body["currency"],
            &body["authorizedMinor"],
            &body["capturedMinor"],
            &body["refundedMinor"]
        ),
        (
            &json!(5_000),
            &json!("EUR"),
            &json!(5_000),
            &json!(5_000),
            &json!(0)
        )
    );
    assert_eq!(body["paymentMethodId"], "pm_card_visa");
    assert_eq!(body["refunds"], json!([]));
    assert!(body.get("ledger").is_none(), "administrators only: {body}");
    assert!(
        body.get("processing").is_none(),
        "administrators only: {body}"
    );

    // A payment still being authorized: what the order asked for, nothing taken yet.
    let pending = app
        .request_payment(customer_id, 1_234, Some("pm_card_visa"))
        .await;
    let body = json_body(
        &mut app
            .get(&format!("/payments/orders/{pending}"), caller)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["status"], "authorizing");
    assert_eq!(body["amountMinor"], 1_234);
    assert_eq!(body["capturedMinor"], 0);
    assert_eq!(body["providerPaymentId"], json!(null));
    assert!(body.get("processing").is_none(), "{body}");
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn another_customers_payment_is_not_found(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = app.seed_captured(Uuid::new_v4()).await;
    let (_, stranger) = customer();
    let theirs = problem(
        &mut app
            .get(&format!("/payments/orders/{order_id}"), stranger)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // No hint that it exists: the same answer as for an order nobody has.
    let nobodys = problem(
        &mut app
            .get(&format!("/payments/orders/{}", Uuid::now_v7()), stranger)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(theirs, nobodys);
    assert_eq!(theirs["detail"], "no payment for this order");
    // Not even an administrator, on the customers' route.
    problem(
        &mut app
            .get(
                &format!("/payments/orders/{order_id}"),
                Caller::Admin(Uuid::new_v4()),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn an_order_id_that_is_not_a_uuid_names_no_payment(pool: PgPool) {
    let app = spawn_app(pool);
    let (_, caller) = customer();
    for path in ["/payments/orders/not-a-uuid", "/payments/orders/42"] {
        let body = problem(&mut app.get(path, caller).await, StatusCode::NOT_FOUND).await;
        assert_eq!(body["detail"], "no payment for this order", "{path}");
    }
    let admin = Caller::Admin(Uuid::new_v4());
    problem(
        &mut app.get("/admin/payments/not-a-uuid", admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        &mut app
            .post(
                "/admin/payments/not-a-uuid/refunds",
                admin,
                &json!({ "amountMinor": 0, "reason": "" }),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
