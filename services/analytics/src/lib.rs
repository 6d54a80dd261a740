//! Analytics: the business's view of the shop. Every domain event arrives from Kafka (through
//! Dapr pub/sub) into an event log, and is folded in the same transaction into projections
//! (orders, lines, customers, stock signals) from which the reports are computed. Nothing here
//! reads another service's data: the events are the only input.

pub mod error;
pub mod events;
pub mod facts;
pub mod projection;
pub mod reports;
pub mod routes;
pub mod store;
pub mod window;

/// The migrations of analytics' database, applied at start-up and by the route tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/analytics");
