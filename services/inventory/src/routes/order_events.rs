//! The order saga's events (orders and payments), delivered by Dapr from Kafka. At-least-once
//! delivery: every handler is idempotent by order id (see `reservations`).

use contracts::order::{OrderCancelled, OrderConfirmed, OrderPlaced};
use contracts::payment::PaymentFailed;
use salvo::prelude::*;
use service_runtime::outbox::OutboxSignal;
use service_runtime::pubsub::DeliveryOutcome;
use service_runtime::{DomainEvent, EventEnvelope};
use sqlx::PgPool;
use tracing::Instrument;

use crate::reservations::{self, Decision};

#[handler]
pub async fn receive_order_event(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let (Ok(pool), Ok(outbox)) = (
        depot.get_typed::<PgPool>(),
        depot.get_typed::<OutboxSignal>(),
    ) else {
        return DeliveryOutcome::Retry;
    };
    let envelope = match req
        .payload()
        .await
        .map(|body| EventEnvelope::from_json(body))
    {
        Ok(Ok(envelope)) => envelope,
        Ok(Err(error)) => {
            tracing::warn!(%error, "dead-lettering a message that is not a CloudEvent");
            return DeliveryOutcome::Drop;
        }
        Err(error) => {
            tracing::warn!(%error, "could not read a delivered message");
            return DeliveryOutcome::Retry;
        }
    };
    let span = tracing::info_span!(
        "event",
        id = envelope.id(),
        r#type = envelope.event_type(),
        order_id = envelope.subject()
    );
    // `.instrument`, not `span.enter()`: an entered guard held across `.await` leaks the
    // span into whatever else the thread runs meanwhile.
    async {
        let outcome = match envelope.event_type() {
            OrderPlaced::EVENT_TYPE => match envelope.data::<OrderPlaced>() {
                Ok(order) => reservations::reserve(pool, &order).await,
                Err(error) => return dead_letter(&error),
            },
            OrderConfirmed::EVENT_TYPE => match envelope.data::<OrderConfirmed>() {
                Ok(event) => reservations::settle(pool, event.order_id, true).await,
                Err(error) => return dead_letter(&error),
            },
            OrderCancelled::EVENT_TYPE => match envelope.data::<OrderCancelled>() {
                Ok(event) => reservations::settle(pool, event.order_id, false).await,
                Err(error) => return dead_letter(&error),
            },
            PaymentFailed::EVENT_TYPE => match envelope.data::<PaymentFailed>() {
                Ok(event) => reservations::settle(pool, event.order_id, false).await,
                Err(error) => return dead_letter(&error),
            },
            // Other events (shipped, payment succeeded...) do not concern stock.
            _ => return DeliveryOutcome::Success,
        };
        match outcome {
            Ok(decision) => {
                tracing::info!(?decision, "order event handled");
                if matches!(decision, Decision::Reserved | Decision::Rejected) {
                    outbox.committed();
                }
                DeliveryOutcome::Success
            }
            Err(error) => {
                tracing::error!(
                    error = format!("{error:#}"),
                    "handling an order event failed; asking for redelivery"
                );
                DeliveryOutcome::Retry
            }
        }
    }
    .instrument(span)
    .await
}

fn dead_letter(error: &dyn std::fmt::Display) -> DeliveryOutcome {
    tracing::warn!(%error, "dead-lettering an event that breaks its contract");
    DeliveryOutcome::Drop
}
