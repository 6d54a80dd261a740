//! Orders: the order lifecycle, event-sourced, with CQRS reads.
//!
//! Each order is a stream of events in the `orderstore` Dapr state store (`event_store`), and
//! `OrderActor` (one Dapr actor per order, `actor`) is its one writer: every command on the
//! order is a call of its actor, which decides it against the folded stream it holds, appends,
//! publishes to Kafka (`publication`) and writes the query table behind the lists
//! (`summaries`), in one turn. Reads of an order are answered by its actor (CQRS: the view is
//! the read model, kept beside the write model), lists by the query table.
//!
//! Layers: `routes` (HTTP in and out) → `app` (the use cases) → `actor` → `domain` (pure), with
//! the stores (`event_store`, `summaries`, `idempotency`, `publication`) and the clients of
//! other processes (`inventory_client`, `payments_client`, `actor_client`) beside it. [`Application`] wires
//! them; `main` and the route tests in `tests/` both build the service through it.

mod actor;
mod actor_client;
mod app;
pub mod config;
pub mod domain;
mod error;
mod event_store;
mod events;
mod idempotency;
mod inventory_client;
mod payments_client;
mod publication;
mod replays;
mod routes;
pub mod summaries;

use std::time::Duration;

use salvo::Router;
use service_runtime::Sidecar;
use sqlx::PgPool;

use crate::actor::OrderActor;
use crate::app::Orders;
use crate::event_store::EventStore;
use crate::idempotency::IdempotencyKeys;
use crate::publication::Publisher;
use crate::summaries::OrderSummaries;

/// The migrations of orders' database, applied at start-up and by the route tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/orders");

/// The service, wired: the use cases, the actor it hosts, and the publisher's sweeper.
pub struct Application {
    orders: Orders,
    actor: OrderActor,
    publisher: Publisher,
}

impl Application {
    /// Wires the service on its database and sidecar. Nothing connects here: the sidecar is
    /// first called when a request or event needs it.
    pub fn build(pool: PgPool, sidecar: Sidecar, confirmation_deadline: Duration) -> Self {
        let store = EventStore::new(sidecar.clone());
        let publisher = Publisher::new(pool.clone(), sidecar.clone(), store.clone());
        let summaries = OrderSummaries::new(pool.clone());
        let actor = OrderActor::new(
            sidecar.clone(),
            store.clone(),
            publisher.clone(),
            confirmation_deadline,
        );
        let orders = Orders::new(
            sidecar,
            store,
            actor.clone(),
            summaries,
            IdempotencyKeys::new(pool),
            publisher.clone(),
        );
        Self {
            orders,
            actor,
            publisher,
        }
    }

    /// Every route the service serves.
    pub fn router(&self) -> Router {
        routes::router(self.orders.clone(), self.actor.clone())
    }

    /// Starts publishing, every few seconds and forever, what crashed or failed writers left
    /// unpublished (see `publication`).
    pub fn spawn_publication_sweeper(&self) {
        self.publisher.clone().spawn_sweeper();
    }
}
