//! Settings of the notifications service, from the environment.

use std::time::Duration;

use service_runtime::config::{ConfigError, parsed};

#[derive(Debug, Clone)]
pub struct NotificationsConfig {
    /// A queued message with no sign of life for this long gets a new job (the sweeper). Longer
    /// than the jobs' retry policy waits between two attempts (at most 45 s: 30 s with +50 %
    /// jitter, components/resiliency.yaml), so a message being retried is never resent.
    pub resend_after: Duration,
    /// How often the sweeper looks.
    pub sweep_every: Duration,
    /// An event older than this tells nobody anything (see [`crate::App::with_max_event_age`]).
    pub max_event_age: Duration,
}

impl NotificationsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            resend_after: Duration::from_secs(parsed("NOTIFICATIONS_RESEND_AFTER_SECS", 120)?),
            sweep_every: Duration::from_secs(parsed("NOTIFICATIONS_SWEEP_EVERY_SECS", 15)?),
            max_event_age: Duration::from_secs(parsed(
                "NOTIFICATIONS_MAX_EVENT_AGE_SECS",
                crate::app::DEFAULT_MAX_EVENT_AGE.as_secs(),
            )?),
        })
    }
}
