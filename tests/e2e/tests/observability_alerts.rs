//! An alert that fires for real: the notifications app is stopped (SIGSTOP: the process is
//! there but does nothing, as a hung consumer) while new customers keep registering, so
//! `shop.user.registered.v1` events pile up on `user-events` in Kafka. Prometheus, scraping the
//! sidecars, sees users' sidecar publish and notifications' sidecar deliver nothing, and the
//! `ConsumerStalled` rule fires for (notifications, user-events). Then the app goes on (SIGCONT),
//! consumes the backlog, and the alert resolves.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

use e2e::observability::*;
use e2e::process::app_process;
use e2e::*;

/// How long the alert may take: the rule looks at a minute of deliveries and holds for 30 s,
/// daprd notices the stopped app after three failed probes (15 s), and Prometheus scrapes and
/// evaluates every 5 s.
const ALERT_PATIENCE: Duration = Duration::from_secs(240);

const DELIVERED: &str = r#"sum(dapr_component_pubsub_ingress_count{job="daprd",app_id="notifications",topic="user-events",process_status="success"})"#;

/// Sends a signal to a process of the system.
fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {signal} {pid} failed");
}

/// Stops a process until dropped: the app goes on however the test ends.
struct Stopped(u32);

impl Stopped {
    fn stop(pid: u32) -> Self {
        signal(pid, "-STOP");
        Self(pid)
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        signal(self.0, "-CONT");
    }
}

/// The `ConsumerStalled` alert for notifications on user-events, in `state` ("firing"), if any.
async fn consumer_stalled(state: &str) -> bool {
    alerts().await.iter().any(|alert| {
        alert["labels"]["alertname"] == "ConsumerStalled"
            && alert["labels"]["app_id"] == "notifications"
            && alert["labels"]["topic"] == "user-events"
            && alert["state"] == state
    })
}

#[tokio::test]
async fn a_stopped_consumer_fires_consumer_stalled_while_its_events_pile_up() {
    require_kafka();
    // The sidecar has delivered user-events before (the series exists, with this one in it).
    let before = query_sum(DELIVERED).await;
    register_user().await;
    wait_for_series(DELIVERED, before + 1.0).await;
    assert!(
        !consumer_stalled("firing").await,
        "ConsumerStalled fires before anything was stopped"
    );

    let notifications = app_process("notifications");
    let stopped = Stopped::stop(notifications.pid);
    let deadline = tokio::time::Instant::now() + ALERT_PATIENCE;
    let mut registered = 0;
    loop {
        // Events keep coming: a registration every two seconds.
        register_user().await;
        registered += 1;
        if consumer_stalled("firing").await {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "ConsumerStalled did not fire within {ALERT_PATIENCE:?} ({registered} registrations \
             while notifications was stopped): {:#?}",
            alerts().await
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let piled_up = query_sum(DELIVERED).await;

    // Going on, the consumer takes what piled up, and the alert resolves.
    drop(stopped);
    wait_for_series(DELIVERED, piled_up + 1.0).await;
    eventually(
        "ConsumerStalled to resolve once notifications consumes again",
        ALERT_PATIENCE,
        || async { (!consumer_stalled("firing").await).then_some(()) },
    )
    .await;
}
