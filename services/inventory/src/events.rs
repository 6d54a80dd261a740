//! What inventory consumes (the order saga's events on `order-events`) and publishes
//! (`stock-events`, through the transactional outbox, so a decision is announced if and only
//! if it was stored).

use contracts::{pubsub, topics};
use service_runtime::outbox::{self, OutboxError};
use service_runtime::pubsub::Subscription;
use service_runtime::{DomainEvent, EventEnvelope};
use sqlx::PgConnection;

pub const SOURCE: &str = "shop/inventory";
pub const ORDER_EVENTS_ROUTE: &str = "/events/orders";
pub const PAYMENT_EVENTS_ROUTE: &str = "/events/payments";
/// Messages that can never be processed (not a CloudEvent, or breaking their contract).
pub const DEAD_LETTER_TOPIC: &str = "inventory-dead-letters";

pub fn subscriptions() -> Vec<Subscription> {
    vec![
        Subscription::new(pubsub::EVENTS, topics::ORDER_EVENTS, ORDER_EVENTS_ROUTE)
            .with_dead_letter_topic(DEAD_LETTER_TOPIC),
        Subscription::new(pubsub::EVENTS, topics::PAYMENT_EVENTS, PAYMENT_EVENTS_ROUTE)
            .with_dead_letter_topic(DEAD_LETTER_TOPIC),
    ]
}

/// Records a stock event in the outbox, inside the caller's transaction.
pub async fn record<E: DomainEvent>(
    connection: &mut PgConnection,
    event: &E,
) -> Result<(), OutboxError> {
    let envelope = EventEnvelope::wrap(SOURCE, event)?;
    outbox::enqueue(connection, pubsub::EVENTS, topics::STOCK_EVENTS, &envelope).await
}
