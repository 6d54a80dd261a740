//! The sweeper: a background task that gives a new job to queued messages whose job went
//! missing (see [`App::resend_stale`]). Several replicas may sweep side by side: a message is
//! claimed with `FOR UPDATE SKIP LOCKED`, and its resend counted in the same transaction.

use crate::App;
use crate::config::NotificationsConfig;

pub fn spawn(app: App, config: NotificationsConfig) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(config.sweep_every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(error) = app.resend_stale(config.resend_after).await {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "sweeping stale messages failed; next time"
                );
            }
        }
    });
}
