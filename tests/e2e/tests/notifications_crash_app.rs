//! The notifications service killed with -9 in the middle of a burst of registrations and
//! started again: every customer gets their welcome email, exactly once. What was being sent
//! holds its row lock in a transaction the crash rolls back; its job was not acknowledged, so
//! RabbitMQ (through the sidecar) delivers it again.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use e2e::notifications::{burst_of_welcomes_survives, crash_and_restart_notifications_app};
use e2e::*;

#[tokio::test]
async fn a_crash_of_the_notifications_app_loses_no_email_and_doubles_none() {
    require_kafka();
    require_rabbitmq();
    burst_of_welcomes_survives(15, crash_and_restart_notifications_app).await;
}
