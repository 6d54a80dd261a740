//! Executing a command on an order: read the stream, fold it, decide, append under the
//! stream's version, publish. Optimistic concurrency: when another writer appended first, the
//! append fails as a whole and the command is decided again on the new state, so it either
//! applies to what is really there or is refused with the status it found.

use std::time::Duration;

use uuid::Uuid;

use crate::domain::event::DecodeError;
use crate::domain::{Command, Order, OrderEvent, Refusal, decide};
use crate::event_store::{
    EventMetadata, EventStore, EventStoreError, NewEvent, RecordedEvent, Stream, order_stream_id,
};
use crate::publication::{PublicationError, Publisher};

/// Retries after losing a race. Twenty writers on one order all finish well within this.
const MAX_ATTEMPTS: u32 = 30;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("the order changed {0} times while deciding; try again")]
    Contended(u32),
    #[error(transparent)]
    EventStore(#[from] EventStoreError),
    #[error(transparent)]
    Publication(#[from] PublicationError),
    #[error("a stored event cannot be read: {0}")]
    Decode(#[from] DecodeError),
}

/// What a command did: the order as it now is, and the events it appended (none when the
/// command changed nothing, e.g. a redelivered answer).
#[derive(Debug)]
pub struct Executed {
    pub order: Order,
    pub appended: Vec<RecordedEvent>,
}

/// An order event as the store keeps it: its versioned type and the JSON of its contract.
fn stored_form(event: &OrderEvent) -> NewEvent {
    NewEvent {
        event_type: event.event_type().to_owned(),
        data: event.data(),
    }
}

#[derive(Clone)]
pub struct CommandHandler {
    store: EventStore,
    publisher: Publisher,
}

impl CommandHandler {
    pub fn new(store: EventStore, publisher: Publisher) -> Self {
        Self { store, publisher }
    }

    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// The order's events, decoded (upcast to their current versions), and the stream as read.
    async fn load(&self, order_id: Uuid) -> Result<(Vec<OrderEvent>, Stream), CommandError> {
        let stream = self.store.read(&order_stream_id(order_id)).await?;
        let events = stream
            .events
            .iter()
            .map(|e| OrderEvent::decode(&e.event_type, &e.data))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((events, stream))
    }

    pub async fn execute(
        &self,
        order_id: Uuid,
        command: &Command,
        metadata: &EventMetadata,
    ) -> Result<Executed, CommandError> {
        for attempt in 0..MAX_ATTEMPTS {
            let (history, read) = self.load(order_id).await?;
            let state = Order::fold(&history);
            let decided = decide(state.as_ref(), command)?;
            if decided.is_empty() {
                let order = state.ok_or(Refusal::NotFound)?;
                return Ok(Executed {
                    order,
                    appended: Vec::new(),
                });
            }
            let intent = self.publisher.intend(order_id).await?;
            let new_events = decided.iter().map(stored_form).collect();
            match self
                .store
                .append_after(&order_stream_id(order_id), &read, new_events, metadata)
                .await
            {
                Ok(appended) => {
                    // Stored is what counts: if publishing fails now, the intent stays and the
                    // sweeper publishes later, so the command still succeeded.
                    if let Err(error) = self.publisher.publish(intent, &appended).await {
                        tracing::warn!(%error, %order_id, "publishing deferred to the sweeper");
                    }
                    let order =
                        Order::fold(history.iter().chain(&decided)).ok_or(Refusal::NotFound)?;
                    return Ok(Executed { order, appended });
                }
                Err(EventStoreError::Conflict { current, .. }) => {
                    self.publisher.abandon(intent).await?;
                    tracing::debug!(%order_id, attempt, current, command = command.name(), "lost a race; deciding again");
                    // Spread the retries of many racing writers a little.
                    let jitter = u64::from(Uuid::new_v4().as_u128() as u8 % 20);
                    tokio::time::sleep(Duration::from_millis(5 + jitter)).await;
                }
                // The append may or may not have been stored: the intent stays for the sweeper.
                Err(other) => return Err(other.into()),
            }
        }
        Err(CommandError::Contended(MAX_ATTEMPTS))
    }
}
