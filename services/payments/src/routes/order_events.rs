//! The order saga's events, delivered by Dapr from Kafka: a payment to authorize, an order
//! confirmed (capture) or cancelled (void or refund). Delivery is at least once; each use case
//! is idempotent (a payment is requested once per order, an order's outcome only moves forward).

use contracts::order::{OrderCancelled, OrderConfirmed, PaymentRequested};
use salvo::prelude::*;
use service_runtime::DomainEvent;
use service_runtime::intake::{self, ConsumeError, Consumed};
use service_runtime::pubsub::DeliveryOutcome;

use crate::app::App;
use crate::domain::{OrderOutcome, check_payment_request};

#[handler]
pub async fn receive(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(app) = depot.get_typed::<App>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        let changed = match event.event_type() {
            PaymentRequested::EVENT_TYPE => {
                let request = event.data::<PaymentRequested>()?;
                check_payment_request(request.amount_minor, &request.currency)
                    .map_err(ConsumeError::BrokenContract)?;
                app.request_payment(&request).await?
            }
            OrderConfirmed::EVENT_TYPE => {
                let confirmed = event.data::<OrderConfirmed>()?;
                app.order_outcome(confirmed.order_id, OrderOutcome::Confirmed)
                    .await?
            }
            OrderCancelled::EVENT_TYPE => {
                let cancelled = event.data::<OrderCancelled>()?;
                app.order_outcome(cancelled.order_id, OrderOutcome::Cancelled)
                    .await?
            }
            // Placed, stock answers, shipped…: nothing to do with money.
            _ => return Ok(Consumed::Ignored),
        };
        Ok(Consumed::from_change(changed))
    })
    .await
}
