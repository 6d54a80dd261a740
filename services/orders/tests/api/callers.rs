//! Who may call what: every public route needs a signed-in caller, the admin routes an
//! administrator; and an id that is not a UUID names no order.

use route_testing::{Caller, problem};
use salvo::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::spawn_app;

#[sqlx::test(migrations = "../../migrations/orders")]
async fn every_route_refuses_a_caller_who_is_not_signed_in(pool: PgPool) {
    let app = spawn_app(pool);
    let order = Uuid::new_v4();
    for path in [
        "/orders".to_owned(),
        format!("/orders/{order}"),
        "/admin/orders".to_owned(),
        format!("/admin/orders/{order}"),
    ] {
        let body = problem(
            &mut app.get(&path, Caller::Anonymous).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_eq!(body["type"], "/problems/unauthorized", "{path}: {body}");
    }
    let valid_order = json!({
        "lines": [{ "sku": "LAMP-1", "quantity": 1 }],
        "paymentMethodId": "pm_card_visa"
    });
    for path in [
        "/orders".to_owned(),
        format!("/orders/{order}/cancel"),
        format!("/admin/orders/{order}/ship"),
    ] {
        problem(
            &mut app.post(&path, Caller::Anonymous, &valid_order).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_customer_is_refused_the_admin_routes(pool: PgPool) {
    let app = spawn_app(pool);
    let customer = Caller::Customer(Uuid::new_v4());
    let order = Uuid::new_v4();
    for path in ["/admin/orders".to_owned(), format!("/admin/orders/{order}")] {
        let body = problem(&mut app.get(&path, customer).await, StatusCode::FORBIDDEN).await;
        assert_eq!(body["type"], "/problems/forbidden", "{path}: {body}");
    }
    let shipment = json!({ "carrier": "DHL", "trackingNumber": "JJD1" });
    problem(
        &mut app
            .post(&format!("/admin/orders/{order}/ship"), customer, &shipment)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn an_order_id_that_is_not_a_uuid_is_an_unknown_order(pool: PgPool) {
    let app = spawn_app(pool);
    let customer = Caller::Customer(Uuid::new_v4());
    let admin = Caller::Admin(Uuid::new_v4());
    for mut response in [
        app.get("/orders/not-a-uuid", customer).await,
        app.post("/orders/not-a-uuid/cancel", customer, &json!({}))
            .await,
        app.get("/admin/orders/42", admin).await,
        // The id is checked before the body: an unknown order, whatever was sent.
        app.post(
            "/admin/orders/not-a-uuid/ship",
            admin,
            &json!({ "carrier": "", "trackingNumber": "a\nb" }),
        )
        .await,
    ] {
        let body = problem(&mut response, StatusCode::NOT_FOUND).await;
        assert_eq!(body["detail"], "no such order", "{body}");
    }
}

#[sqlx::test(migrations = "../../migrations/orders")]
async fn a_shipment_with_invalid_fields_is_refused_naming_each(pool: PgPool) {
    let app = spawn_app(pool);
    let admin = Caller::Admin(Uuid::new_v4());
    let path = format!("/admin/orders/{}/ship", Uuid::new_v4());

    let body = problem(
        &mut app
            .post(
                &path,
                admin,
                &json!({ "carrier": "  ", "trackingNumber": "a\nb" }),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(route_testing::fields(&body), ["carrier", "trackingNumber"]);

    let too_long = json!({ "carrier": "D".repeat(65), "trackingNumber": "JJD1" });
    let body = problem(
        &mut app.post(&path, admin, &too_long).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(route_testing::fields(&body), ["carrier"]);

    let unknown_field = json!({ "carrier": "DHL", "trackingNumber": "JJD1", "eta": "soon" });
    problem(
        &mut app.post(&path, admin, &unknown_field).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}
