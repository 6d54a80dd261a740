//! The inventory's use cases, one module per concern: what the routes and the event intake ask
//! for, in the service's own terms. Each use case takes domain types, runs its transaction
//! through the stores and answers domain types or store records; HTTP and Dapr stay outside.

mod catalog;
mod reservations;
mod stock;

use service_runtime::outbox::OutboxSignal;
use sqlx::PgPool;

pub use catalog::ProductPage;
pub use reservations::Decision;
pub use stock::StockLevel;

/// What every use case works with: the service's database, and the signal that wakes the outbox
/// relay after a transaction recorded an event (see `service_runtime::outbox`).
#[derive(Clone)]
pub struct App {
    pool: PgPool,
    outbox: OutboxSignal,
}

impl App {
    pub fn new(pool: PgPool, outbox: OutboxSignal) -> Self {
        Self { pool, outbox }
    }
}
