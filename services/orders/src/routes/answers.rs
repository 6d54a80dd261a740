//! Inventory's and payments' answers to an order (stock reserved or rejected, payment
//! authorized or failed) and payments' later facts (captured, voided, refunded), delivered by
//! Dapr from Kafka: each becomes a command on the order. Delivery is at least once; an answer
//! or a fact the order has already recorded decides nothing.

use contracts::DomainEvent;
use contracts::payment::{
    PaymentAuthorized, PaymentCaptured, PaymentFailed, PaymentRefunded, PaymentVoided,
};
use contracts::stock::{StockRejected, StockReserved};
use salvo::prelude::*;
use service_runtime::EventEnvelope;
use service_runtime::cloudevent::EnvelopeError;
use service_runtime::intake::{self, Consumed};
use service_runtime::pubsub::DeliveryOutcome;
use uuid::Uuid;

use crate::app::Orders;
use crate::domain::{Command, PaymentFact};
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
        PaymentAuthorized::EVENT_TYPE => {
            let authorized = event.data::<PaymentAuthorized>()?;
            (authorized.order_id, Command::RecordPaymentAuthorized)
        }
        PaymentFailed::EVENT_TYPE => {
            let failed = event.data::<PaymentFailed>()?;
            (failed.order_id, Command::RecordPaymentFailed)
        }
        PaymentCaptured::EVENT_TYPE => {
            let captured = event.data::<PaymentCaptured>()?;
            let fact = PaymentFact::Captured {
                amount_minor: captured.amount_minor,
            };
            (captured.order_id, Command::RecordPaymentFact(fact))
        }
        PaymentVoided::EVENT_TYPE => {
            let voided = event.data::<PaymentVoided>()?;
            (
                voided.order_id,
                Command::RecordPaymentFact(PaymentFact::Voided),
            )
        }
        PaymentRefunded::EVENT_TYPE => {
            let refunded = event.data::<PaymentRefunded>()?;
            let fact = PaymentFact::Refunded {
                total_refunded_minor: refunded.total_refunded_minor,
            };
            (refunded.order_id, Command::RecordPaymentFact(fact))
        }
        _ => return Ok(None),
    }))
}

/// Inventory's and payments' answers and payments' later facts. Idempotent by the order's state:
/// an answer the order has already recorded (or can no longer use), or a fact it already knows,
/// decides nothing and appends nothing.
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
        match orders.execute(order_id, command, &metadata).await {
            Ok(executed) => {
                tracing::info!(%order_id, appended = executed.appended, status = executed.view.status.as_str(), "answer recorded");
                Ok(Consumed::from_change(executed.appended > 0))
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
