//! What payments consumes (the order saga's events on `order-events`) and publishes
//! (`payment-events`, through the transactional outbox, so a payment's change is announced if
//! and only if it was stored).

use contracts::{pubsub, topics};
use service_runtime::outbox::{self, OutboxError};
use service_runtime::pubsub::Subscription;
use service_runtime::{DomainEvent, EventEnvelope};
use sqlx::PgConnection;

pub const SOURCE: &str = "shop/payments";
pub const ORDER_EVENTS_ROUTE: &str = "/events/orders";
/// Messages that can never be processed (not a CloudEvent, or breaking their contract).
pub const DEAD_LETTER_TOPIC: &str = "payments-dead-letters";

pub fn subscriptions() -> Vec<Subscription> {
    vec![
        Subscription::new(pubsub::EVENTS, topics::ORDER_EVENTS, ORDER_EVENTS_ROUTE)
            .with_dead_letter_topic(DEAD_LETTER_TOPIC),
    ]
}

/// Records a payment event in the outbox, inside the caller's transaction. `id` names the change
/// (`<order id>:captured`), so the same change always has the same event id.
pub async fn record<E: DomainEvent>(
    connection: &mut PgConnection,
    id: String,
    event: &E,
) -> Result<(), OutboxError> {
    let envelope = EventEnvelope::wrap_with_id(id, SOURCE, event)?;
    outbox::enqueue(
        connection,
        pubsub::EVENTS,
        topics::PAYMENT_EVENTS,
        &envelope,
    )
    .await
}
