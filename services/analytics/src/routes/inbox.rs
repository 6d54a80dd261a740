use salvo::prelude::*;
use service_runtime::EventEnvelope;
use service_runtime::pubsub::DeliveryOutcome;
use sqlx::PgPool;
use tracing::Instrument;

use crate::store::{self, NewLoggedEvent};

/// Records a delivered domain event. Idempotent by CloudEvent id, so redeliveries are harmless.
#[handler]
pub async fn receive_event(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(pool) = depot.get_typed::<PgPool>() else {
        return DeliveryOutcome::Retry;
    };
    let envelope = match req
        .payload()
        .await
        .map(|body| EventEnvelope::from_json(body))
    {
        Ok(Ok(envelope)) => envelope,
        Ok(Err(error)) => {
            tracing::warn!(%error, "dropping a message that is not a CloudEvent");
            return DeliveryOutcome::Drop;
        }
        Err(error) => {
            tracing::warn!(%error, "could not read a delivered message");
            return DeliveryOutcome::Retry;
        }
    };
    let span = tracing::info_span!("event", id = envelope.id(), r#type = envelope.event_type());
    // `.instrument`, not `span.enter()`: an entered guard held across `.await` leaks the
    // span into whatever else the thread runs meanwhile.
    async {
        let payload = match envelope.json_data::<serde_json::Value>() {
            Ok(payload) => payload,
            Err(error) => {
                tracing::warn!(%error, "dropping an event without JSON data");
                return DeliveryOutcome::Drop;
            }
        };
        let topic = envelope.extension("topic").unwrap_or_default();
        let source = envelope.source();
        let event = NewLoggedEvent {
            event_id: envelope.id(),
            event_type: envelope.event_type(),
            source: &source,
            subject: envelope.subject(),
            topic: &topic,
            payload,
        };
        match store::record_event(pool, event).await {
            Ok(true) => tracing::info!("event recorded"),
            Ok(false) => tracing::info!("event already recorded; redelivery ignored"),
            Err(error) => {
                tracing::error!(%error, "could not record event; asking for redelivery");
                return DeliveryOutcome::Retry;
            }
        }
        DeliveryOutcome::Success
    }
    .instrument(span)
    .await
}
