//! Payments in process, against a database of its own. The service has no routes of its own yet
//! (its issue builds them); what it serves today is the runtime's: health and problem answers.

use route_testing::problem;
use salvo::http::StatusCode;
use salvo::test::TestClient;
use sqlx::PgPool;

#[sqlx::test(migrations = "../../migrations/payments")]
async fn serves_health_and_answers_unknown_routes_with_a_problem(pool: PgPool) {
    let service = service_runtime::server::service(payments::routes::router(pool), None, None);
    let response = TestClient::get("http://127.0.0.1/healthz")
        .send(&service)
        .await;
    assert_eq!(response.status_code, Some(StatusCode::OK));

    let mut response = TestClient::get("http://127.0.0.1/payments/nothing")
        .send(&service)
        .await;
    let problem = problem(&mut response, StatusCode::NOT_FOUND).await;
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["type"], "/problems/not-found");
}
