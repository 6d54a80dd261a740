//! The API gateway: the one entry point for clients. It owns no data. It verifies the caller's
//! access token once, applies rate limits and CORS, and forwards every `/api/...` request to the
//! service that owns the resource through Dapr service invocation, with the caller's identity
//! in headers.
//!
//! [`router`] builds the whole gateway from its configuration; `main` and the tests in `tests/`
//! both call it, so the tests exercise the routes, hoops and checks that run in production.

mod auth;
pub mod config;
mod cors;
mod domain;
mod rate_limit;
mod routes;

pub use routes::router;
