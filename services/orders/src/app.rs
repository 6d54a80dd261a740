//! The orders service's use cases, between the HTTP handlers and the domain: placing an order
//! (with its Idempotency-Key and its payment method checked), running a command and bringing
//! the read side up to date, reading a view or a page of the lists, catching the read side up
//! with a published event, and replaying every stream into fresh read models.

use std::time::Instant;

use service_runtime::{IdempotencyKey, Sidecar};
use uuid::Uuid;

use crate::actor_client::OrderActorClient;
use crate::commands::{CommandError, CommandHandler, Executed};
use crate::domain::request::OrderRequest;
use crate::domain::view::StreamEvent;
use crate::domain::{Command, OrderStatus, OrderView, Refusal};
use crate::error::OrdersError;
use crate::event_store::{EventMetadata, EventStore, order_stream_id};
use crate::idempotency::{Claim, IdempotencyKeys};
use crate::inventory_client;
use crate::payments_client;
use crate::publication::Publisher;
use crate::replays::{ReplayJobs, ReplayReport, ReplayState};
use service_runtime::PageCursor;

use crate::summaries::{ListFilter, OrderSummaries, OrderSummary};

/// Streams replayed at once: enough to keep the sidecar and the store busy on two cores.
const REPLAY_CONCURRENCY: usize = 16;

#[derive(Clone)]
pub struct Orders {
    /// For inventory's quotes and payments' payment-method checks.
    sidecar: Sidecar,
    commands: CommandHandler,
    actors: OrderActorClient,
    summaries: OrderSummaries,
    idempotency: IdempotencyKeys,
    publisher: Publisher,
    replays: ReplayJobs,
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

/// What a published order event asked of the read side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// The order's actor caught up with the stream (and wrote the query row).
    Projected,
    /// The query row already reflects the event: the command that stored it projected it.
    AlreadyThere,
}

impl Orders {
    pub fn new(
        sidecar: Sidecar,
        commands: CommandHandler,
        summaries: OrderSummaries,
        idempotency: IdempotencyKeys,
        publisher: Publisher,
    ) -> Self {
        Self {
            actors: OrderActorClient::new(sidecar.clone()),
            sidecar,
            commands,
            summaries,
            idempotency,
            publisher,
            replays: ReplayJobs::default(),
        }
    }

    /// The event store, for the internal API's raw stream access.
    pub fn event_store(&self) -> &EventStore {
        self.commands.store()
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
        let placement = self
            .store_placement(order_id, &place, key.is_some(), metadata)
            .await?;
        let view = self
            .project_after_command(order_id)
            .await?
            .ok_or(OrdersError::NotFound)?;
        Ok((view, placement))
    }

    async fn store_placement(
        &self,
        order_id: Uuid,
        place: &Command,
        keyed: bool,
        metadata: &EventMetadata,
    ) -> Result<Placement, OrdersError> {
        match self.commands.execute(order_id, place, metadata).await {
            Ok(_) => Ok(Placement::Created),
            // Two retries with one key raced and the other stored it first.
            Err(CommandError::Refused(Refusal::AlreadyPlaced)) if keyed => Ok(Placement::Replayed),
            Err(error) => Err(error.into()),
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
        match self.actors.catch_up(order_id).await {
            Ok(view) => Ok(view),
            Err(error) => {
                tracing::warn!(%error, %order_id, "the actor did not catch up; answering from the stream");
                let stream = self
                    .commands
                    .store()
                    .read(&order_stream_id(order_id))
                    .await
                    .map_err(anyhow::Error::from)?;
                OrderView::project(None, stream.events.iter().map(StreamEvent::from))
                    .map_err(|e| OrdersError::Internal(e.into()))
            }
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

    /// Brings the read side up to event `sequence` of the order's stream, as published. Most
    /// deliveries find the read models already there (the command that stored the event
    /// projected it at once): a look at the query row spares the actor call.
    pub async fn catch_up_with(
        &self,
        order_id: Uuid,
        sequence: Option<u64>,
    ) -> Result<CatchUp, OrdersError> {
        if let Some(sequence) = sequence
            && self
                .summaries
                .version_of(order_id)
                .await?
                .is_some_and(|version| version >= sequence)
        {
            return Ok(CatchUp::AlreadyThere);
        }
        self.actors.catch_up(order_id).await?;
        Ok(CatchUp::Projected)
    }

    /// Starts a replay in the background and returns its id; `None` while another one runs.
    pub fn start_replay(&self, reset: bool) -> Option<Uuid> {
        let id = self.replays.start()?;
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
            orders.replays.finish(id, outcome);
        });
        Some(id)
    }

    /// A replay's state; `None` for an id this process never started.
    pub fn replay_state(&self, id: Uuid) -> Option<ReplayState> {
        self.replays.get(id)
    }

    /// Replays every order stream into both read models. With `reset`, the query table is
    /// emptied first, so what it holds afterwards comes from the replay alone.
    async fn replay_all(&self, reset: bool) -> Result<ReplayReport, OrdersError> {
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
        let versions: Vec<u64> = futures::stream::iter(order_ids)
            .map(|order_id| async move {
                let view = self.actors.replay(order_id).await?;
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
