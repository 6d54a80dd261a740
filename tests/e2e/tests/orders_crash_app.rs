//! kill -9 the orders service in the middle of a burst of orders; after it is restarted, every
//! accepted order is in its stream, on Kafka and in both read models, and nothing is doubled.
//! Its own test binary, so no other test runs while the service is down.
#![allow(clippy::unwrap_used)]

use e2e::orders::burst_of_orders_survives;
use e2e::process::crash_and_restart_orders_app;

#[tokio::test]
async fn a_killed_orders_service_loses_and_doubles_no_order() {
    burst_of_orders_survives(crash_and_restart_orders_app()).await;
}
