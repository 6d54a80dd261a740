//! Analytics: consumes every domain event from Kafka (through Dapr pub/sub) into its own
//! database, from which reports are folded.

pub mod events;
pub mod routes;
pub mod store;

/// The migrations of analytics' database, applied at start-up and by the route tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/analytics");
