//! What orders consumes and publishes. It subscribes to inventory's and payments' answers
//! (which become commands on the order); it publishes each order's stream on `order-events`
//! itself (see `publication`). It does not subscribe to its own events: the order's actor
//! writes its read models in the turn that stores the events.

use contracts::{pubsub, topics};
use service_runtime::pubsub::Subscription;

/// The `source` of every order event this service publishes.
pub const SOURCE: &str = "shop/orders";

pub const STOCK_EVENTS_ROUTE: &str = "/events/stock";
pub const PAYMENT_EVENTS_ROUTE: &str = "/events/payments";
/// Messages that can never be processed (not a CloudEvent, or breaking their contract).
pub const DEAD_LETTER_TOPIC: &str = "orders-dead-letters";

pub fn subscriptions() -> Vec<Subscription> {
    [
        (topics::STOCK_EVENTS, STOCK_EVENTS_ROUTE),
        (topics::PAYMENT_EVENTS, PAYMENT_EVENTS_ROUTE),
    ]
    .into_iter()
    .map(|(topic, route)| {
        Subscription::new(pubsub::EVENTS, topic, route).with_dead_letter_topic(DEAD_LETTER_TOPIC)
    })
    .collect()
}
