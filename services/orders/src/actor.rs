//! `OrderActor`: one Dapr virtual actor per order id, hosted by this service. It keeps the
//! order's projection (the read model) in actor state and answers reads from it.
//!
//! The service implements Dapr's actor callback API itself on salvo: daprd asks
//! `GET /dapr/config` which actor types we host, then calls
//! `PUT /actors/{type}/{id}/method/{method}` (and `.../method/remind/{name}` for reminders).
//! Dapr guarantees turn-based access: one call per actor at a time, so the read-modify-write
//! below needs no lock. See https://docs.dapr.io/reference/api/actors_api/.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use service_runtime::{Sidecar, SidecarError};

use crate::event_store::{EventStore, EventStoreError};

pub const ACTOR_TYPE: &str = "OrderActor";
const PROJECTION_KEY: &str = "projection";

/// What `GET /dapr/config` tells daprd.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorRuntimeConfig {
    entities: &'static [&'static str],
    actor_idle_timeout: &'static str,
    drain_ongoing_call_timeout: &'static str,
    drain_rebalanced_actors: bool,
}

pub const ACTOR_RUNTIME_CONFIG: ActorRuntimeConfig = ActorRuntimeConfig {
    entities: &[ACTOR_TYPE],
    actor_idle_timeout: "1h",
    drain_ongoing_call_timeout: "30s",
    drain_rebalanced_actors: true,
};

/// The read model of one order, as the actor keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderProjection {
    pub order_id: String,
    /// The stream version this projection reflects.
    pub version: u64,
    pub event_types: Vec<String>,
    pub refreshed_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum ActorError {
    #[error("unknown actor method {0:?}")]
    UnknownMethod(String),
    #[error(transparent)]
    EventStore(#[from] EventStoreError),
    #[error("actor state: {0}")]
    State(String),
}

impl From<SidecarError> for ActorError {
    fn from(error: SidecarError) -> Self {
        Self::State(error.to_string())
    }
}

/// A stored event as the projection sees it: only its type matters here.
#[derive(Deserialize)]
struct TypedEvent {
    #[serde(rename = "type")]
    event_type: String,
}

#[derive(Clone)]
pub struct OrderActor {
    sidecar: Sidecar,
    event_store: EventStore,
}

impl OrderActor {
    pub fn new(sidecar: Sidecar, event_store: EventStore) -> Self {
        Self {
            sidecar,
            event_store,
        }
    }

    /// Dispatches a method call; the answer is the JSON body returned to the caller.
    pub async fn call(
        &self,
        order_id: &str,
        method: &str,
    ) -> Result<Option<OrderProjection>, ActorError> {
        match method {
            "get" => self.projection(order_id).await,
            "refresh" => self.refresh(order_id).await.map(Some),
            other => Err(ActorError::UnknownMethod(other.into())),
        }
    }

    /// A reminder fired: catch the projection up with the stream.
    pub async fn on_reminder(&self, order_id: &str, reminder: &str) -> Result<(), ActorError> {
        tracing::info!(order_id, reminder, "reminder fired");
        self.refresh(order_id).await.map(|_| ())
    }

    /// Folds the stream into a fresh projection and stores it in actor state.
    async fn refresh(&self, order_id: &str) -> Result<OrderProjection, ActorError> {
        let stream = self.event_store.read::<TypedEvent>(order_id).await?;
        let projection = OrderProjection {
            order_id: order_id.into(),
            version: stream.version,
            event_types: stream
                .events
                .into_iter()
                .map(|e| e.event.event_type)
                .collect(),
            refreshed_at: Utc::now(),
        };
        let operations = serde_json::json!([
            { "operation": "upsert", "request": { "key": PROJECTION_KEY, "value": projection } }
        ]);
        let response = self
            .sidecar
            .http_api(
                Method::POST,
                &format!("v1.0/actors/{ACTOR_TYPE}/{order_id}/state"),
            )
            .json(&operations)
            .send()
            .await
            .map_err(|e| ActorError::State(e.to_string()))?;
        if !response.status().is_success() {
            return Err(ActorError::State(format!(
                "saving actor state answered {}",
                response.status()
            )));
        }
        Ok(projection)
    }

    async fn projection(&self, order_id: &str) -> Result<Option<OrderProjection>, ActorError> {
        let response = self
            .sidecar
            .http_api(
                Method::GET,
                &format!("v1.0/actors/{ACTOR_TYPE}/{order_id}/state/{PROJECTION_KEY}"),
            )
            .send()
            .await
            .map_err(|e| ActorError::State(e.to_string()))?;
        // 204: the actor has no projection yet.
        if response.status() == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(ActorError::State(format!(
                "reading actor state answered {}",
                response.status()
            )));
        }
        response
            .json()
            .await
            .map(Some)
            .map_err(|e| ActorError::State(e.to_string()))
    }
}
