//! Internal access to the event store (reached only through Dapr service invocation; the
//! gateway does not route here). It lets operators and the end-to-end tests exercise the write
//! side directly: appends are optimistic, so a stale expected version gets 409.

use salvo::http::StatusCode;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::Problem;

use crate::event_store::{EventStore, EventStoreError};

/// Events of the internal API are opaque JSON objects with a `type`.
#[derive(Debug, Serialize, Deserialize)]
pub struct OpaqueEvent {
    #[serde(rename = "type")]
    pub event_type: String,
    #[serde(flatten)]
    pub body: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppendRequest {
    expected_version: u64,
    events: Vec<OpaqueEvent>,
}

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

fn store(depot: &Depot) -> Result<&EventStore, Problem> {
    depot
        .get_typed::<EventStore>()
        .map_err(|_| Problem::internal())
}

#[handler]
pub async fn append_events(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let stream_id: String = req.param("stream_id").unwrap_or_default();
    let request: AppendRequest = req
        .parse_json()
        .await
        .map_err(|e| Problem::bad_request(format!("expected {{expectedVersion, events}}: {e}")))?;
    if request.events.is_empty() {
        return Err(Problem::validation(["events must not be empty"]));
    }
    let version = store(depot)?
        .append(&stream_id, request.expected_version, &request.events)
        .await?;
    res.status_code(StatusCode::CREATED);
    res.render(Json(
        serde_json::json!({ "streamId": stream_id, "version": version }),
    ));
    Ok(())
}

#[handler]
pub async fn read_stream(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let stream_id: String = req.param("stream_id").unwrap_or_default();
    let stream = store(depot)?.read::<OpaqueEvent>(&stream_id).await?;
    res.render(Json(stream));
    Ok(())
}
