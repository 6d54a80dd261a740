use contracts::notification::NotificationRequested;
use salvo::prelude::*;
use service_runtime::pubsub::DeliveryOutcome;
use service_runtime::{EventEnvelope, Problem};
use sqlx::PgPool;
use tracing::Instrument;
use uuid::Uuid;

use crate::store;

/// Takes one job off the queue. Idempotent by notification id; a job that does not match the
/// contract is dropped, which dead-letters it (nothing is silently lost).
#[handler]
pub async fn receive_job(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(pool) = depot.get_typed::<PgPool>() else {
        return DeliveryOutcome::Retry;
    };
    let job = match req.payload().await.map(|body| {
        EventEnvelope::from_json(body).and_then(|envelope| envelope.data::<NotificationRequested>())
    }) {
        Ok(Ok(job)) => job,
        Ok(Err(error)) => {
            tracing::warn!(%error, "dead-lettering a job that does not match its contract");
            return DeliveryOutcome::Drop;
        }
        Err(error) => {
            tracing::warn!(%error, "could not read a delivered job");
            return DeliveryOutcome::Retry;
        }
    };
    let span = tracing::info_span!("job", notification_id = %job.notification_id);
    // `.instrument`, not `span.enter()`: an entered guard held across `.await` leaks the
    // span into whatever else the thread runs meanwhile.
    async {
        match store::record_job(pool, &job).await {
            Ok(true) => tracing::info!("job recorded"),
            Ok(false) => tracing::info!("job already recorded; redelivery ignored"),
            Err(error) => {
                tracing::error!(%error, "could not record job; asking for redelivery");
                return DeliveryOutcome::Retry;
            }
        }
        DeliveryOutcome::Success
    }
    .instrument(span)
    .await
}

#[handler]
pub async fn get_job(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let pool = depot
        .get_typed::<PgPool>()
        .map_err(|_| Problem::internal())?;
    let id: Uuid = req
        .param::<String>("notification_id")
        .and_then(|raw| raw.parse().ok())
        .ok_or_else(|| Problem::bad_request("the notification id must be a UUID"))?;
    let job = store::find_job(pool, id).await.map_err(|error| {
        tracing::error!(%error, "reading the delivery log failed");
        Problem::internal()
    })?;
    match job {
        Some(job) => {
            res.render(Json(job));
            Ok(())
        }
        None => Err(Problem::not_found(format!(
            "no notification job {id} has been received"
        ))),
    }
}
