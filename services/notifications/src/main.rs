//! Notifications: takes email and SMS jobs from RabbitMQ (through Dapr pub/sub) and keeps a
//! delivery log in its own database.

mod events;
mod routes;
mod store;

use service_runtime::StartedService;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/notifications");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("notifications", &MIGRATOR).await?;
    service.serve(routes::router(pool)).await;
    Ok(())
}
