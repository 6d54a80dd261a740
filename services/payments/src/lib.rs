//! Payments: payment transactions and refunds, in its own database.

pub mod routes;

/// The migrations of payments' database, applied at start-up and by the route tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/payments");
