//! What notifications consumes and publishes.
//!
//! In: the domain events on Kafka (`events`) that concern customers or administrators, and its
//! own jobs on RabbitMQ (`jobs`), plus the jobs Dapr gave up on (the dead-letter topic). Out:
//! one job per message on `jobs`, through the transactional outbox, so a job exists if and only
//! if its message was stored.

use contracts::notification::NotificationRequested;
use contracts::{pubsub, topics};
use service_runtime::EventEnvelope;
use service_runtime::outbox::{self, OutboxError};
use service_runtime::pubsub::Subscription;
use sqlx::PgConnection;

pub const SOURCE: &str = "shop/notifications";
pub const DOMAIN_EVENTS_ROUTE: &str = "/events/domain";
pub const JOBS_ROUTE: &str = "/jobs/notification";
pub const DEAD_JOBS_ROUTE: &str = "/jobs/dead-letters";
/// Domain events that can never be processed (not a CloudEvent, or breaking their contract).
pub const DEAD_LETTER_TOPIC: &str = "notifications-dead-letters";

/// The topics with events that cause messages: registrations, orders, refunds, low stock.
const DOMAIN_TOPICS: [&str; 4] = [
    topics::USER_EVENTS,
    topics::ORDER_EVENTS,
    topics::PAYMENT_EVENTS,
    topics::STOCK_EVENTS,
];

pub fn subscriptions() -> Vec<Subscription> {
    let mut subscriptions: Vec<Subscription> = DOMAIN_TOPICS
        .into_iter()
        .map(|topic| {
            Subscription::new(pubsub::EVENTS, topic, DOMAIN_EVENTS_ROUTE)
                .with_dead_letter_topic(DEAD_LETTER_TOPIC)
        })
        .collect();
    // A job whose attempts are used up (components/resiliency.yaml, `jobs` inbound), or that
    // the service refuses for good, goes to the dead-letter topic; this service reads it back
    // to mark the message dead. That subscription also makes the topic's queue exist from the
    // start, so nothing published to it is dropped for want of a queue.
    subscriptions.push(
        Subscription::new(pubsub::JOBS, topics::NOTIFICATION_JOBS, JOBS_ROUTE)
            .with_dead_letter_topic(topics::NOTIFICATION_JOBS_DEAD),
    );
    subscriptions.push(Subscription::new(
        pubsub::JOBS,
        topics::NOTIFICATION_JOBS_DEAD,
        DEAD_JOBS_ROUTE,
    ));
    subscriptions
}

/// Records a job in the outbox, inside the caller's transaction. `id` is the CloudEvent's id:
/// the notification id for the first job, with the replay's number for a replayed one.
pub async fn queue_job(
    connection: &mut PgConnection,
    id: String,
    job: &NotificationRequested,
) -> Result<(), OutboxError> {
    let envelope = EventEnvelope::wrap_with_id(id, SOURCE, job)?;
    outbox::enqueue(
        connection,
        pubsub::JOBS,
        topics::NOTIFICATION_JOBS,
        &envelope,
    )
    .await
}
