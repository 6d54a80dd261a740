//! Every domain event, as Dapr delivers it from Kafka, into the event log.

use salvo::prelude::*;
use service_runtime::intake::{self, ConsumeError, Consumed};
use service_runtime::pubsub::DeliveryOutcome;
use sqlx::PgPool;

use crate::store::{self, NewLoggedEvent};

/// Records a delivered domain event. Idempotent by CloudEvent id, so redeliveries are harmless.
#[handler]
pub async fn receive_event(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(pool) = depot.get_typed::<PgPool>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        // Analytics keeps every event whatever its type, so it reads the data as plain JSON.
        let payload = event.json_data::<serde_json::Value>()?;
        let topic = event.extension("topic").unwrap_or_default();
        let recorded = store::record_event(
            &pool,
            NewLoggedEvent {
                event_id: event.id(),
                event_type: event.event_type(),
                source: &event.source(),
                subject: event.subject(),
                topic: &topic,
                payload,
            },
        )
        .await
        .map_err(ConsumeError::from)?;
        Ok(Consumed::from_change(recorded))
    })
    .await
}
