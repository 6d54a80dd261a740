//! Getting stored events onto Kafka: published if and only if stored, in stream order, keyed
//! by order id.
//!
//! Why not Dapr's transactional outbox on the state store: in Dapr 1.16 it publishes every
//! upsert of a transaction (our stream head too), its final publish carries no metadata (so no
//! partition key: one order's events could be reordered across partitions), and its relay
//! sleeps a second per message on a sequential consumer. So the stream itself is the outbox:
//!
//! 1. Before an append, the writer (the order's actor) records an *intent* for the order in its
//!    own database.
//! 2. It appends (one Dapr state transaction: the events, first-write, and the head).
//! 3. It publishes what is stored and not yet published, writes the order's row in the query
//!    table, and deletes its intent, the last three in one database transaction.
//!
//! A crash between 2 and 3 leaves the intent behind; the sweeper finds intents older than any
//! append can take, reads the stream from the store and publishes what is missing, then has the
//! order's actor fold the stream again (which writes the query row and the deadline reminder
//! the writer may not have got to), and retires the intent. Only events
//! that are in the store are ever published (the writer publishes what the store accepted, the
//! sweeper what it reads back), and every stored event gets published, at least once.
//!
//! Order per stream: publishing holds the `order_streams` row lock while it reads
//! `published_version` and sends everything after it, so two writers of one order cannot
//! interleave. Duplicates (a crash after sending, before recording it) keep their CloudEvent id,
//! `<order id>:<sequence>`, so consumers can recognise them; they are idempotent anyway.

use std::time::Duration;

use chrono::{DateTime, Utc};
use contracts::{pubsub, topics};
use futures::StreamExt;
use serde_json::json;
use service_runtime::{EventEnvelope, Sidecar};
use sqlx::PgPool;
use uuid::Uuid;

use crate::actor_client::OrderActorClient;
use crate::domain::OrderView;
use crate::event_store::{EventStore, EventStoreError, RecordedEvent, order_stream_id};
use crate::events;
use crate::summaries::OrderSummaries;

/// An append finishes (or fails) well within this: Dapr's state timeout is 10 s.
const INTENT_GRACE: Duration = Duration::from_secs(15);
const SWEEP_INTERVAL: Duration = Duration::from_secs(3);
/// Left-behind intents finished at once.
const SWEEP_CONCURRENCY: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum PublicationError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    EventStore(#[from] EventStoreError),
    #[error("the order's actor: {0}")]
    Actor(String),
    #[error("publishing event {sequence} of order {order_id}: {message}")]
    Publish {
        order_id: Uuid,
        sequence: u64,
        message: String,
    },
}

#[derive(Clone)]
pub struct Publisher {
    pool: PgPool,
    sidecar: Sidecar,
    store: EventStore,
    /// For the sweeper, which has the order's actor finish what a stopped writer left.
    actors: OrderActorClient,
}

async fn retire_intent(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    intent_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM publication_intents WHERE intent_id = $1",
        intent_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An intent recorded before an append.
#[derive(Debug, Clone, Copy)]
pub struct Intent {
    id: Uuid,
    order_id: Uuid,
}

impl Publisher {
    pub fn new(pool: PgPool, sidecar: Sidecar, store: EventStore) -> Self {
        Self {
            pool,
            actors: OrderActorClient::new(sidecar.clone()),
            sidecar,
            store,
        }
    }

    /// Step 1: the order's stream may be about to grow.
    pub async fn intend(&self, order_id: Uuid) -> Result<Intent, PublicationError> {
        let intent = Intent {
            id: Uuid::now_v7(),
            order_id,
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query!(
            "INSERT INTO order_streams (order_id) VALUES ($1) ON CONFLICT DO NOTHING",
            order_id
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO publication_intents (intent_id, order_id) VALUES ($1, $2)",
            intent.id,
            order_id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(intent)
    }

    /// The append did not happen (a version conflict): nothing to publish for this intent.
    pub async fn abandon(&self, intent: Intent) -> Result<(), PublicationError> {
        sqlx::query!(
            "DELETE FROM publication_intents WHERE intent_id = $1",
            intent.id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Step 3, after the append: publish what it stored (and anything before it still
    /// unpublished), write the order's row in the query table, and retire the intent once all
    /// of it is out (and the caller, `retire`, has nothing left for the sweeper either). On
    /// failure the intent stays for the sweeper.
    pub async fn settle(
        &self,
        intent: Intent,
        appended: &[RecordedEvent],
        view: &OrderView,
        retire: bool,
    ) -> Result<(), PublicationError> {
        let mut tx = self.pool.begin().await?;
        let published = self
            .publish_pending(&mut tx, intent.order_id, appended)
            .await;
        OrderSummaries::upsert_in(&mut *tx, view).await?;
        if retire && published.is_ok() {
            retire_intent(&mut tx, intent.id).await?;
        }
        tx.commit().await?;
        published.map(|_| ())
    }

    /// Writes the order's row in the query table (unless it already reflects a later version).
    pub async fn write_view(&self, view: &OrderView) -> Result<(), PublicationError> {
        OrderSummaries::upsert_in(&self.pool, view).await?;
        Ok(())
    }

    /// Publishes every stored event of the order after its published version, in order, and
    /// records how far it got, in `tx`, which holds the order's row lock until it ends: two
    /// publishers of one order cannot interleave. `known` are events the caller just stored;
    /// the store is read only if they do not follow on. Answers how many it sent; an error
    /// once everything before the failed event is recorded in `tx`.
    async fn publish_pending(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        order_id: Uuid,
        known: &[RecordedEvent],
    ) -> Result<u64, PublicationError> {
        let Some(published) = sqlx::query_scalar!(
            "SELECT published_version FROM order_streams WHERE order_id = $1 FOR UPDATE",
            order_id
        )
        .fetch_optional(&mut **tx)
        .await?
        else {
            return Ok(0);
        };
        let published = published as u64;
        let read;
        let pending: &[RecordedEvent] = match known.first() {
            Some(first) if first.sequence == published + 1 => known,
            _ => {
                read = self
                    .store
                    .read_after(&order_stream_id(order_id), published)
                    .await?
                    .events;
                &read
            }
        };
        let mut sent = published;
        let mut failure = None;
        for event in pending.iter().filter(|e| e.sequence > published) {
            if let Err(error) = self.send(order_id, event).await {
                failure = Some(error);
                break;
            }
            sent = event.sequence;
        }
        if sent > published {
            sqlx::query!(
                "UPDATE order_streams SET published_version = $2 WHERE order_id = $1",
                order_id,
                sent as i64
            )
            .execute(&mut **tx)
            .await?;
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(sent - published),
        }
    }

    async fn send(&self, order_id: Uuid, event: &RecordedEvent) -> Result<(), PublicationError> {
        let envelope = envelope(order_id, event).map_err(|message| PublicationError::Publish {
            order_id,
            sequence: event.sequence,
            message,
        })?;
        let key = order_id.to_string();
        self.sidecar
            .publish(pubsub::EVENTS, topics::ORDER_EVENTS, &envelope, Some(&key))
            .await
            .map_err(|error| PublicationError::Publish {
                order_id,
                sequence: event.sequence,
                message: error.to_string(),
            })
    }

    /// Publishes what crashed or failed writers left behind. Runs forever.
    pub fn spawn_sweeper(self) {
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(SWEEP_INTERVAL).await;
                if let Err(error) = self.sweep().await {
                    tracing::warn!(%error, "publication sweep failed; will retry");
                }
            }
        });
    }

    async fn sweep(&self) -> Result<(), PublicationError> {
        let cutoff: DateTime<Utc> = Utc::now() - INTENT_GRACE;
        let stale = sqlx::query!(
            "SELECT intent_id, order_id FROM publication_intents
             WHERE created_at < $1 ORDER BY created_at LIMIT 200",
            cutoff
        )
        .fetch_all(&self.pool)
        .await?;
        // Several at once: after an outage of the broker every order placed meanwhile is here.
        // Two intents of one order still publish one after the other (the row lock).
        futures::stream::iter(stale)
            .for_each_concurrent(SWEEP_CONCURRENCY, |stale| async move {
                let intent = Intent {
                    id: stale.intent_id,
                    order_id: stale.order_id,
                };
                match self.finish_left_behind(intent).await {
                    Ok(0) => {}
                    Ok(sent) => {
                        tracing::info!(order_id = %intent.order_id, sent, "published events a writer left behind");
                    }
                    Err(error) => {
                        tracing::warn!(%error, order_id = %intent.order_id, "finishing what a writer left behind failed; will retry");
                    }
                }
            })
            .await;
        Ok(())
    }

    /// What a writer that stopped after its append (or failed to finish) left undone: the
    /// events it stored are published, then the order's actor folds its stream again and
    /// brings the query row and the deadline reminder up to it, then the intent is retired.
    async fn finish_left_behind(&self, intent: Intent) -> Result<u64, PublicationError> {
        let mut tx = self.pool.begin().await?;
        let published = self.publish_pending(&mut tx, intent.order_id, &[]).await;
        tx.commit().await?;
        let sent = published?;
        self.actors
            .sync(intent.order_id)
            .await
            .map_err(|error| PublicationError::Actor(error.to_string()))?;
        let mut tx = self.pool.begin().await?;
        retire_intent(&mut tx, intent.id).await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// Every order stream there is, for replays.
    pub async fn all_orders(&self) -> Result<Vec<Uuid>, PublicationError> {
        Ok(
            sqlx::query_scalar!("SELECT order_id FROM order_streams ORDER BY created_at, order_id")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}

/// The CloudEvent for a stored event: id `<order id>:<sequence>` (stable across re-publication),
/// subject the order id, the time it was recorded, and its causation and trace context.
fn envelope(order_id: Uuid, event: &RecordedEvent) -> Result<EventEnvelope, String> {
    let mut cloud_event = json!({
        "specversion": "1.0",
        "id": format!("{order_id}:{}", event.sequence),
        "source": events::SOURCE,
        "type": event.event_type,
        "subject": order_id.to_string(),
        "time": event.recorded_at.to_rfc3339(),
        "datacontenttype": "application/json",
        "data": event.data,
        "sequence": event.sequence,
    });
    let metadata = &event.metadata;
    if let Some(causation) = &metadata.causation_id {
        cloud_event["causationid"] = causation.clone().into();
    }
    // Dapr keeps a trace context the event already has (`traceid` present) instead of putting
    // the publishing call's own there: the event carries the trace of the command behind it.
    if let Some(traceparent) = &metadata.traceparent {
        cloud_event["traceparent"] = traceparent.clone().into();
        cloud_event["traceid"] = traceparent.clone().into();
    }
    if let Some(tracestate) = &metadata.tracestate {
        cloud_event["tracestate"] = tracestate.clone().into();
    }
    EventEnvelope::from_json(cloud_event.to_string().as_bytes()).map_err(|e| e.to_string())
}
