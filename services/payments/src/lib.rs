//! Payments: authorizes, captures, voids and refunds the orders' payments at the provider
//! (Stripe's API through a Dapr output binding), keeps a ledger of every provider operation and
//! announces each change on `payment-events` through its transactional outbox.
//!
//! Layers, outside in: [`routes`](router) (HTTP and CloudEvents in and out) call the use cases
//! of [`App`]; the [`Processor`] drives each payment at the provider; `domain` holds the rules,
//! `store` the SQL, `provider` the gateway to the provider.

mod app;
pub mod domain;
mod error;
mod events;
mod known_methods;
pub mod processor;
pub mod provider;
mod routes;
mod store;

pub use app::App;
pub use processor::Processor;
pub use routes::router;

/// The migrations of payments' database, applied at start-up and by the route tests.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/payments");

/// The Dapr output binding that reaches the provider (see `components/stripe.yaml`).
pub const PROVIDER_BINDING: &str = "stripe";
/// The secret the provider signs its webhooks with.
pub const WEBHOOK_SECRET: &str = "stripe-webhook-secret";
