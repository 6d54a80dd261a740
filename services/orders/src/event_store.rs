//! Event streams in the `orderstore` Dapr state store.
//!
//! Layout, per stream: a head key holding the stream's version, and one key per event,
//! `<stream>-event-<sequence>`. An append is one Dapr state transaction that
//! - creates each new event key with first-write concurrency (a key that exists fails the whole
//!   transaction, so an event is never overwritten), and
//! - moves the head under its ETag (or creates it, for a new stream).
//!
//! Two concurrent appends to one stream read the same head; only one transaction can match its
//! ETag, the other fails as a whole and is reported as a conflict with the version that won.
//!
//! The order's actor appends without reading the head first ([`EventStore::append_next`]): its
//! version never runs ahead of the stream (it comes from reading the stream or from its own
//! appends), so the first-write of the next event key is the whole guard. A second writer of
//! the same order (a second activation during a rebalance) that is behind creates a key that
//! exists, and its transaction fails as a whole. Callers that name an arbitrary expected version
//! (the internal API) go through [`EventStore::append`], which checks it against the head's ETag.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use service_runtime::sidecar::{StateOperation, StoredState};
use service_runtime::{Sidecar, SidecarError};

use crate::domain::view::StreamEvent;

pub const STORE_NAME: &str = "orderstore";

#[derive(Debug, thiserror::Error)]
pub enum EventStoreError {
    #[error("the stream is at version {current}, not the expected {expected}")]
    Conflict { expected: u64, current: u64 },
    #[error(transparent)]
    Sidecar(#[from] SidecarError),
    #[error("a stored record is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("event {0} of the stream is missing")]
    Gap(u64),
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct StreamHead {
    version: u64,
}

/// What travels with every event: why it happened and in which trace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventMetadata {
    /// The id of the command (a request id) or event (a CloudEvent id) that caused this event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<String>,
    /// W3C trace context of the command that produced the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracestate: Option<String>,
}

/// An event to append: its versioned type and JSON body. The store does not interpret either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    #[serde(rename = "type")]
    pub event_type: String,
    pub data: serde_json::Value,
}

/// An event as stored: its place in the stream, when it was recorded, and its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedEvent {
    pub sequence: u64,
    pub recorded_at: DateTime<Utc>,
    #[serde(rename = "type")]
    pub event_type: String,
    pub data: serde_json::Value,
    #[serde(default)]
    pub metadata: EventMetadata,
}

/// How the order's read model reads a stored event (the metadata stays with the store).
impl<'a> From<&'a RecordedEvent> for StreamEvent<'a> {
    fn from(recorded: &'a RecordedEvent) -> Self {
        StreamEvent {
            sequence: recorded.sequence,
            recorded_at: recorded.recorded_at,
            event_type: &recorded.event_type,
            data: &recorded.data,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stream {
    pub version: u64,
    pub events: Vec<RecordedEvent>,
}

/// What keeps a second writer from appending after the same version.
enum HeadGuard {
    /// The head as read: it must not have moved since.
    Etag(String),
    /// A stream that did not exist when read: the head must not exist yet.
    New,
    /// The next event key's first-write (see [`EventStore::append_next`]).
    NextEventKey,
}

impl From<Option<String>> for HeadGuard {
    fn from(etag: Option<String>) -> Self {
        etag.map_or(Self::New, Self::Etag)
    }
}

#[derive(Clone)]
pub struct EventStore {
    sidecar: Sidecar,
}

/// The stream of one order. Other streams (the internal API's scratch streams) never start
/// with `order-`.
pub fn order_stream_id(order_id: uuid::Uuid) -> String {
    format!("order-{order_id}")
}

fn head_key(stream_id: &str) -> String {
    format!("{stream_id}-head")
}

fn event_key(stream_id: &str, sequence: u64) -> String {
    format!("{stream_id}-event-{sequence:010}")
}

impl EventStore {
    pub fn new(sidecar: Sidecar) -> Self {
        Self { sidecar }
    }

    async fn head(&self, stream_id: &str) -> Result<Option<(StreamHead, String)>, EventStoreError> {
        match self
            .sidecar
            .get_state(STORE_NAME, &head_key(stream_id))
            .await?
        {
            None => Ok(None),
            Some(StoredState { value, etag }) => Ok(Some((serde_json::from_slice(&value)?, etag))),
        }
    }

    /// The stream's current version (0 for a stream that does not exist).
    pub async fn version(&self, stream_id: &str) -> Result<u64, EventStoreError> {
        Ok(self
            .head(stream_id)
            .await?
            .map(|(head, _)| head.version)
            .unwrap_or(0))
    }

    /// Appends `events` if the stream is still at `expected_version`; returns them as recorded.
    pub async fn append(
        &self,
        stream_id: &str,
        expected_version: u64,
        events: Vec<NewEvent>,
        metadata: &EventMetadata,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        let head = self.head(stream_id).await?;
        let current = head.as_ref().map(|(head, _)| head.version).unwrap_or(0);
        if current != expected_version {
            return Err(EventStoreError::Conflict {
                expected: expected_version,
                current,
            });
        }
        self.commit(
            stream_id,
            current,
            head.map(|(_, etag)| etag),
            events,
            metadata,
        )
        .await
    }

    /// Appends `events` after `version`, which the caller knows the stream to be at or to have
    /// been at (never ahead of it): one state transaction and no read. If another writer got
    /// there first, the next event key exists and the append is a conflict.
    pub async fn append_next(
        &self,
        stream_id: &str,
        version: u64,
        events: Vec<NewEvent>,
        metadata: &EventMetadata,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        self.commit(
            stream_id,
            version,
            HeadGuard::NextEventKey,
            events,
            metadata,
        )
        .await
    }

    /// One Dapr state transaction: every event key first-write, and the head under `guard`.
    async fn commit(
        &self,
        stream_id: &str,
        current: u64,
        guard: impl Into<HeadGuard>,
        events: Vec<NewEvent>,
        metadata: &EventMetadata,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        let expected_version = current;
        let recorded_at = Utc::now();
        let recorded: Vec<RecordedEvent> = events
            .into_iter()
            .zip(current + 1..)
            .map(|(event, sequence)| RecordedEvent {
                sequence,
                recorded_at,
                event_type: event.event_type,
                data: event.data,
                metadata: metadata.clone(),
            })
            .collect();
        let mut operations = Vec::with_capacity(recorded.len() + 1);
        for record in &recorded {
            operations.push(StateOperation::Create {
                key: event_key(stream_id, record.sequence),
                value: serde_json::to_vec(record)?,
                metadata: HashMap::new(),
            });
        }
        let new_version = current + recorded.len() as u64;
        let head_value = serde_json::to_vec(&StreamHead {
            version: new_version,
        })?;
        operations.push(match guard.into() {
            HeadGuard::Etag(etag) => StateOperation::Replace {
                key: head_key(stream_id),
                value: head_value,
                etag,
                metadata: HashMap::new(),
            },
            HeadGuard::New => StateOperation::Create {
                key: head_key(stream_id),
                value: head_value,
                metadata: HashMap::new(),
            },
            // The event keys' first-write guards this append; the head only follows them.
            HeadGuard::NextEventKey => StateOperation::Upsert {
                key: head_key(stream_id),
                value: head_value,
                metadata: HashMap::new(),
            },
        });
        match self
            .sidecar
            .transact(STORE_NAME, operations, HashMap::new())
            .await
        {
            Ok(()) => Ok(recorded),
            Err(SidecarError::EtagMismatch) => {
                let current = self.version(stream_id).await?;
                Err(EventStoreError::Conflict {
                    expected: expected_version,
                    current,
                })
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Reads many whole streams in two state calls (their heads, then their events), for
    /// replays. A stream that does not exist reads as empty.
    pub async fn read_many(
        &self,
        stream_ids: &[String],
    ) -> Result<Vec<(String, Vec<RecordedEvent>)>, EventStoreError> {
        if stream_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut heads = self
            .sidecar
            .get_bulk_state(STORE_NAME, stream_ids.iter().map(|s| head_key(s)).collect())
            .await?;
        let mut versions = Vec::with_capacity(stream_ids.len());
        for stream_id in stream_ids {
            let version = match heads.remove(&head_key(stream_id)) {
                Some(state) => serde_json::from_slice::<StreamHead>(&state.value)?.version,
                None => 0,
            };
            versions.push(version);
        }
        let keys: Vec<String> = stream_ids
            .iter()
            .zip(&versions)
            .flat_map(|(stream_id, &version)| {
                (1..=version).map(move |sequence| event_key(stream_id, sequence))
            })
            .collect();
        let mut stored = self.get_bulk(keys).await?;
        let mut streams = Vec::with_capacity(stream_ids.len());
        for (stream_id, version) in stream_ids.iter().zip(versions) {
            let events = take_events(&mut stored, stream_id, 1..=version)?;
            streams.push((stream_id.clone(), events));
        }
        Ok(streams)
    }

    /// Reads the whole stream, in order.
    pub async fn read(&self, stream_id: &str) -> Result<Stream, EventStoreError> {
        self.read_after(stream_id, 0).await
    }

    /// Reads the events after `version` (all of them for 0), in order, with the stream's version.
    pub async fn read_after(
        &self,
        stream_id: &str,
        version: u64,
    ) -> Result<Stream, EventStoreError> {
        let head = match self.head(stream_id).await? {
            Some((head, _)) => head.version,
            None => 0,
        };
        let keys: Vec<String> = (version + 1..=head)
            .map(|sequence| event_key(stream_id, sequence))
            .collect();
        let mut stored = self.get_bulk(keys).await?;
        Ok(Stream {
            version: head,
            events: take_events(&mut stored, stream_id, version + 1..=head)?,
        })
    }

    /// Reads `keys` in one call (none for no keys).
    async fn get_bulk(
        &self,
        keys: Vec<String>,
    ) -> Result<HashMap<String, StoredState>, EventStoreError> {
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self.sidecar.get_bulk_state(STORE_NAME, keys).await?)
    }
}

/// Events `sequences` of `stream_id`, in order, out of what a bulk read found; a missing one is
/// a gap.
fn take_events(
    stored: &mut HashMap<String, StoredState>,
    stream_id: &str,
    sequences: std::ops::RangeInclusive<u64>,
) -> Result<Vec<RecordedEvent>, EventStoreError> {
    sequences
        .map(|sequence| {
            let state = stored
                .remove(&event_key(stream_id, sequence))
                .ok_or(EventStoreError::Gap(sequence))?;
            Ok(serde_json::from_slice(&state.value)?)
        })
        .collect()
}
