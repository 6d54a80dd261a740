//! RabbitMQ killed with -9 in the middle of a burst of registrations, started again 10 s later:
//! the jobs already queued survive (durable queue, persistent messages), the ones notifications
//! could not publish meanwhile wait in its outbox, and every customer gets their welcome email
//! exactly once.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::time::Duration;

use e2e::notifications::{burst_of_welcomes_survives, rabbitmq_node, restart_rabbitmq};
use e2e::process::kill_9;
use e2e::*;

#[tokio::test]
async fn rabbitmq_killed_and_restarted_loses_no_email_and_doubles_none() {
    require_kafka();
    require_rabbitmq();
    burst_of_welcomes_survives(15, || async {
        let node = rabbitmq_node();
        kill_9(&node);
        tokio::time::sleep(Duration::from_secs(10)).await;
        restart_rabbitmq(&node).await;
    })
    .await;
}
