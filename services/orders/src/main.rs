//! Orders: the order lifecycle, event-sourced. Each order is a stream of events in the
//! `orderstore` Dapr state store (write side); `OrderActor` holds each order's projection and
//! answers reads (read side).

mod actor;
mod event_store;
mod routes;

use service_runtime::StartedService;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/orders");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("orders", 8003, &MIGRATOR).await?;
    let event_store = event_store::EventStore::new(service.sidecar.clone());
    service.serve(routes::router(pool, event_store)).await;
    Ok(())
}
