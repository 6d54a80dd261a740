//! `OrderActor`: one Dapr virtual actor per order id, hosted by this service, and the one writer
//! of its order. Every command on an order (a customer's, an administrator's, another service's
//! answer, the confirmation deadline) is a call of the order's actor, and in that one turn the
//! actor decides it with the pure `decide`, appends the events to the order's stream, publishes
//! them and writes its view into the query table. Dapr runs one call per actor at a time and
//! activates an actor on one host at a time, so there is no race to lose and no retry loop.
//!
//! State: the stream in the `orderstore` is the actor's durable state. While the actor is
//! active this process keeps the folded order, its view and the stream's version in memory,
//! so a command reads nothing before it appends (a new order is not even looked up: its append
//! creates the stream's first key, which fails if the order exists). A cold activation (after a
//! restart, an idle timeout or a rebalance) folds the stream once. No snapshot in actor state:
//! an order's life is a handful of events, and writing a copy of the view on every command
//! would cost a state write each time to save a bulk read on the rare activation.
//!
//! The guard against a second writer: should Dapr's placement ever let two hosts believe they
//! host the same order (a rebalance), the one that is behind appends after a version the stream
//! has passed, its first-write of that event key fails, and it reloads the stream and decides
//! once more on what is really there (`event_store::EventStore::append_next`).
//!
//! The service implements Dapr's actor callback API itself on salvo: daprd asks
//! `GET /dapr/config` which actor types we host, then calls
//! `PUT /actors/{type}/{id}/method/{method}` (and `.../method/remind/{name}` for reminders) and
//! `DELETE /actors/{type}/{id}` when it deactivates one. See
//! https://docs.dapr.io/reference/api/actors_api/.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use service_runtime::Sidecar;
use uuid::Uuid;

use crate::domain::event::DecodeError;
use crate::domain::view::{ProjectionError, StreamEvent};
use crate::domain::{CancelReason, Command, Order, OrderEvent, OrderView, Refusal, decide};
use crate::event_store::{
    EventMetadata, EventStore, EventStoreError, NewEvent, RecordedEvent, order_stream_id,
};
use crate::publication::{PublicationError, Publisher};

pub const ACTOR_TYPE: &str = "OrderActor";
/// The actor's methods (see `OrderActor::call`), as `actor_client` calls them.
pub const METHOD_EXECUTE: &str = "execute";
pub const METHOD_GET: &str = "get";
pub const METHOD_SYNC: &str = "sync";
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
    #[error("the body of {method} is not what it takes: {source}")]
    BadRequest {
        method: String,
        source: serde_json::Error,
    },
    #[error("another writer appended to the order twice while this one decided; retry")]
    Contended,
    #[error(transparent)]
    EventStore(#[from] EventStoreError),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    Publication(#[from] PublicationError),
    #[error("actor reminders: {0}")]
    Sidecar(String),
}

/// The body of `execute`: the command and what its events carry.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExecuteRequest {
    pub command: Command,
    #[serde(default)]
    pub metadata: EventMetadata,
}

/// The answer of `execute`: the order as it now is and how many events the command appended
/// (none for a command that changes nothing, such as a redelivered answer), or why the order
/// refused it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum ExecuteAnswer {
    Executed {
        view: Box<OrderView>,
        appended: usize,
    },
    Refused {
        refusal: Refusal,
    },
}

/// An active actor's state: the stream's version, the order folded from it (what `decide`
/// needs) and its view (what reads answer).
#[derive(Debug, Clone, Default)]
struct Loaded {
    version: u64,
    order: Option<Order>,
    view: Option<OrderView>,
}

impl Loaded {
    fn from_stream(events: &[RecordedEvent]) -> Result<Self, ActorError> {
        let mut loaded = Self::default();
        let decoded = decode(events)?;
        loaded.apply(&decoded, events)?;
        Ok(loaded)
    }

    /// Carries the fold on with events just stored (`recorded`, decoded as `events`).
    fn apply(
        &mut self,
        events: &[OrderEvent],
        recorded: &[RecordedEvent],
    ) -> Result<(), ProjectionError> {
        self.order = Order::apply(self.order.take(), events);
        self.view = OrderView::project(self.view.take(), recorded.iter().map(StreamEvent::from))?;
        self.version = recorded.last().map_or(self.version, |last| last.sequence);
        Ok(())
    }
}

fn decode(events: &[RecordedEvent]) -> Result<Vec<OrderEvent>, DecodeError> {
    events
        .iter()
        .map(|e| OrderEvent::decode(&e.event_type, &e.data))
        .collect()
}

/// An order event as the store keeps it: its versioned type and the JSON of its contract.
fn stored_form(event: &OrderEvent) -> NewEvent {
    NewEvent {
        event_type: event.event_type().to_owned(),
        data: event.data(),
    }
}

/// The state of the actors active in this process. Dapr runs one turn per actor at a time, so
/// an order's entry is only ever touched by its own turn; the lock guards the map alone.
#[derive(Clone, Default)]
struct ActiveActors(Arc<Mutex<HashMap<Uuid, Loaded>>>);

impl ActiveActors {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, Loaded>> {
        // A panic while holding this lock cannot leave the map half-written.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes the order's state out for a turn; it goes back only if the turn succeeds, so a
    /// failed turn (a write that may or may not have happened) makes the next one reload.
    fn take(&self, order_id: Uuid) -> Option<Loaded> {
        self.lock().remove(&order_id)
    }

    fn keep(&self, order_id: Uuid, loaded: Loaded) {
        self.lock().insert(order_id, loaded);
    }

    fn forget_all(&self) {
        self.lock().clear();
    }
}

#[derive(Clone)]
pub struct OrderActor {
    sidecar: Sidecar,
    store: EventStore,
    publisher: Publisher,
    confirmation_deadline: Duration,
    active: ActiveActors,
}

pub fn parse_order_id(actor_id: &str) -> Result<Uuid, ActorError> {
    actor_id
        .parse()
        .map_err(|_| ActorError::NotAnOrderId(actor_id.to_owned()))
}

impl OrderActor {
    pub fn new(
        sidecar: Sidecar,
        store: EventStore,
        publisher: Publisher,
        confirmation_deadline: Duration,
    ) -> Self {
        Self {
            sidecar,
            store,
            publisher,
            confirmation_deadline,
            active: ActiveActors::default(),
        }
    }

    /// Dispatches a method call; the answer is the JSON body returned to the caller.
    pub async fn call(
        &self,
        actor_id: &str,
        method: &str,
        body: &[u8],
    ) -> Result<serde_json::Value, ActorError> {
        let order_id = parse_order_id(actor_id)?;
        let answer = match method {
            METHOD_EXECUTE => {
                let request: ExecuteRequest =
                    serde_json::from_slice(body).map_err(|source| ActorError::BadRequest {
                        method: method.into(),
                        source,
                    })?;
                let answer = self
                    .execute(order_id, &request.command, &request.metadata)
                    .await?;
                serde_json::to_value(answer)
            }
            METHOD_GET => serde_json::to_value(self.view(order_id).await?),
            METHOD_SYNC => serde_json::to_value(self.sync(order_id).await?),
            other => return Err(ActorError::UnknownMethod(other.into())),
        };
        // Our own types always serialize.
        Ok(answer.unwrap_or_default())
    }

    /// daprd deactivated the actor (idle, or moved to another host): forget its state, so a
    /// later activation here folds the stream again.
    pub fn deactivate(&self, actor_id: &str) {
        if let Ok(order_id) = parse_order_id(actor_id) {
            self.active.take(order_id);
        }
    }

    /// After a replay: every active actor folds its stream again on its next call.
    pub fn forget_all(&self) {
        self.active.forget_all();
    }

    /// The order's view (`None` for an order that does not exist).
    async fn view(&self, order_id: Uuid) -> Result<Option<OrderView>, ActorError> {
        let loaded = match self.active.take(order_id) {
            Some(loaded) => loaded,
            None => self.load(order_id).await?,
        };
        let view = loaded.view.clone();
        if loaded.order.is_some() {
            self.active.keep(order_id, loaded);
        }
        Ok(view)
    }

    /// Folds the stream again and brings everything outside it up to date: the query row and
    /// the deadline reminder. The publication sweeper calls this for an order whose writer
    /// stopped (crashed) between storing events and finishing with them.
    async fn sync(&self, order_id: Uuid) -> Result<Option<OrderView>, ActorError> {
        self.active.take(order_id);
        let loaded = self.load(order_id).await?;
        let Some(view) = loaded.view.clone() else {
            return Ok(None);
        };
        if view.status.is_open() {
            self.register_deadline(&view).await?;
        } else {
            self.delete_reminder(order_id, DEADLINE_REMINDER).await?;
        }
        self.publisher.write_view(&view).await?;
        self.active.keep(order_id, loaded);
        Ok(Some(view))
    }

    async fn load(&self, order_id: Uuid) -> Result<Loaded, ActorError> {
        let stream = self.store.read(&order_stream_id(order_id)).await?;
        Loaded::from_stream(&stream.events)
    }

    /// Runs `command` in this actor's turn. The state is the one kept in memory (a command on a
    /// new order reads nothing); if another writer appended meanwhile, the stream is read and
    /// the command decided once more on what is there.
    async fn execute(
        &self,
        order_id: Uuid,
        command: &Command,
        metadata: &EventMetadata,
    ) -> Result<ExecuteAnswer, ActorError> {
        let mut loaded = match self.active.take(order_id) {
            Some(loaded) => loaded,
            // A placement creates the stream: if the order exists, its first event key does
            // and the append below finds out.
            None if matches!(command, Command::Place { .. }) => Loaded::default(),
            None => self.load(order_id).await?,
        };
        let answer = match self
            .decide_and_store(order_id, &mut loaded, command, metadata)
            .await
        {
            Err(ActorError::EventStore(EventStoreError::Conflict { .. })) => {
                tracing::info!(%order_id, command = command.name(), "the stream moved under this actor; deciding on the stream as stored");
                loaded = self.load(order_id).await?;
                match self
                    .decide_and_store(order_id, &mut loaded, command, metadata)
                    .await
                {
                    Err(ActorError::EventStore(EventStoreError::Conflict { .. })) => {
                        return Err(ActorError::Contended);
                    }
                    other => other?,
                }
            }
            other => other?,
        };
        if loaded.order.is_some() {
            self.active.keep(order_id, loaded);
        }
        Ok(answer)
    }

    /// Decides `command` on `loaded` and, if it decided anything, stores the events and
    /// finishes with them: publication, the query row, the deadline reminder.
    async fn decide_and_store(
        &self,
        order_id: Uuid,
        loaded: &mut Loaded,
        command: &Command,
        metadata: &EventMetadata,
    ) -> Result<ExecuteAnswer, ActorError> {
        let decided = match decide(loaded.order.as_ref(), command) {
            Ok(decided) => decided,
            Err(refusal) => return Ok(ExecuteAnswer::Refused { refusal }),
        };
        if decided.is_empty() {
            return Ok(match loaded.view.clone() {
                Some(view) => ExecuteAnswer::Executed {
                    view: Box::new(view),
                    appended: 0,
                },
                None => ExecuteAnswer::Refused {
                    refusal: Refusal::NotFound,
                },
            });
        }
        let stream_id = order_stream_id(order_id);
        let intent = self.publisher.intend(order_id).await?;
        let new_events = decided.iter().map(stored_form).collect();
        let appended = match self
            .store
            .append_next(&stream_id, loaded.version, new_events, metadata)
            .await
        {
            Ok(appended) => appended,
            Err(conflict @ EventStoreError::Conflict { .. }) => {
                self.publisher.abandon(intent).await?;
                return Err(conflict.into());
            }
            // The append may or may not have been stored: the intent stays for the sweeper,
            // which publishes what is there and syncs this actor.
            Err(other) => return Err(other.into()),
        };
        let was_open = loaded.view.as_ref().map(|view| view.status.is_open());
        loaded.apply(&decided, &appended)?;
        let view = loaded.view.clone().ok_or(ProjectionError::NotPlacedFirst)?;
        // Stored is what counts from here: whatever fails now is left to the sweeper (the
        // intent stays), and the command has succeeded.
        let mut settled = true;
        if was_open.is_none()
            && view.status.is_open()
            && let Err(error) = self.register_deadline(&view).await
        {
            tracing::warn!(%error, %order_id, "deadline reminder deferred to the sweeper");
            settled = false;
        }
        if was_open == Some(true) && !view.status.is_open() {
            // A reminder left behind finds the order closed when it fires and removes itself.
            if let Err(error) = self.delete_reminder(order_id, DEADLINE_REMINDER).await {
                tracing::warn!(%error, %order_id, "the closed order's reminder stays until it fires");
            }
        }
        if let Err(error) = self
            .publisher
            .settle(intent, &appended, &view, settled)
            .await
        {
            tracing::warn!(%error, %order_id, "publishing deferred to the sweeper");
        }
        Ok(ExecuteAnswer::Executed {
            view: Box::new(view),
            appended: appended.len(),
        })
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
        // Inside this actor's turn already: run the command here, not through Dapr (that call
        // would wait for this very turn to end).
        match self.execute(order_id, &cancel, &metadata).await? {
            // The cancellation deleted the reminder in its turn (see `decide_and_store`).
            ExecuteAnswer::Executed { appended, .. } if appended > 0 => {
                tracing::info!(%order_id, "order cancelled: confirmation deadline passed");
            }
            // Nothing to cancel: the order closed without the reminder going with it.
            ExecuteAnswer::Executed { view, .. } => {
                if !view.status.is_open() {
                    self.delete_reminder(order_id, DEADLINE_REMINDER).await?;
                }
            }
            // An order that was never stored (its placement failed after the reminder).
            ExecuteAnswer::Refused { .. } => {
                self.delete_reminder(order_id, DEADLINE_REMINDER).await?;
            }
        }
        Ok(())
    }

    /// The deadline counts from when the order was placed, so a reminder registered late (by
    /// the sweeper, after a crash) still fires when the order was promised to be decided.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PaymentFact;

    #[test]
    fn commands_and_answers_cross_the_sidecar_unchanged() {
        let commands = [
            Command::RecordStockReserved,
            Command::Cancel {
                reason: CancelReason::Customer(Uuid::from_u128(7)),
            },
            Command::RecordPaymentFact(PaymentFact::Refunded {
                total_refunded_minor: 1250,
            }),
            Command::Ship {
                carrier: "UPS".into(),
                tracking_number: "1Z999".into(),
            },
        ];
        for command in commands {
            let request = ExecuteRequest {
                command: command.clone(),
                metadata: EventMetadata::default(),
            };
            let wire = serde_json::to_vec(&request).unwrap();
            let back: ExecuteRequest = serde_json::from_slice(&wire).unwrap();
            assert_eq!(back.command, command);
        }
        let refused = ExecuteAnswer::Refused {
            refusal: Refusal::IllegalTransition {
                action: crate::domain::Transition::Shipped,
                status: crate::domain::OrderStatus::Cancelled,
            },
        };
        let wire = serde_json::to_value(&refused).unwrap();
        assert_eq!(
            wire,
            serde_json::json!({
                "outcome": "refused",
                "refusal": { "refusal": "illegal-transition", "action": "shipped", "status": "cancelled" }
            })
        );
        let ExecuteAnswer::Refused { refusal } = serde_json::from_value(wire).unwrap() else {
            panic!("a refusal reads back as a refusal");
        };
        assert_eq!(
            refusal.to_string(),
            "an order that is cancelled cannot be shipped"
        );
    }
}
