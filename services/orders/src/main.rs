//! Wiring only: configuration, the runtime (telemetry, sidecar, database), then the service
//! from the library.

use orders::{Application, MIGRATOR, config};
use service_runtime::StartedService;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let deadline = config::confirmation_deadline()?;
    let (service, pool) = StartedService::with_database("orders", &MIGRATOR).await?;
    let app = Application::build(pool, service.sidecar.clone(), deadline);
    app.spawn_publication_sweeper();
    tracing::info!(
        deadline_seconds = deadline.as_secs(),
        "orders confirm or cancel within the deadline"
    );
    service.serve(app.router()).await;
    Ok(())
}
