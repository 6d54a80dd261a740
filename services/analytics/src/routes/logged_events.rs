use salvo::prelude::*;
use service_runtime::Problem;
use sqlx::PgPool;

use crate::store;

/// One recorded event, by CloudEvent id.
#[handler]
pub async fn get_logged_event(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let pool = depot
        .get_typed::<PgPool>()
        .map_err(|_| Problem::internal())?;
    let event_id: String = req.param("event_id").unwrap_or_default();
    let event = store::find_event(pool, &event_id).await.map_err(|error| {
        tracing::error!(%error, "reading the event log failed");
        Problem::internal()
    })?;
    match event {
        Some(event) => {
            res.render(Json(event));
            Ok(())
        }
        None => Err(Problem::not_found(format!(
            "no event {event_id} has been received"
        ))),
    }
}

/// The events received about one aggregate: `GET /analytics/events?subject=<id>`.
#[handler]
pub async fn list_logged_events(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let pool = depot
        .get_typed::<PgPool>()
        .map_err(|_| Problem::internal())?;
    let subject: String = req
        .query("subject")
        .ok_or_else(|| Problem::bad_request("the `subject` query parameter is required"))?;
    let events = store::events_about(pool, &subject, 500)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading the event log failed");
            Problem::internal()
        })?;
    res.render(Json(events));
    Ok(())
}
