//! Notifications' routes in process, each test on a database of its own (sqlx::test applies the
//! service's migrations to a fresh one). The sidecar is a closed port: a send or a call to users
//! fails as unavailable, so what a test sees is what the service decides and stores around it.

mod deliveries;
mod helpers;
mod history;
mod preferences;
