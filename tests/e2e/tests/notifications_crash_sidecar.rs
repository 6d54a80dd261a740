//! The notifications sidecar (daprd) killed with -9 in the middle of a burst of registrations
//! and started again: RabbitMQ takes back the jobs it had handed to it unacknowledged, Kafka the
//! events it had not committed, and every customer gets their welcome email exactly once.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use e2e::notifications::{burst_of_welcomes_survives, crash_and_restart_notifications_sidecar};
use e2e::*;

#[tokio::test]
async fn a_crash_of_the_notifications_sidecar_loses_no_email_and_doubles_none() {
    require_kafka();
    require_rabbitmq();
    burst_of_welcomes_survives(15, crash_and_restart_notifications_sidecar).await;
}
