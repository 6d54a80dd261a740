//! Inventory: the product catalog and stock, in its own database.

mod domain;
mod error;
mod events;
mod reservations;
mod routes;
mod store;

use service_runtime::{StartedService, outbox};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/inventory");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("inventory", &MIGRATOR).await?;
    let outbox = outbox::spawn_relay(pool.clone(), service.sidecar.clone());
    service.serve(routes::router(pool, outbox)).await;
    Ok(())
}
