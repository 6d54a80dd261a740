//! `GET /internal/payment-methods/{id}` (checkout's question, by Dapr service invocation): an id
//! that is not the provider's shape is refused before any call; a well-formed one needs the
//! provider, which is out of reach here.

use route_testing::{Caller, fields, problem};
use salvo::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::spawn_app;

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_malformed_payment_method_id_is_refused_without_asking_the_provider(pool: PgPool) {
    let app = spawn_app(pool);
    for id in ["card_visa", "pm_", "pm_card-visa", "PM_card_visa"] {
        // A 422, not the 503 a call to the provider would have ended in.
        let body = problem(
            &mut app
                .get(
                    &format!("/internal/payment-methods/{id}"),
                    Caller::Anonymous,
                )
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&body), ["paymentMethodId"], "{id}");
    }
}

#[sqlx::test(migrations = "../../migrations/payments")]
async fn a_well_formed_id_needs_the_provider(pool: PgPool) {
    let app = spawn_app(pool);
    let body = problem(
        &mut app
            .get("/internal/payment-methods/pm_card_visa", Caller::Anonymous)
            .await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    // What went wrong stays in the log; the client is told to try again.
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("try again"), "{detail}");
    assert!(!detail.contains("127.0.0.1"), "{detail}");
}
