//! What notifications consumes: jobs from the `jobs` queue. A job that cannot be processed is
//! dead-lettered rather than lost.

use contracts::{pubsub, topics};
use service_runtime::pubsub::Subscription;

pub const JOBS_ROUTE: &str = "/jobs/notification";

pub fn subscriptions() -> Vec<Subscription> {
    vec![
        Subscription::new(pubsub::JOBS, topics::NOTIFICATION_JOBS, JOBS_ROUTE)
            .with_dead_letter_topic(topics::NOTIFICATION_JOBS_DEAD),
    ]
}
