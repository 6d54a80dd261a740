//! Orders: the order lifecycle, event-sourced, with CQRS reads.
//!
//! Write side: each order is a stream of events in the `orderstore` Dapr state store; commands
//! are decided against the folded stream and appended under the stream's version
//! (`commands`, `event_store`), then published to Kafka (`publication`).
//! Read side: `OrderActor` (one Dapr actor per order) keeps the order's view and the query
//! table behind the lists (`actor`, `summaries`), fed from the same events.

mod actor;
mod app;
mod commands;
mod domain;
mod error;
mod event_store;
mod inventory_client;
mod publication;
mod routes;
mod summaries;

use std::time::Duration;

use service_runtime::StartedService;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/orders");

/// How long an order may stay unconfirmed (no stock answer, no payment) before its reminder
/// cancels it with reason `timeout`.
const DEFAULT_CONFIRMATION_DEADLINE: Duration = Duration::from_secs(15 * 60);

fn confirmation_deadline() -> anyhow::Result<Duration> {
    match std::env::var("ORDER_CONFIRMATION_DEADLINE_SECONDS") {
        Err(_) => Ok(DEFAULT_CONFIRMATION_DEADLINE),
        Ok(raw) => {
            let seconds: u64 = raw.parse().map_err(|_| {
                anyhow::anyhow!(
                    "ORDER_CONFIRMATION_DEADLINE_SECONDS must be whole seconds, not {raw:?}"
                )
            })?;
            anyhow::ensure!(
                seconds > 0,
                "ORDER_CONFIRMATION_DEADLINE_SECONDS must be positive"
            );
            Ok(Duration::from_secs(seconds))
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let deadline = confirmation_deadline()?;
    let (service, pool) = StartedService::with_database("orders", &MIGRATOR).await?;
    let sidecar = service.sidecar.clone();
    let store = event_store::EventStore::new(sidecar.clone());
    let publisher = publication::Publisher::new(pool.clone(), sidecar.clone(), store.clone());
    publisher.clone().spawn_sweeper();
    let commands = commands::CommandHandler::new(store, publisher.clone());
    let summaries = summaries::OrderSummaries::new(pool.clone());
    let actor = actor::OrderActor::new(
        sidecar.clone(),
        commands.clone(),
        summaries.clone(),
        deadline,
    );
    let orders = app::Orders {
        pool,
        sidecar,
        commands,
        summaries,
        publisher,
        replays: app::ReplayJobs::default(),
    };
    tracing::info!(
        deadline_seconds = deadline.as_secs(),
        "orders confirm or cancel within the deadline"
    );
    service.serve(routes::router(orders, actor)).await;
    Ok(())
}
