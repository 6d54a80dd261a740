//! The orders service's use cases, between the HTTP handlers and the domain: placing an order
//! (with its Idempotency-Key and its payment method checked), running a command on an order
//! (through its actor, the order's one writer), reading a view or a page of the lists, and
//! replaying every stream into fresh read models.

use std::time::Instant;

use service_runtime::{IdempotencyKey, PageCursor, Sidecar};
use uuid::Uuid;

use crate::actor::{ExecuteAnswer, OrderActor};
use crate::actor_client::OrderActorClient;
use crate::domain::request::OrderRequest;
use crate::domain::view::StreamEvent;
use crate::domain::{Command, OrderStatus, OrderView, Refusal};
use crate::error::OrdersError;
use crate::event_store::{EventMetadata, EventStore};
use crate::idempotency::{Claim, IdempotencyKeys};
use crate::inventory_client;
use crate::payments_client;
use crate::publication::Publisher;
use crate::replays::{ReplayJobs, ReplayProgress, ReplayReport, ReplayState};
use crate::summaries::{ListFilter, OrderSummaries, OrderSummary};

/// Streams read per batch of a replay: two bulk reads of the store (heads, then events) and
/// one write of the query table each.
const REPLAY_BATCH: usize = 500;
/// Batches in flight at once: one decoding while the next is read, on two cores.
const REPLAY_CONCURRENCY: usize = 2;

#[derive(Clone)]
pub struct Orders {
    /// For inventory's quotes and payments' payment-method checks.
    sidecar: Sidecar,
    store: EventStore,
    actors: OrderActorClient,
    /// This process's actors, whose state a replay makes them fold again.
    hosted_actors: OrderActor,
    summaries: OrderSummaries,
    idempotency: IdempotencyKeys,
    publisher: Publisher,
    replays: ReplayJobs,
}

/// What a command did: the order as it now is, and how many events it appended (none when
/// the command changed nothing, e.g. a redelivered answer).
#[derive(Debug)]
pub struct Executed {
    pub view: OrderView,
    pub appended: usize,
}

/// Whether a placement created the order or found the one a retried request had created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Created,
    Replayed,
}

/// One page of a list, newest first.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<OrderSummary>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<PageCursor>,
}

impl Orders {
    pub fn new(
        sidecar: Sidecar,
        store: EventStore,
        hosted_actors: OrderActor,
        summaries: OrderSummaries,
        idempotency: IdempotencyKeys,
        publisher: Publisher,
    ) -> Self {
        Self {
            actors: OrderActorClient::new(sidecar.clone()),
            sidecar,
            store,
            hosted_actors,
            summaries,
            idempotency,
            publisher,
            replays: ReplayJobs::default(),
        }
    }

    /// The event store, for the internal API's raw stream access.
    pub fn event_store(&self) -> &EventStore {
        &self.store
    }

    /// Places an order for `customer_id`. With an Idempotency-Key, the first request decides
    /// the order id; a retry with the same key and body gets that same order back.
    pub async fn place(
        &self,
        customer_id: Uuid,
        request: OrderRequest,
        key: Option<IdempotencyKey>,
        metadata: &EventMetadata,
    ) -> Result<(OrderView, Placement), OrdersError> {
        let order_id = match &key {
            None => Uuid::now_v7(),
            Some(key) => {
                let (order_id, placement) = self.claim_key(customer_id, key, &request).await?;
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
        // Two independent questions to two services: asked at once. A payment method the provider
        // does not know is the client's to fix whatever inventory says, so its answer comes first.
        let (payment_method, quote) = tokio::join!(
            payments_client::look_up(&self.sidecar, request.payment_method_id()),
            inventory_client::price(&self.sidecar, request.lines()),
        );
        let payment_method = payment_method?;
        let (lines, currency) = quote?;
        tracing::debug!(%order_id, kind = %payment_method.kind, "the provider knows the payment method");
        let place = Command::Place {
            order_id,
            customer_id,
            lines,
            currency,
            payment_method_id: request.payment_method_id().clone(),
        };
        match self.execute(order_id, place, metadata).await {
            Ok(executed) => Ok((executed.view, Placement::Created)),
            // Two retries with one key raced and the other stored it first.
            Err(OrdersError::Refused(Refusal::AlreadyPlaced)) if key.is_some() => {
                let view = self.view(order_id).await?.ok_or(OrdersError::NotFound)?;
                Ok((view, Placement::Replayed))
            }
            Err(error) => Err(error),
        }
    }

    async fn claim_key(
        &self,
        customer_id: Uuid,
        key: &IdempotencyKey,
        request: &OrderRequest,
    ) -> Result<(Uuid, Placement), OrdersError> {
        let body = request.idempotency_body().map_err(anyhow::Error::from)?;
        match self
            .idempotency
            .claim(customer_id, key, &body, Uuid::now_v7())
            .await?
        {
            Claim::Claimed(order_id) => Ok((order_id, Placement::Created)),
            Claim::Retry(order_id) => Ok((order_id, Placement::Replayed)),
            Claim::OtherRequest => Err(OrdersError::IdempotencyKeyReused),
        }
    }

    /// Has the order's actor decide and store `command`: the order as it now is, or why it
    /// refused.
    pub async fn execute(
        &self,
        order_id: Uuid,
        command: Command,
        metadata: &EventMetadata,
    ) -> Result<Executed, OrdersError> {
        match self
            .actors
            .execute(order_id, command, metadata.clone())
            .await?
        {
            ExecuteAnswer::Executed { view, appended } => Ok(Executed {
                view: *view,
                appended,
            }),
            ExecuteAnswer::Refused {
                refusal: Refusal::NotFound,
            } => Err(OrdersError::NotFound),
            ExecuteAnswer::Refused { refusal } => Err(OrdersError::Refused(refusal)),
        }
    }

    /// The order's view, as its actor holds it.
    pub async fn view(&self, order_id: Uuid) -> Result<Option<OrderView>, OrdersError> {
        Ok(self.actors.view(order_id).await?)
    }

    /// One page of orders from the query table: of one customer or all, of one status or any,
    /// after `after`, at most `page_size` of them.
    pub async fn list(
        &self,
        customer_id: Option<Uuid>,
        status: Option<OrderStatus>,
        after: Option<PageCursor>,
        page_size: u32,
    ) -> Result<Page, OrdersError> {
        let filter = ListFilter {
            customer_id,
            status,
            after,
            // One extra row tells whether there is a next page.
            limit: i64::from(page_size) + 1,
        };
        let mut items = self.summaries.list(&filter).await?;
        let page_size = page_size as usize;
        let next = if items.len() > page_size {
            items.truncate(page_size);
            items.last().map(|last| PageCursor {
                at: last.placed_at,
                id: last.order_id,
            })
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// Starts a replay in the background and returns its id; `None` while another one runs.
    pub fn start_replay(&self, reset: bool) -> Option<Uuid> {
        let id = self.replays.start()?;
        let orders = self.clone();
        tokio::spawn(async move {
            let outcome = match orders.replay_all(id, reset).await {
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
            orders.replays.finish(id, outcome);
        });
        Some(id)
    }

    /// A replay's state; `None` for an id this process never started.
    pub fn replay_state(&self, id: Uuid) -> Option<ReplayState> {
        self.replays.get(id)
    }

    /// Replays every order stream into the query table, in batches: each batch of streams is
    /// read from the store in two bulk calls, folded here with the same projection the actors
    /// use, and written in one statement. With `reset`, the table is emptied first, so what it
    /// holds afterwards comes from the replay alone. The actors of this process fold their
    /// streams again on their next call.
    async fn replay_all(&self, id: Uuid, reset: bool) -> Result<ReplayReport, OrdersError> {
        use futures::{StreamExt, TryStreamExt};

        let started = Instant::now();
        if reset {
            self.summaries.clear().await?;
        }
        let order_ids = self
            .publisher
            .all_orders()
            .await
            .map_err(anyhow::Error::from)?;
        let streams = order_ids.len();
        let mut progress = ReplayProgress {
            streams,
            ..ReplayProgress::default()
        };
        let batches: Vec<Vec<Uuid>> = order_ids
            .chunks(REPLAY_BATCH)
            .map(<[Uuid]>::to_vec)
            .collect();
        let mut batches = futures::stream::iter(batches)
            .map(|batch| {
                let orders = self.clone();
                async move { orders.replay_batch(&batch).await }
            })
            .buffer_unordered(REPLAY_CONCURRENCY);
        while let Some((replayed, events)) = batches.try_next().await? {
            progress.replayed_streams += replayed;
            progress.events += events;
            self.replays.progress(id, progress);
        }
        self.hosted_actors.forget_all();
        let seconds = started.elapsed().as_secs_f64();
        Ok(ReplayReport {
            streams,
            events: progress.events,
            seconds,
            events_per_second: progress.events as f64 / seconds.max(f64::EPSILON),
        })
    }

    /// One batch of a replay: how many streams and events it replayed.
    async fn replay_batch(&self, order_ids: &[Uuid]) -> Result<(usize, u64), OrdersError> {
        let stream_ids: Vec<String> = order_ids
            .iter()
            .map(|&order_id| crate::event_store::order_stream_id(order_id))
            .collect();
        let streams = self
            .store
            .read_many(&stream_ids)
            .await
            .map_err(anyhow::Error::from)?;
        let mut views = Vec::with_capacity(streams.len());
        let mut events = 0;
        for (_, recorded) in &streams {
            events += recorded.len() as u64;
            if let Some(view) = OrderView::project(None, recorded.iter().map(StreamEvent::from))
                .map_err(|e| OrdersError::Internal(e.into()))?
            {
                views.push(view);
            }
        }
        self.summaries.overwrite_all(&views).await?;
        Ok((order_ids.len(), events))
    }
}
