//! What analytics consumes: every topic of domain events, and the replay topic where copies of
//! them are fed again.

use contracts::{pubsub, topics};
use service_runtime::pubsub::Subscription;

pub const INBOX_ROUTE: &str = "/events/inbox";

pub fn subscriptions() -> Vec<Subscription> {
    topics::ALL_DOMAIN_TOPICS
        .iter()
        .chain([&topics::ANALYTICS_REPLAY])
        .map(|topic| Subscription::new(pubsub::EVENTS, topic, INBOX_ROUTE))
        .collect()
}
