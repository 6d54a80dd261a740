//! What Dapr delivers: domain events from Kafka (each becomes messages and their jobs), jobs
//! from RabbitMQ (each sends one message), and jobs from the dead-letter topic (each marks its
//! message dead). Delivery is at least once; every one of these is idempotent.

use contracts::DomainEvent;
use contracts::notification::NotificationRequested;
use contracts::order::{OrderCancelled, OrderConfirmed, OrderPlaced, OrderShipped};
use contracts::payment::PaymentRefunded;
use contracts::stock::StockLow;
use contracts::user::UserRegistered;
use salvo::prelude::*;
use service_runtime::intake::{self, ConsumeError, Consumed};
use service_runtime::pubsub::DeliveryOutcome;

use crate::app::{App, Delivery, EventOutcome};
use crate::domain::{OrderSummary, Trigger};

#[handler]
pub async fn receive_event(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(app) = depot.get_typed::<App>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        let trigger = match event.event_type() {
            UserRegistered::EVENT_TYPE => Trigger::Registered(event.data()?),
            OrderPlaced::EVENT_TYPE => {
                Trigger::Placed(OrderSummary::from(event.data::<OrderPlaced>()?))
            }
            OrderConfirmed::EVENT_TYPE => Trigger::Confirmed(event.data()?),
            OrderShipped::EVENT_TYPE => Trigger::Shipped(event.data()?),
            OrderCancelled::EVENT_TYPE => Trigger::from(event.data::<OrderCancelled>()?),
            PaymentRefunded::EVENT_TYPE => Trigger::Refunded(event.data()?),
            StockLow::EVENT_TYPE => Trigger::StockLow(event.data()?),
            // Stock answers, authorizations, captures…: nobody is told about those.
            _ => return Ok(Consumed::Ignored),
        };
        match app
            .take_event(event.id(), event.time(), trigger)
            .await
            .map_err(ConsumeError::transient)?
        {
            EventOutcome::Queued(_) => Ok(Consumed::Handled),
            EventOutcome::AlreadyQueued => Ok(Consumed::AlreadyDone),
            EventOutcome::NoRecipient | EventOutcome::TooOld => Ok(Consumed::Ignored),
        }
    })
    .await
}

#[handler]
pub async fn receive_job(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(app) = depot.get_typed::<App>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        let job = event.data::<NotificationRequested>()?;
        match app.deliver(&job).await.map_err(ConsumeError::Transient)? {
            Delivery::Sent => Ok(Consumed::Handled),
            Delivery::AlreadyDone => Ok(Consumed::AlreadyDone),
            Delivery::Unknown => Err(ConsumeError::BrokenContract(format!(
                "no notification {} is stored",
                job.notification_id
            ))),
            // Dapr tries again with backoff (components/resiliency.yaml); when the attempts are
            // used up the job goes to the dead-letter topic.
            Delivery::Failed(error) => Err(ConsumeError::transient(error)),
            Delivery::Refused(error) => Err(ConsumeError::Undeliverable(error)),
        }
    })
    .await
}

#[handler]
pub async fn receive_dead_job(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(app) = depot.get_typed::<App>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        let job = event.data::<NotificationRequested>()?;
        let buried = app
            .bury(event.id(), job.notification_id)
            .await
            .map_err(ConsumeError::Transient)?;
        if buried {
            tracing::warn!(notification_id = %job.notification_id, "a notification is dead");
        }
        Ok(Consumed::from_change(buried))
    })
    .await
}
