//! Inventory's and payments' answers to an order (stock reserved or rejected, payment
//! succeeded or failed), delivered by Dapr from Kafka: each becomes a command on the order.
//! Delivery is at least once; an answer the order has already recorded decides nothing.

use contracts::DomainEvent;
use contracts::payment::{PaymentFailed, PaymentSucceeded};
use contracts::stock::{StockRejected, StockReserved};
use salvo::prelude::*;
use service_runtime::EventEnvelope;
use service_runtime::cloudevent::EnvelopeError;
use service_runtime::intake::{self, Consumed};
use service_runtime::pubsub::DeliveryOutcome;
use uuid::Uuid;

use crate::app::Orders;
use crate::domain::Command;
use crate::error::OrdersError;
use crate::event_store::EventMetadata;

/// The command another service's event asks for, with the order it is about; `None` for
/// events that do not concern an order (low stock and the like).
fn command_for(event: &EventEnvelope) -> Result<Option<(Uuid, Command)>, EnvelopeError> {
    Ok(Some(match event.event_type() {
        StockReserved::EVENT_TYPE => {
            let reserved = event.data::<StockReserved>()?;
            (reserved.order_id, Command::RecordStockReserved)
        }
        StockRejected::EVENT_TYPE => {
            let rejected = event.data::<StockRejected>()?;
            (
                rejected.order_id,
                Command::RecordStockRejected {
                    lines: rejected.lines,
                },
            )
        }
        PaymentSucceeded::EVENT_TYPE => {
            let succeeded = event.data::<PaymentSucceeded>()?;
            (succeeded.order_id, Command::RecordPaymentSucceeded)
        }
        PaymentFailed::EVENT_TYPE => {
            let failed = event.data::<PaymentFailed>()?;
            (failed.order_id, Command::RecordPaymentFailed)
        }
        _ => return Ok(None),
    }))
}

/// Inventory's and payments' answers. Idempotent by the order's state: an answer the order has
/// already recorded (or can no longer use) decides nothing and appends nothing.
#[handler]
pub async fn receive_answer(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(orders) = depot.get_typed::<Orders>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        let Some((order_id, command)) = command_for(&event)? else {
            return Ok(Consumed::Ignored);
        };
        let metadata = EventMetadata {
            causation_id: Some(format!("event:{}", event.id())),
            traceparent: event.extension("traceparent"),
            tracestate: event
                .extension("tracestate")
                .filter(|state| !state.is_empty()),
        };
        match orders.execute(order_id, &command, &metadata).await {
            Ok((executed, _)) => {
                tracing::info!(%order_id, appended = executed.appended.len(), status = executed.order.status.as_str(), "answer recorded");
                Ok(Consumed::from_change(!executed.appended.is_empty()))
            }
            // An answer about an order this service never stored (another test's or tool's).
            Err(OrdersError::NotFound) => {
                tracing::debug!(%order_id, "answer for an unknown order; ignored");
                Ok(Consumed::Ignored)
            }
            Err(error) => Err(error.into()),
        }
    })
    .await
}
