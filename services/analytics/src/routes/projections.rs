//! Rebuilding the projections from the event log (`./shop replay-analytics`), reachable through
//! Dapr only, and how far ingestion has got (for the dashboard's "updated" line and for tests
//! that wait for the projections to catch up).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use salvo::http::StatusCode;
use salvo::prelude::*;
use serde::Serialize;
use service_runtime::{Admin, Problem};
use sqlx::PgPool;
use tokio::sync::Mutex;

use crate::error::AnalyticsError;
use crate::projection;

/// Rows per page of the log a rebuild folds at once.
const REBUILD_BATCH: i64 = 5_000;

/// The last rebuild, shared by the routes (one at a time).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RebuildState {
    pub running: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub events: u64,
    pub malformed: u64,
    pub events_per_second: Option<f64>,
    pub error: Option<String>,
}

#[derive(Clone, Default)]
pub struct Rebuilds(Arc<Mutex<RebuildState>>);

/// Starts a rebuild in the background and answers 202; 409 while one runs.
#[handler]
pub async fn start_rebuild(depot: &mut Depot, res: &mut Response) -> Result<(), Problem> {
    let (Ok(pool), Ok(rebuilds)) = (
        depot.get_typed::<PgPool>().cloned(),
        depot.get_typed::<Rebuilds>().cloned(),
    ) else {
        return Err(Problem::internal());
    };
    {
        let mut state = rebuilds.0.lock().await;
        if state.running {
            return Err(Problem::conflict("rebuild-running", "a rebuild is running"));
        }
        *state = RebuildState {
            running: true,
            started_at: Some(Utc::now()),
            ..RebuildState::default()
        };
    }
    let answer = rebuilds.0.lock().await.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        let outcome = projection::rebuild(&pool, REBUILD_BATCH).await;
        let seconds = started.elapsed().as_secs_f64();
        let mut state = rebuilds.0.lock().await;
        state.running = false;
        state.finished_at = Some(Utc::now());
        match outcome {
            Ok(rebuilt) => {
                tracing::info!(events = rebuilt.events, seconds, "projections rebuilt");
                state.events = rebuilt.events;
                state.malformed = rebuilt.malformed;
                state.events_per_second = (seconds > 0.0).then(|| rebuilt.events as f64 / seconds);
            }
            Err(error) => {
                tracing::error!(%error, "the rebuild failed; the old projections stay");
                state.error = Some(error.to_string());
            }
        }
    });
    res.status_code(StatusCode::ACCEPTED);
    res.render(Json(answer));
    Ok(())
}

#[handler]
pub async fn rebuild_state(depot: &mut Depot, res: &mut Response) -> Result<(), Problem> {
    let rebuilds = depot
        .get_typed::<Rebuilds>()
        .map_err(|_| Problem::internal())?;
    res.render(Json(rebuilds.0.lock().await.clone()));
    Ok(())
}

/// How much analytics has taken in.
#[derive(Debug, Serialize, sqlx::FromRow, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ingestion {
    /// Events in the log (each counted once, however often it was delivered).
    pub events: i64,
    /// Orders in the projections.
    pub orders: i64,
    /// The newest event's time, and when analytics received its newest event.
    pub last_occurred_at: Option<DateTime<Utc>>,
    pub last_received_at: Option<DateTime<Utc>>,
}

/// How far ingestion has got: the dashboard shows it, and refreshes when it moves.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 500),
    responses((status_code = 200, description = "What has been taken in", body = Ingestion))
)]
pub async fn ingestion(
    _admin: Admin,
    depot: &mut Depot,
) -> Result<Json<Ingestion>, AnalyticsError> {
    let pool = depot
        .get_typed::<PgPool>()
        .map_err(|_| AnalyticsError::Internal(anyhow::anyhow!("the pool is missing")))?;
    let taken_in = sqlx::query_as::<_, Ingestion>(
        "SELECT (SELECT count(*) FROM event_log) AS events,
                (SELECT count(*) FROM order_facts WHERE placed_at IS NOT NULL) AS orders,
                (SELECT max(occurred_at) FROM event_log) AS last_occurred_at,
                (SELECT max(received_at) FROM event_log) AS last_received_at",
    )
    .fetch_one(pool)
    .await?;
    Ok(Json(taken_in))
}
