//! The orders service's use cases, between the HTTP handlers and the domain: placing an order
//! (with its Idempotency-Key), running a command and bringing the read side up to date, reading
//! a view, and replaying every stream into fresh read models.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};

use serde::Serialize;
use service_runtime::Sidecar;
use sqlx::PgPool;
use uuid::Uuid;

use crate::actor::ACTOR_TYPE;
use crate::commands::{CommandError, CommandHandler, Executed};
use crate::domain::request::{IdempotencyKey, RequestedLines};
use crate::domain::{Command, OrderView, Refusal};
use crate::error::OrdersError;
use crate::event_store::{EventMetadata, order_stream_id};
use crate::inventory_client;
use crate::publication::Publisher;
use crate::summaries::OrderSummaries;

/// Streams replayed at once: enough to keep the sidecar and the store busy on two cores.
const REPLAY_CONCURRENCY: usize = 16;

#[derive(Clone)]
pub struct Orders {
    pub pool: PgPool,
    pub sidecar: Sidecar,
    pub commands: CommandHandler,
    pub summaries: OrderSummaries,
    pub publisher: Publisher,
    pub replays: ReplayJobs,
}

/// Replays run in the background: one takes longer than a Dapr invocation may (5 s in
/// `components/resiliency.yaml`), so the caller starts one and polls its status. The registry
/// is in memory: a replay interrupted by a restart is simply started again (it is idempotent).
#[derive(Clone, Default)]
pub struct ReplayJobs(Arc<Mutex<HashMap<Uuid, ReplayState>>>);

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ReplayState {
    Running {
        #[serde(rename = "startedAt")]
        started_at: DateTime<Utc>,
    },
    Finished(ReplayReport),
    Failed {
        error: String,
    },
}

impl ReplayJobs {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, ReplayState>> {
        // A panic while holding this lock cannot leave the map half-written.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, id: Uuid) -> Option<ReplayState> {
        self.lock().get(&id).cloned()
    }
}

/// Whether a placement created the order or found the one a retried request had created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Created,
    Replayed,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    pub streams: usize,
    pub events: u64,
    pub seconds: f64,
    pub events_per_second: f64,
}

impl Orders {
    /// Places an order for `customer_id`. With an Idempotency-Key, the first request decides
    /// the order id; a retry with the same key and body gets that same order back.
    pub async fn place(
        &self,
        customer_id: Uuid,
        lines: RequestedLines,
        key: Option<IdempotencyKey>,
        metadata: &EventMetadata,
    ) -> Result<(OrderView, Placement), OrdersError> {
        let order_id = match &key {
            None => Uuid::now_v7(),
            Some(key) => {
                let (order_id, placement) = self.claim_key(customer_id, key, &lines).await?;
                if placement == Placement::Replayed
                    && let Some(view) = self.view(order_id).await?
                {
                    return Ok((view, Placement::Replayed));
                }
                // A replay whose first attempt never got to store the order goes on placing it
                // under the id the key chose; the stream's first-write head makes it happen once.
                order_id
            }
        };
        let (priced, currency) = inventory_client::price(&self.sidecar, &lines).await?;
        let place = Command::Place {
            order_id,
            customer_id,
            lines: priced,
            currency,
        };
        let placement = match self.commands.execute(order_id, &place, metadata).await {
            Ok(_) => Placement::Created,
            // Two retries with one key raced and the other stored it first.
            Err(CommandError::Refused(Refusal::AlreadyPlaced)) if key.is_some() => {
                Placement::Replayed
            }
            Err(error) => return Err(error.into()),
        };
        let view = self
            .project_after_command(order_id)
            .await?
            .ok_or(OrdersError::NotFound)?;
        Ok((view, placement))
    }

    async fn claim_key(
        &self,
        customer_id: Uuid,
        key: &IdempotencyKey,
        lines: &RequestedLines,
    ) -> Result<(Uuid, Placement), OrdersError> {
        let body = serde_json::to_string(lines.lines()).map_err(anyhow::Error::from)?;
        let candidate = Uuid::now_v7();
        let claimed = sqlx::query_scalar!(
            "INSERT INTO idempotency_keys (customer_id, key, request_body, order_id)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING order_id",
            customer_id,
            key.as_str(),
            body,
            candidate
        )
        .fetch_optional(&self.pool)
        .await?;
        if let Some(order_id) = claimed {
            return Ok((order_id, Placement::Created));
        }
        let existing = sqlx::query!(
            "SELECT request_body, order_id FROM idempotency_keys WHERE customer_id = $1 AND key = $2",
            customer_id,
            key.as_str()
        )
        .fetch_one(&self.pool)
        .await?;
        if existing.request_body != body {
            return Err(OrdersError::IdempotencyKeyReused);
        }
        Ok((existing.order_id, Placement::Replayed))
    }

    /// Runs a command, then brings the read side up to date so the caller reads its own write.
    pub async fn execute(
        &self,
        order_id: Uuid,
        command: &Command,
        metadata: &EventMetadata,
    ) -> Result<(Executed, Option<OrderView>), OrdersError> {
        let executed = self.commands.execute(order_id, command, metadata).await?;
        let view = self.project_after_command(order_id).await?;
        Ok((executed, view))
    }

    /// After a command has stored its events, the answer must not depend on the read side: if
    /// the actor cannot be reached right now, the view is folded from the stream here (the same
    /// pure fold), and the actor catches up from the published events later.
    async fn project_after_command(
        &self,
        order_id: Uuid,
    ) -> Result<Option<OrderView>, OrdersError> {
        match self.project(order_id).await {
            Ok(view) => Ok(view),
            Err(error) => {
                tracing::warn!(%error, %order_id, "the actor did not catch up; answering from the stream");
                let stream = self
                    .commands
                    .store()
                    .read(&order_stream_id(order_id))
                    .await
                    .map_err(anyhow::Error::from)?;
                OrderView::project(None, &stream.events)
                    .map_err(|e| OrdersError::Internal(e.into()))
            }
        }
    }

    /// Asks the order's actor to catch up with the stream; returns its view.
    pub async fn project(&self, order_id: Uuid) -> Result<Option<OrderView>, OrdersError> {
        self.call_actor(order_id, "catchUp").await
    }

    /// The order's view, as its actor holds it.
    pub async fn view(&self, order_id: Uuid) -> Result<Option<OrderView>, OrdersError> {
        self.call_actor(order_id, "get").await
    }

    async fn call_actor(
        &self,
        order_id: Uuid,
        method: &str,
    ) -> Result<Option<OrderView>, OrdersError> {
        let answer = self
            .sidecar
            .invoke_actor(ACTOR_TYPE, &order_id.to_string(), method, Vec::new())
            .await
            .map_err(|e| OrdersError::Unavailable(format!("OrderActor {method}: {e}")))?;
        serde_json::from_slice(&answer)
            .map_err(|e| OrdersError::Internal(anyhow::anyhow!("OrderActor answered: {e}")))
    }

    /// Starts a replay in the background and returns its id; `None` while another one runs
    /// (two replays at once would only race each other).
    pub fn start_replay(&self, reset: bool) -> Option<Uuid> {
        let id = Uuid::now_v7();
        {
            let mut jobs = self.replays.lock();
            if jobs
                .values()
                .any(|state| matches!(state, ReplayState::Running { .. }))
            {
                return None;
            }
            jobs.insert(
                id,
                ReplayState::Running {
                    started_at: Utc::now(),
                },
            );
        }
        let orders = self.clone();
        tokio::spawn(async move {
            let outcome = match orders.replay_all(reset).await {
                Ok(report) => {
                    tracing::info!(
                        streams = report.streams,
                        events = report.events,
                        seconds = report.seconds,
                        "read models replayed"
                    );
                    ReplayState::Finished(report)
                }
                Err(error) => {
                    tracing::error!(%error, "replay failed");
                    ReplayState::Failed {
                        error: error.to_string(),
                    }
                }
            };
            orders.replays.lock().insert(id, outcome);
        });
        Some(id)
    }

    /// Replays every order stream into both read models. With `reset`, the query table is
    /// emptied first, so what it holds afterwards comes from the replay alone.
    async fn replay_all(&self, reset: bool) -> Result<ReplayReport, OrdersError> {
        use futures::{StreamExt, TryStreamExt};

        let started = Instant::now();
        if reset {
            sqlx::query!("TRUNCATE order_summaries")
                .execute(&self.pool)
                .await?;
        }
        let order_ids = self
            .publisher
            .all_orders()
            .await
            .map_err(anyhow::Error::from)?;
        let streams = order_ids.len();
        let versions: Vec<u64> = futures::stream::iter(order_ids)
            .map(|order_id| async move {
                let view = self.call_actor(order_id, "replay").await?;
                Ok::<_, OrdersError>(view.map_or(0, |v| v.version))
            })
            .buffer_unordered(REPLAY_CONCURRENCY)
            .try_collect()
            .await?;
        let events: u64 = versions.iter().sum();
        let seconds = started.elapsed().as_secs_f64();
        Ok(ReplayReport {
            streams,
            events,
            seconds,
            events_per_second: events as f64 / seconds.max(f64::EPSILON),
        })
    }
}
