//! Inventory: the product catalog and stock, in its own database.

mod domain;
mod error;
mod routes;
mod store;

use service_runtime::StartedService;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/inventory");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("inventory", 8002, &MIGRATOR).await?;
    service.serve(routes::router(pool)).await;
    Ok(())
}
