//! Wiring only: configuration, sidecar and database, then the router from the library.

use payments::{MIGRATOR, routes};
use service_runtime::StartedService;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("payments", &MIGRATOR).await?;
    service.serve(routes::router(pool)).await;
    Ok(())
}
