use contracts::notification::NotificationRequested;
use salvo::prelude::*;
use service_runtime::Problem;
use service_runtime::intake::{self, ConsumeError, Consumed};
use service_runtime::pubsub::DeliveryOutcome;
use sqlx::PgPool;
use uuid::Uuid;

use crate::store;

/// Takes one job off the queue. Idempotent by notification id; a job that does not match the
/// contract is dropped, which dead-letters it (nothing is silently lost).
#[handler]
pub async fn receive_job(req: &mut Request, depot: &mut Depot) -> DeliveryOutcome {
    let Ok(pool) = depot.get_typed::<PgPool>().cloned() else {
        return DeliveryOutcome::Retry;
    };
    intake::receive(req, |event| async move {
        let job = event.data::<NotificationRequested>()?;
        let recorded = store::record_job(&pool, &job)
            .await
            .map_err(ConsumeError::from)?;
        Ok(Consumed::from_change(recorded))
    })
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
