//! Notifications: takes email and SMS jobs from RabbitMQ (through Dapr pub/sub) and keeps a
//! delivery log in its own database.

pub mod events;
pub mod routes;
pub mod store;

/// The migrations of notifications' database, applied at start-up and by the route tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/notifications");
