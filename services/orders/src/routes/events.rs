//! What orders consumes from Kafka (through Dapr): inventory's and payments' answers, which
//! become commands on the order, and its own order events, which keep the read side current.
//! Delivery is at least once; every handler is idempotent (see each).

use contracts::payment::{PaymentFailed, PaymentSucceeded};
use contracts::stock::{StockRejected, StockReserved};
use contracts::{pubsub, topics};
use salvo::prelude::*;
use service_runtime::pubsub::{DeliveryOutcome, Subscription};
use service_runtime::{DomainEvent, EventEnvelope};
use tracing::Instrument;
use uuid::Uuid;

use crate::app::Orders;
use crate::domain::{Command, OrderEvent};
use crate::error::OrdersError;
use crate::event_store::EventMetadata;

pub const STOCK_EVENTS_ROUTE: &str = "/events/stock";
pub const PAYMENT_EVENTS_ROUTE: &str = "/events/payments";
pub const ORDER_EVENTS_ROUTE: &str = "/events/orders";
/// Messages that can never be processed (not a CloudEvent, or breaking their contract).
pub const DEAD_LETTER_TOPIC: &str = "orders-dead-letters";

pub fn subscriptions() -> Vec<Subscription> {
    [
        (topics::STOCK_EVENTS, STOCK_EVENTS_ROUTE),
        (topics::PAYMENT_EVENTS, PAYMENT_EVENTS_ROUTE),
        (topics::ORDER_EVENTS, ORDER_EVENTS_ROUTE),
    ]
    .into_iter()
    .map(|(topic, route)| {
        Subscription::new(pubsub::EVENTS, topic, route).with_dead_letter_topic(DEAD_LETTER_TOPIC)
    })
    .collect()
}

async fn envelope(req: &mut Request) -> Result<EventEnvelope, DeliveryOutcome> {
    match req
        .payload()
        .await
        .map(|body| EventEnvelope::from_json(body))
    {
        Ok(Ok(envelope)) => Ok(envelope),
        Ok(Err(error)) => {
            tracing::warn!(%error, "dead-lettering a message that is not a CloudEvent");
            Err(DeliveryOutcome::Drop)
        }
        Err(error) => {
            tracing::warn!(%error, "could not read a delivered message");
            Err(DeliveryOutcome::Retry)
        }
    }
}

/// The command another service's event asks for, with the order it is about.
fn command_for(envelope: &EventEnvelope) -> Result<Option<(Uuid, Command)>, String> {
    let parsed = match envelope.event_type() {
        StockReserved::EVENT_TYPE => envelope
            .data::<StockReserved>()
            .map(|e| (e.order_id, Command::RecordStockReserved)),
        StockRejected::EVENT_TYPE => envelope
            .data::<StockRejected>()
            .map(|e| (e.order_id, Command::RecordStockRejected { lines: e.lines })),
        PaymentSucceeded::EVENT_TYPE => envelope
            .data::<PaymentSucceeded>()
            .map(|e| (e.order_id, Command::RecordPaymentSucceeded)),
        PaymentFailed::EVENT_TYPE => envelope
            .data::<PaymentFailed>()
            .map(|e| (e.order_id, Command::RecordPaymentFailed)),
        // Low stock and the like do not concern an order.
        _ => return Ok(None),
    };
    parsed.map(Some).map_err(|e| e.to_string())
}

/// Inventory's and payments' answers. Idempotent by the order's state: an answer the order has
/// already recorded (or can no longer use) decides nothing and appends nothing.
#[handler]
pub async fn receive_answer(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(orders) = depot.get_typed::<Orders>() else {
        return DeliveryOutcome::Retry;
    };
    let envelope = match envelope(req).await {
        Ok(envelope) => envelope,
        Err(outcome) => return outcome,
    };
    let span = tracing::info_span!("event", id = envelope.id(), r#type = envelope.event_type());
    // `.instrument`, not `span.enter()`: an entered guard held across `.await` leaks the
    // span into whatever else the thread runs meanwhile.
    async {
    let (order_id, command) = match command_for(&envelope) {
        Ok(Some(found)) => found,
        Ok(None) => return DeliveryOutcome::Success,
        Err(error) => {
            tracing::warn!(%error, "dead-lettering an event that breaks its contract");
            return DeliveryOutcome::Drop;
        }
    };
    let metadata = EventMetadata {
        causation_id: Some(format!("event:{}", envelope.id())),
        traceparent: envelope.extension("traceparent"),
        tracestate: envelope
            .extension("tracestate")
            .filter(|state| !state.is_empty()),
    };
    match orders.execute(order_id, &command, &metadata).await {
        Ok((executed, _)) => {
            tracing::info!(%order_id, appended = executed.appended.len(), status = executed.order.status.as_str(), "answer recorded");
            DeliveryOutcome::Success
        }
        // An answer about an order this service never stored (another test's or tool's).
        Err(OrdersError::NotFound) => {
            tracing::debug!(%order_id, "answer for an unknown order; ignored");
            DeliveryOutcome::Success
        }
        Err(error) => {
            tracing::error!(%error, %order_id, "recording an answer failed; asking for redelivery");
            DeliveryOutcome::Retry
        }
    }
    }
    .instrument(span)
    .await
}

/// Our own order events, as published: the order's actor catches up with the stream (and
/// writes the query table). Idempotent: the view only ever moves to a later stream version.
#[handler]
pub async fn receive_order_event(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(orders) = depot.get_typed::<Orders>() else {
        return DeliveryOutcome::Retry;
    };
    let envelope = match envelope(req).await {
        Ok(envelope) => envelope,
        Err(outcome) => return outcome,
    };
    // Only what this service stored and published says an order changed; anything else on the
    // topic (a tool's or a test's event) has no stream behind it to catch up with.
    if !OrderEvent::is_order_event_type(envelope.event_type())
        || envelope.source() != crate::publication::SOURCE
    {
        return DeliveryOutcome::Success;
    }
    let Some(order_id) = envelope.subject().and_then(|s| s.parse::<Uuid>().ok()) else {
        tracing::warn!(
            id = envelope.id(),
            "dead-lettering an order event without an order id subject"
        );
        return DeliveryOutcome::Drop;
    };
    // Most deliveries find the read models already there (the command that stored the event
    // projected it at once): a look at the query row spares the actor call.
    let sequence = envelope
        .extension("sequence")
        .and_then(|s| s.parse::<u64>().ok());
    if let Some(sequence) = sequence {
        match orders.summaries.version_of(order_id).await {
            Ok(Some(version)) if version >= sequence => return DeliveryOutcome::Success,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, %order_id, "reading the query row failed; asking for redelivery");
                return DeliveryOutcome::Retry;
            }
        }
    }
    match orders.project(order_id).await {
        Ok(_) => DeliveryOutcome::Success,
        Err(error) => {
            tracing::warn!(%error, %order_id, "projecting failed; asking for redelivery");
            DeliveryOutcome::Retry
        }
    }
}
