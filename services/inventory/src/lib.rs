//! Inventory: the product catalogue and stock, in its own database.
//!
//! Layers, outside in: [`routes`](router) (HTTP and CloudEvents in and out) call the use cases
//! of [`App`] (`app`), which work with the pure rules and value types of `domain` and read and
//! write through the stores (`store`, all the SQL). `events` names what the service consumes and
//! publishes (through the transactional outbox).
//!
//! `main` wires the process (configuration, sidecar, database, outbox relay) and serves
//! [`router`]; the route tests in `tests/` build the same router on a database of their own.

mod app;
mod domain;
mod error;
mod events;
mod routes;
mod store;

pub use app::App;
pub use routes::router;

/// The inventory database's schema, applied at start-up.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/inventory");
