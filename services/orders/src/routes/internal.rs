//! Internal endpoints, reached only through Dapr service invocation (the gateway does not route
//! here): raw access to the event store for operators and tests, and the replay of every
//! stream into fresh read models (`./shop replay-orders`).

use salvo::http::StatusCode;
use salvo::prelude::*;
use serde::Deserialize;
use service_runtime::Problem;

use crate::event_store::{EventMetadata, EventStoreError, NewEvent};
use crate::replays::ReplayState;
use crate::routes::context::orders;

impl From<EventStoreError> for Problem {
    fn from(error: EventStoreError) -> Self {
        match error {
            EventStoreError::Conflict { expected, current } => Problem::conflict(
                "stream-version-conflict",
                format!("expected version {expected}, but the stream is at {current}"),
            )
            .with_extension("currentVersion", current),
            other => {
                tracing::error!(error = %other, "event store failure");
                Problem::internal()
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppendRequest {
    expected_version: u64,
    events: Vec<NewEvent>,
}

fn stream_param(req: &Request) -> String {
    req.param::<String>("stream_id").unwrap_or_default()
}

/// Appends raw events to a scratch stream. Order streams (`order-...`) are written only by
/// order commands, so their events always follow the domain's rules.
#[handler]
pub async fn append_events(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let stream_id = stream_param(req);
    if stream_id.starts_with("order-") {
        return Err(Problem::forbidden(
            "order streams are written by order commands only",
        ));
    }
    let request: AppendRequest = req
        .parse_json()
        .await
        .map_err(|e| Problem::bad_request(format!("expected {{expectedVersion, events}}: {e}")))?;
    if request.events.is_empty() {
        return Err(Problem::validation(["events must not be empty"]));
    }
    let recorded = orders(depot)?
        .event_store()
        .append(
            &stream_id,
            request.expected_version,
            request.events,
            &EventMetadata::default(),
        )
        .await?;
    res.status_code(StatusCode::CREATED);
    res.render(Json(serde_json::json!({
        "streamId": stream_id,
        "version": recorded.last().map_or(request.expected_version, |e| e.sequence),
    })));
    Ok(())
}

/// Reads any stream, order streams included, as stored.
#[handler]
pub async fn read_stream(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let stream = orders(depot)?
        .event_store()
        .read(&stream_param(req))
        .await?;
    res.render(Json(stream));
    Ok(())
}

/// Starts a replay of every order stream into both read models (`?reset=true` empties the
/// query table first): 202 with the job's URL, or 409 while another replay runs.
#[handler]
pub async fn start_replay(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let reset = req.query::<bool>("reset").unwrap_or(false);
    let Some(id) = orders(depot)?.start_replay(reset) else {
        return Err(Problem::conflict(
            "replay-running",
            "a replay is already running",
        ));
    };
    res.status_code(StatusCode::ACCEPTED);
    res.headers_mut().insert(
        "location",
        format!("/internal/read-models/replays/{id}")
            .parse()
            .map_err(|_| Problem::internal())?,
    );
    res.render(Json(
        serde_json::json!({ "replayId": id, "state": "running" }),
    ));
    Ok(())
}

/// A replay's state: running, finished (with streams, events, seconds, events per second) or
/// failed (with the error).
#[handler]
pub async fn replay_status(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<ReplayState>, Problem> {
    let id = req
        .param::<String>("replay_id")
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| Problem::not_found("no such replay"))?;
    orders(depot)?
        .replay_state(id)
        .map(Json)
        .ok_or_else(|| Problem::not_found("no such replay (replays are forgotten on restart)"))
}
