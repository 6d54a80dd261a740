//! Starts the inventory service: configuration, sidecar and database (migrated), the outbox
//! relay that publishes recorded events through the sidecar, then the routes.

use inventory::{App, MIGRATOR};
use service_runtime::{StartedService, outbox};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("inventory", &MIGRATOR).await?;
    let outbox = outbox::spawn_relay(pool.clone(), service.sidecar.clone());
    service
        .serve(inventory::router(App::new(pool, outbox)))
        .await;
    Ok(())
}
