//! `OrderActor`: one Dapr virtual actor per order id, hosted by this service. It is the read
//! side of one order: it keeps the order's projection (`OrderView`) in actor state, catches it
//! up from the event stream, answers reads from it, and writes the same view into the query
//! table. It also owns the order's confirmation deadline, as a reminder.
//!
//! The service implements Dapr's actor callback API itself on salvo: daprd asks
//! `GET /dapr/config` which actor types we host, then calls
//! `PUT /actors/{type}/{id}/method/{method}` (and `.../method/remind/{name}` for reminders).
//! Dapr runs one call per actor at a time (turn-based), so the read-modify-write of the view
//! below needs no lock. See https://docs.dapr.io/reference/api/actors_api/.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use service_runtime::Sidecar;
use uuid::Uuid;

use crate::commands::{CommandError, CommandHandler};
use crate::domain::view::{ProjectionError, StreamEvent};
use crate::domain::{CancelReason, Command, OrderView};
use crate::event_store::{EventMetadata, EventStoreError, order_stream_id};
use crate::summaries::OrderSummaries;

pub const ACTOR_TYPE: &str = "OrderActor";
/// The actor's methods (see `OrderActor::call`), as `actor_client` calls them.
pub const METHOD_GET: &str = "get";
pub const METHOD_CATCH_UP: &str = "catchUp";
pub const METHOD_REPLAY: &str = "replay";
const VIEW_KEY: &str = "view";
pub const DEADLINE_REMINDER: &str = "confirmation-deadline";
/// After the deadline the reminder fires again at this period until the order is closed, so a
/// failed cancellation is retried rather than forgotten.
const DEADLINE_RETRY_PERIOD: &str = "30s";

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
    actor_idle_timeout: "15m",
    drain_ongoing_call_timeout: "30s",
    drain_rebalanced_actors: true,
};

#[derive(Debug, thiserror::Error)]
pub enum ActorError {
    #[error("unknown actor method {0:?}")]
    UnknownMethod(String),
    #[error("an OrderActor id is an order id (a UUID), not {0:?}")]
    NotAnOrderId(String),
    #[error(transparent)]
    EventStore(#[from] EventStoreError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    Summaries(#[from] sqlx::Error),
    #[error("actor state or reminders: {0}")]
    Sidecar(String),
}

#[derive(Clone)]
pub struct OrderActor {
    sidecar: Sidecar,
    commands: CommandHandler,
    summaries: OrderSummaries,
    confirmation_deadline: Duration,
}

/// How a catch-up treats what lies outside the view: live catch-ups keep the deadline reminder
/// in step with the order; a replay only rebuilds the read models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Live,
    Replay,
}

pub fn parse_order_id(actor_id: &str) -> Result<Uuid, ActorError> {
    actor_id
        .parse()
        .map_err(|_| ActorError::NotAnOrderId(actor_id.to_owned()))
}

impl OrderActor {
    pub fn new(
        sidecar: Sidecar,
        commands: CommandHandler,
        summaries: OrderSummaries,
        confirmation_deadline: Duration,
    ) -> Self {
        Self {
            sidecar,
            commands,
            summaries,
            confirmation_deadline,
        }
    }

    /// Dispatches a method call; the answer is the JSON body returned to the caller.
    pub async fn call(
        &self,
        actor_id: &str,
        method: &str,
    ) -> Result<Option<OrderView>, ActorError> {
        let order_id = parse_order_id(actor_id)?;
        match method {
            // A view that was never projected (its first catch-up was lost in a crash) is
            // projected on first read, so a stored order is always readable.
            METHOD_GET => match self.load_view(order_id).await? {
                Some(view) => Ok(Some(view)),
                None => self.catch_up(order_id, Mode::Live).await,
            },
            METHOD_CATCH_UP => self.catch_up(order_id, Mode::Live).await,
            METHOD_REPLAY => self.catch_up(order_id, Mode::Replay).await,
            other => Err(ActorError::UnknownMethod(other.into())),
        }
    }

    /// A reminder fired. The only one is the confirmation deadline: an order still open then is
    /// cancelled with reason `timeout`; a closed one just drops its reminder.
    pub async fn on_reminder(&self, actor_id: &str, reminder: &str) -> Result<(), ActorError> {
        let order_id = parse_order_id(actor_id)?;
        if reminder != DEADLINE_REMINDER {
            tracing::warn!(%order_id, reminder, "unknown reminder; removing it");
            return self.delete_reminder(order_id, reminder).await;
        }
        let metadata = EventMetadata {
            causation_id: Some(format!("reminder:{order_id}:{DEADLINE_REMINDER}")),
            ..EventMetadata::default()
        };
        let cancel = Command::Cancel {
            reason: CancelReason::Timeout,
        };
        let executed = self.commands.execute(order_id, &cancel, &metadata).await?;
        if !executed.appended.is_empty() {
            tracing::info!(%order_id, "order cancelled: confirmation deadline passed");
        }
        // We are inside this actor's turn: catch up directly, not through Dapr (that call would
        // wait for this very turn to end).
        self.catch_up(order_id, Mode::Live).await?;
        if !executed.order.status.is_open() {
            self.delete_reminder(order_id, DEADLINE_REMINDER).await?;
        }
        Ok(())
    }

    /// Brings the view up to the stream (from nothing, for a replay), stores it in actor state
    /// and in the query table.
    async fn catch_up(&self, order_id: Uuid, mode: Mode) -> Result<Option<OrderView>, ActorError> {
        let current = match mode {
            Mode::Live => self.load_view(order_id).await?,
            Mode::Replay => None,
        };
        let version = current.as_ref().map_or(0, |view| view.version);
        let was_open = current.as_ref().map(|view| view.status.is_open());
        let stream = self
            .commands
            .store()
            .read_after(&order_stream_id(order_id), version)
            .await?;
        if stream.events.is_empty() && mode == Mode::Live {
            return Ok(current);
        }
        let Some(view) = OrderView::project(current, stream.events.iter().map(StreamEvent::from))?
        else {
            return Ok(None);
        };
        if mode == Mode::Live {
            // Reminder first: if registering fails, nothing is saved and the next catch-up
            // (a redelivery) tries again.
            if was_open.is_none() && view.status.is_open() {
                self.register_deadline(&view).await?;
            }
            if was_open == Some(true) && !view.status.is_open() {
                self.delete_reminder(order_id, DEADLINE_REMINDER).await?;
            }
        }
        self.save_view(&view).await?;
        match mode {
            Mode::Live => self.summaries.upsert(&view).await?,
            Mode::Replay => self.summaries.overwrite(&view).await?,
        }
        Ok(Some(view))
    }

    async fn load_view(&self, order_id: Uuid) -> Result<Option<OrderView>, ActorError> {
        let response = self
            .sidecar
            .http_api(
                Method::GET,
                &format!("v1.0/actors/{ACTOR_TYPE}/{order_id}/state/{VIEW_KEY}"),
            )
            .send()
            .await
            .map_err(|e| ActorError::Sidecar(e.to_string()))?;
        // 204: the actor has no view yet.
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(ActorError::Sidecar(format!(
                "reading actor state answered {}",
                response.status()
            )));
        }
        response
            .json()
            .await
            .map(Some)
            .map_err(|e| ActorError::Sidecar(e.to_string()))
    }

    async fn save_view(&self, view: &OrderView) -> Result<(), ActorError> {
        let operations = serde_json::json!([
            { "operation": "upsert", "request": { "key": VIEW_KEY, "value": view } }
        ]);
        self.actor_api(
            Method::POST,
            view.order_id,
            "state",
            Some(operations),
            "saving actor state",
        )
        .await
    }

    /// The deadline counts from when the order was placed, so a reminder registered late (after
    /// a crash) still fires when the order was promised to be decided.
    async fn register_deadline(&self, view: &OrderView) -> Result<(), ActorError> {
        let deadline = view.placed_at
            + chrono::Duration::from_std(self.confirmation_deadline).unwrap_or_default();
        let due_in = (deadline - chrono::Utc::now()).num_milliseconds().max(0);
        let body = serde_json::json!({
            "dueTime": format!("{due_in}ms"),
            "period": DEADLINE_RETRY_PERIOD,
        });
        self.actor_api(
            Method::POST,
            view.order_id,
            &format!("reminders/{DEADLINE_REMINDER}"),
            Some(body),
            "registering the deadline reminder",
        )
        .await
    }

    async fn delete_reminder(&self, order_id: Uuid, name: &str) -> Result<(), ActorError> {
        self.actor_api(
            Method::DELETE,
            order_id,
            &format!("reminders/{name}"),
            None,
            "deleting a reminder",
        )
        .await
    }

    async fn actor_api(
        &self,
        method: Method,
        order_id: Uuid,
        path: &str,
        body: Option<serde_json::Value>,
        what: &str,
    ) -> Result<(), ActorError> {
        let mut request = self.sidecar.http_api(
            method,
            &format!("v1.0/actors/{ACTOR_TYPE}/{order_id}/{path}"),
        );
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ActorError::Sidecar(format!("{what}: {e}")))?;
        if !response.status().is_success() {
            let status = response.status();
            let detail = response.text().await.unwrap_or_default();
            return Err(ActorError::Sidecar(format!(
                "{what} answered {status}: {detail}"
            )));
        }
        Ok(())
    }
}
