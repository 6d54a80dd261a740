//! Contracts between services. A topic or event type is named here once; producers and
//! consumers both use these definitions, so a rename cannot leave one side behind.

/// Dapr pub/sub components (see `components/`).
pub mod pubsub {
    /// Domain events on Apache Kafka, keyed by aggregate id.
    pub const EVENTS: &str = "events";
    /// Notification jobs on RabbitMQ: durable queues with a dead-letter queue.
    pub const JOBS: &str = "jobs";
}

/// Topics on the `events` component, one per aggregate kind.
pub mod topics {
    pub const USER_EVENTS: &str = "user-events";
    pub const STOCK_EVENTS: &str = "stock-events";
    /// The order service publishes only through the state store's transactional outbox, which
    /// has one fixed topic per component (`outboxPublishTopic` in `components/orderstore.yaml`).
    pub const ORDER_EVENTS: &str = "order-events";
    pub const PAYMENT_EVENTS: &str = "payment-events";

    pub const ALL_DOMAIN_TOPICS: &[&str] =
        &[USER_EVENTS, STOCK_EVENTS, ORDER_EVENTS, PAYMENT_EVENTS];

    /// Notification jobs on the `jobs` component, and where the ones that cannot be delivered go.
    pub const NOTIFICATION_JOBS: &str = "notification-jobs";
    pub const NOTIFICATION_JOBS_DEAD: &str = "notification-jobs-dead";
}

pub mod notification;
pub mod order;
pub mod payment;
pub mod stock;
pub mod user;
