//! Payments: payment transactions and refunds, in its own database.

mod routes;

use service_runtime::StartedService;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/payments");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("payments", &MIGRATOR).await?;
    service.serve(routes::router(pool)).await;
    Ok(())
}
