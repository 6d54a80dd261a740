//! SQL for the inventory database, one module per aggregate, checked at compile time
//! (`sqlx::query!` with the offline data in `.sqlx/`; refresh it with
//! `./shop prepare-queries inventory` after changing a query).
//!
//! Stores speak in domain types and plain records and return database errors (or their own,
//! where a caller must tell a case apart); what that means for an HTTP client is decided above.
//! Functions that take a `PgConnection` run inside the caller's transaction.

pub mod products;
pub mod reservations;
pub mod stock;
