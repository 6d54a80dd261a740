//! Analytics: consumes every domain event from Kafka (through Dapr pub/sub) into its own
//! database, from which reports are folded.

mod events;
mod routes;
mod store;

use service_runtime::StartedService;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/analytics");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("analytics", &MIGRATOR).await?;
    service.serve(routes::router(pool)).await;
    Ok(())
}
