//! Every domain event, as Dapr delivers it from Kafka, into the event log.

use salvo::prelude::*;
use service_runtime::intake::{self, ConsumeError, Consumed};
use service_runtime::pubsub::DeliveryOutcome;
use sqlx::PgPool;

use crate::facts::EventRecord;
use crate::projection;
use crate::store::{self, NewLoggedEvent};

/// Records a delivered domain event and folds it into the projections, in one transaction.
/// Idempotent by CloudEvent id: a redelivered event is recognised in the log and folds nothing.
#[handler]
pub async fn receive_event(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(pool) = depot.get_typed::<PgPool>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        // Analytics keeps every event whatever its type, so it reads the data as plain JSON.
        let payload = event.json_data::<serde_json::Value>()?;
        let topic = event.extension("topic").unwrap_or_default();
        let record = EventRecord {
            event_id: event.id().to_owned(),
            event_type: event.event_type().to_owned(),
            payload,
            // Not the delivery time: a rebuild must place the event where the live fold did.
            occurred_at: event.time().unwrap_or_else(chrono::Utc::now),
            sequence: event.extension("sequence").and_then(|s| s.parse().ok()),
        };
        let mut tx = pool.begin().await.map_err(ConsumeError::from)?;
        let recorded = store::record_event(
            &mut tx,
            NewLoggedEvent {
                event_id: &record.event_id,
                event_type: &record.event_type,
                source: &event.source(),
                subject: event.subject(),
                topic: &topic,
                payload: &record.payload,
                occurred_at: record.occurred_at,
                sequence: record.sequence,
            },
        )
        .await
        .map_err(ConsumeError::from)?;
        if recorded {
            projection::apply_one(&mut tx, &record)
                .await
                .map_err(ConsumeError::from)?;
        }
        tx.commit().await.map_err(ConsumeError::from)?;
        Ok(Consumed::from_change(recorded))
    })
    .await
}
