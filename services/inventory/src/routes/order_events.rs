//! The order saga's events (orders and payments), delivered by Dapr from Kafka. Delivery is at
//! least once: every use case is idempotent by order id (see `app::reservations`).

use contracts::order::{OrderCancelled, OrderConfirmed, OrderPlaced};
use contracts::payment::PaymentFailed;
use salvo::prelude::*;
use service_runtime::DomainEvent;
use service_runtime::intake::{self, Consumed};
use service_runtime::pubsub::DeliveryOutcome;

use crate::app::{App, Decision};
use crate::domain::Settlement;

#[handler]
pub async fn receive(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(app) = depot.get_typed::<App>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        let decision = match event.event_type() {
            OrderPlaced::EVENT_TYPE => app.reserve(&event.data::<OrderPlaced>()?).await?,
            OrderConfirmed::EVENT_TYPE => {
                let confirmed = event.data::<OrderConfirmed>()?;
                app.settle(confirmed.order_id, Settlement::Commit).await?
            }
            OrderCancelled::EVENT_TYPE => {
                let cancelled = event.data::<OrderCancelled>()?;
                app.settle_cancellation(cancelled.order_id).await?
            }
            PaymentFailed::EVENT_TYPE => {
                let failed = event.data::<PaymentFailed>()?;
                app.settle(failed.order_id, Settlement::Release).await?
            }
            // Other events (shipped, payment requested, payments' answers and facts...) do not
            // concern stock.
            _ => return Ok(Consumed::Ignored),
        };
        tracing::info!(?decision, "order event handled");
        Ok(match decision {
            Decision::AlreadyDecided | Decision::NothingToDo => Consumed::AlreadyDone,
            Decision::Reserved
            | Decision::Rejected
            | Decision::Committed
            | Decision::Released
            | Decision::Returned => Consumed::Handled,
        })
    })
    .await
}
