//! A transactional outbox for services that keep their data in Postgres.
//!
//! Publishing after a commit can lose the event (the process dies between the two); publishing
//! before can announce something that never happened. So the event is written into the
//! service's own `outbox` table in the same transaction as the change it describes, and a relay
//! publishes it through the sidecar afterwards and marks it sent. A crash leaves the row
//! unpublished, and the relay picks it up again on the next start: at-least-once delivery,
//! which consumers deduplicate by event id.
//!
//! Each service using it has this table in its migrations:
//! ```sql
//! CREATE TABLE outbox (
//!     event_id      TEXT PRIMARY KEY,
//!     pubsub        TEXT NOT NULL,
//!     topic         TEXT NOT NULL,
//!     partition_key TEXT,
//!     envelope      JSONB NOT NULL,
//!     created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
//!     published_at  TIMESTAMPTZ
//! );
//! CREATE INDEX outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;
//! ```

use std::sync::Arc;
use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use tokio::sync::Notify;

use crate::cloudevent::{EnvelopeError, EventEnvelope};
use crate::sidecar::Sidecar;

/// How often the relay looks for rows left behind (by a crash or a broker outage).
const POLL_INTERVAL: Duration = Duration::from_secs(2);
const BATCH_SIZE: i64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
}

/// Writes `envelope` to the outbox inside the caller's transaction, with the trace context of
/// the current span: the relay publishes later, outside any request, and the event must still
/// continue the trace of the change it describes.
pub async fn enqueue(
    connection: &mut PgConnection,
    pubsub: &str,
    topic: &str,
    envelope: &EventEnvelope,
) -> Result<(), OutboxError> {
    let mut envelope = envelope.clone();
    crate::sidecar::with_current_trace(&mut envelope);
    let body: serde_json::Value =
        serde_json::from_slice(&envelope.to_json()?).map_err(EnvelopeError::from)?;
    sqlx::query(
        "INSERT INTO outbox (event_id, pubsub, topic, partition_key, envelope) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(envelope.id())
    .bind(pubsub)
    .bind(topic)
    .bind(envelope.subject())
    .bind(body)
    .execute(connection)
    .await?;
    Ok(())
}

/// Wakes the relay so a freshly committed event goes out now rather than at the next poll.
#[derive(Clone, Default)]
pub struct OutboxSignal(Arc<Notify>);

impl OutboxSignal {
    pub fn committed(&self) {
        self.0.notify_one();
    }
}

/// Starts the relay task: publishes unpublished rows in creation order, marking each sent.
pub fn spawn_relay(pool: PgPool, sidecar: Sidecar) -> OutboxSignal {
    let signal = OutboxSignal::default();
    let wake = signal.0.clone();
    tokio::spawn(async move {
        loop {
            let batch = relay_batch(&pool, &sidecar).await;
            if let Err(error) = observe_backlog(&pool).await {
                tracing::warn!(%error, "outbox relay: could not measure the backlog");
            }
            match batch {
                // A full batch means there may be more: go again at once.
                Ok(sent) if sent as i64 == BATCH_SIZE => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "outbox relay: will retry"),
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL_INTERVAL) => {}
            }
        }
    });
    signal
}

/// Measures what is still waiting (for the `outbox_*` metrics: an outbox that does not drain is
/// a sidecar or broker that does not take events). One index range scan on
/// `outbox_unpublished`, so cheap after every pass.
async fn observe_backlog(pool: &PgPool) -> Result<(), sqlx::Error> {
    let (pending, oldest_age): (i64, f64) = sqlx::query_as(
        "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8
         FROM outbox WHERE published_at IS NULL",
    )
    .fetch_one(pool)
    .await?;
    crate::metrics::observe_outbox(pending, oldest_age as i64);
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PendingEvent {
    event_id: String,
    pubsub: String,
    topic: String,
    partition_key: Option<String>,
    envelope: serde_json::Value,
}

/// Publishes one batch. Rows are locked (SKIP LOCKED) so several replicas can relay side by side
/// without sending a row twice at the same time; a row is marked only after Dapr accepted it.
async fn relay_batch(pool: &PgPool, sidecar: &Sidecar) -> Result<usize, OutboxError> {
    let mut tx = pool.begin().await?;
    let pending: Vec<PendingEvent> = sqlx::query_as(
        "SELECT event_id, pubsub, topic, partition_key, envelope FROM outbox
         WHERE published_at IS NULL ORDER BY created_at, event_id
         LIMIT $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(BATCH_SIZE)
    .fetch_all(&mut *tx)
    .await?;
    let mut sent = 0;
    for event in &pending {
        let envelope = EventEnvelope::from_json(event.envelope.to_string().as_bytes())?;
        if let Err(error) = sidecar
            .publish(
                &event.pubsub,
                &event.topic,
                &envelope,
                event.partition_key.as_deref(),
            )
            .await
        {
            // Keep order: stop at the first failure and retry from here later.
            tracing::warn!(%error, event_id = %event.event_id, "publishing from the outbox failed");
            break;
        }
        sqlx::query("UPDATE outbox SET published_at = now() WHERE event_id = $1")
            .bind(&event.event_id)
            .execute(&mut *tx)
            .await?;
        crate::metrics::observe_outbox_published(&event.topic, envelope.event_type());
        sent += 1;
    }
    tx.commit().await?;
    if sent > 0 {
        tracing::debug!(sent, "outbox relay published events");
    }
    Ok(sent)
}
