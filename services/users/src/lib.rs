//! Users: registration, authentication (argon2id passwords, JWT access tokens, rotating refresh
//! tokens) and profiles, in its own database.
//!
//! `main` wires the service (configuration, sidecar, database, secrets) and serves
//! [`routes::router`]; the route tests build the same router on a database of their own.

pub mod app;
pub mod config;
pub mod credentials;
pub mod domain;
pub mod error;
pub mod events;
pub mod routes;
pub mod store;

pub use app::UsersApp;
pub use config::UsersConfig;
pub use routes::router;

/// The users database's schema, applied at start-up (and by `sqlx::test` in the route tests).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/users");
