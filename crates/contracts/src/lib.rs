//! Contracts between services. A topic, event type, internal API or shared value rule is defined
//! here once; producers and consumers both use these definitions, so a rename cannot leave one
//! side behind. This crate is the bottom of the house: it depends on no other crate of ours.

mod domain_event;
mod field_error;
pub mod quote;
pub mod sku;
pub mod whole_number;

pub use domain_event::DomainEvent;
pub use field_error::{FieldError, single_line_text};
pub use sku::Sku;

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
    /// The order service publishes its event streams here itself, keyed by order id, from its
    /// own publication ledger (see the orders service's `publication` module).
    pub const ORDER_EVENTS: &str = "order-events";
    pub const PAYMENT_EVENTS: &str = "payment-events";

    pub const ALL_DOMAIN_TOPICS: &[&str] =
        &[USER_EVENTS, STOCK_EVENTS, ORDER_EVENTS, PAYMENT_EVENTS];

    /// Events fed to analytics again, each a copy of a domain event under its own CloudEvent id
    /// (a backfill, or a redelivery drill): only analytics subscribes, and folds each as if it
    /// came on its own topic, so a copy of an event it has is recognised and changes nothing.
    pub const ANALYTICS_REPLAY: &str = "analytics-replay";

    /// Notification jobs on the `jobs` component, and where the ones that cannot be delivered go.
    pub const NOTIFICATION_JOBS: &str = "notification-jobs";
    pub const NOTIFICATION_JOBS_DEAD: &str = "notification-jobs-dead";
}

/// Implements `DomainEvent` for an event about the aggregate named by one of its fields: the
/// versioned CloudEvents type, and the field that becomes the `subject` and the Kafka key.
macro_rules! domain_event {
    ($event:ty, $event_type:literal, $aggregate_id:ident) => {
        impl $crate::DomainEvent for $event {
            const EVENT_TYPE: &'static str = $event_type;
            fn aggregate_id(&self) -> String {
                self.$aggregate_id.to_string()
            }
        }
    };
}

pub mod notification;
pub mod order;
pub mod payment;
pub mod stock;
pub mod user;

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT_TYPES: &[&str] = &[
        notification::NotificationRequested::EVENT_TYPE,
        order::OrderPlaced::EVENT_TYPE,
        order::OrderStockReserved::EVENT_TYPE,
        order::OrderStockRejected::EVENT_TYPE,
        order::PaymentRequested::EVENT_TYPE,
        order::OrderConfirmed::EVENT_TYPE,
        order::OrderCancelled::EVENT_TYPE,
        order::OrderShipped::EVENT_TYPE,
        order::OrderPaymentUpdated::EVENT_TYPE,
        payment::PaymentAuthorized::EVENT_TYPE,
        payment::PaymentFailed::EVENT_TYPE,
        payment::PaymentCaptured::EVENT_TYPE,
        payment::PaymentVoided::EVENT_TYPE,
        payment::PaymentRefunded::EVENT_TYPE,
        stock::StockReserved::EVENT_TYPE,
        stock::StockRejected::EVENT_TYPE,
        stock::StockLow::EVENT_TYPE,
        user::UserRegistered::EVENT_TYPE,
    ];

    /// Consumers dispatch on the type: two contracts with one type, or a type without its
    /// version, would be read as the wrong thing.
    #[test]
    fn every_event_type_is_unique_and_versioned() {
        let mut seen = std::collections::HashSet::new();
        for event_type in EVENT_TYPES {
            assert!(seen.insert(event_type), "{event_type} is used twice");
            let parts: Vec<&str> = event_type.split('.').collect();
            assert_eq!(
                parts.len(),
                4,
                "{event_type} is not shop.<area>.<event>.v<N>"
            );
            assert_eq!(parts[0], "shop");
            let version = parts[3]
                .strip_prefix('v')
                .and_then(|n| n.parse::<u32>().ok());
            assert!(
                version.is_some_and(|v| v >= 1),
                "{event_type} has no version"
            );
        }
    }

    #[test]
    fn the_aggregate_id_is_the_named_field() {
        let order_id = uuid::Uuid::new_v4();
        let cancelled = order::OrderCancelled {
            order_id,
            reason: "customer".into(),
        };
        assert_eq!(cancelled.aggregate_id(), order_id.to_string());
        let low = stock::StockLow {
            sku: "LAMP-1".into(),
            available: 1,
            threshold: 5,
        };
        assert_eq!(low.aggregate_id(), "LAMP-1");
    }
}
