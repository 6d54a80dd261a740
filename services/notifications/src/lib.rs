//! Notifications: turns the domain events customers and administrators care about into email
//! and SMS messages, each queued as a job on RabbitMQ and sent once through the sidecar's
//! output bindings, with preferences, a history and dead letters an administrator can replay.
//!
//! Layers, outside in: [`router`] (HTTP and Dapr deliveries) calls the use cases of [`App`];
//! `compose` decides and renders the messages of an event (`domain` holds the rules,
//! `templates` the wording), `store` holds the SQL, `sender` the bindings, `contacts` the call
//! to users.

mod app;
mod compose;
pub mod config;
mod contacts;
pub mod domain;
mod error;
mod events;
mod routes;
mod sender;
mod store;
pub mod sweeper;
pub mod templates;

pub use app::App;
pub use routes::router;

/// The migrations of notifications' database, applied at start-up and by the route tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/notifications");

/// The secret naming the administrators' address (the one users seeds the admin account with).
pub const ADMIN_EMAIL_SECRET: &str = "admin-email";
