//! Users: registration, authentication and profiles, in its own database.

mod routes;
mod store;

use service_runtime::StartedService;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/users");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("users", 8001, &MIGRATOR).await?;
    service.serve(routes::router(pool)).await;
    Ok(())
}
