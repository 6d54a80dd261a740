//! The order events this service published, delivered back by Dapr from Kafka: the order's
//! actor catches up with the stream (and writes the query table). Delivery is at least once.

use salvo::prelude::*;
use service_runtime::intake::{self, ConsumeError, Consumed};
use service_runtime::pubsub::DeliveryOutcome;
use uuid::Uuid;

use crate::app::{CatchUp, Orders};
use crate::domain::OrderEvent;
use crate::events;

/// Our own order events, as published: the order's actor catches up with the stream (and
/// writes the query table). Idempotent: the view only ever moves to a later stream version, and
/// a delivery the query row already reflects is skipped without asking the actor.
#[handler]
pub async fn receive_order_event(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(orders) = depot.get_typed::<Orders>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        // Only what this service stored and published says an order changed; anything else on
        // the topic (a tool's or a test's event) has no stream behind it to catch up with.
        if !OrderEvent::is_order_event_type(event.event_type()) || event.source() != events::SOURCE
        {
            return Ok(Consumed::Ignored);
        }
        let order_id = event
            .subject()
            .and_then(|subject| subject.parse::<Uuid>().ok())
            .ok_or_else(|| {
                ConsumeError::BrokenContract("an order event without an order id subject".into())
            })?;
        let sequence = event
            .extension("sequence")
            .and_then(|sequence| sequence.parse::<u64>().ok());
        Ok(match orders.catch_up_with(order_id, sequence).await? {
            CatchUp::Projected => Consumed::Handled,
            CatchUp::AlreadyThere => Consumed::AlreadyDone,
        })
    })
    .await
}
