//! The users routes in process: the service `main` serves, built on a fresh database of each
//! test's own (`sqlx::test`), called with salvo's test client. No sidecar runs: registrations
//! leave their events in the outbox, where the tests read them.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

mod admin;
mod helpers;
mod openapi;
mod profile;
mod registration;
mod sessions;
