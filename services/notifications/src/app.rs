//! The notifications application: the use cases the routes call, over the domain, the store,
//! the templates and the sidecar. Built once at start-up and injected into the depot.

use std::sync::Arc;

use contracts::notification::NotificationRequested;
use salvo::Depot;
use service_runtime::outbox::OutboxSignal;
use service_runtime::{PageCursor, Sidecar};
use sqlx::PgPool;
use uuid::Uuid;

use crate::compose::{self, Recipient};
use crate::contacts::{self, ContactError};
use crate::domain::{NotificationStatus, OrderSummary, Preferences, SendFailure, Trigger};
use crate::error::NotificationsError;
use crate::events;
use crate::sender::Sender;
use crate::store::{self, HistoryFilter, Requeued, StoredMessage};
use crate::templates::Templates;

/// How old an event may be and still tell someone something: a day.
pub const DEFAULT_MAX_EVENT_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// How many dead letters one "replay all" puts back at most; an administrator repeats it for
/// more (each call answers how many it replayed).
pub const REPLAY_ALL_LIMIT: i64 = 500;

#[derive(Clone)]
pub struct App {
    pool: PgPool,
    sidecar: Sidecar,
    templates: Arc<Templates>,
    sender: Sender,
    outbox: OutboxSignal,
    /// Who gets the messages for the shop's administrators (low stock).
    administrators: Arc<Vec<String>>,
    max_event_age: chrono::Duration,
}

/// The CloudEvent id of a job: the notification id for the first, with the replay's number
/// for an administrator's replay, and with the sweeper's count for a resend of either.
fn replay_job_id(notification_id: Uuid, replay: i32) -> String {
    format!("{notification_id}:replay:{replay}")
}

fn resend_job_id(notification_id: Uuid, replay: i32, resend: i32) -> String {
    format!("{notification_id}:replay:{replay}:resend:{resend}")
}

/// Which replay of its message a job belongs to: 0 for the first job (and its resends), N for
/// the N-th replay (and its resends).
fn replay_number(job_id: &str) -> i32 {
    job_id
        .split_once(":replay:")
        .and_then(|(_, rest)| rest.split(':').next()?.parse().ok())
        .unwrap_or(0)
}

/// How many stale messages one sweep resends at most.
const RESEND_BATCH: i64 = 200;

/// What taking an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// New messages were stored and their jobs queued.
    Queued(usize),
    /// Every message was there already: a redelivery or a replay of the topic.
    AlreadyQueued,
    /// Nobody to write to (a customer users no longer knows), or nothing to say (an order whose
    /// `placed` event was never taken).
    NoRecipient,
    /// Older than the news it would make (see [`App::with_max_event_age`]).
    TooOld,
}

/// Why an event could not be taken now; the broker delivers it again.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error(transparent)]
    Contact(#[from] ContactError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What one delivery of a job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Sent before, or given up on: a redelivered job changes nothing.
    AlreadyDone,
    /// No message has this id (a job from another database, say): nothing can be sent.
    Unknown,
    /// Not sent; try again (the attempt and its error are recorded).
    Failed(String),
    /// The provider refused it for good; the message is dead (and recorded so).
    Refused(String),
}

impl App {
    pub fn new(
        pool: PgPool,
        sidecar: Sidecar,
        outbox: OutboxSignal,
        administrators: Vec<String>,
    ) -> Self {
        Self {
            pool,
            sender: Sender::new(sidecar.clone()),
            sidecar,
            templates: Arc::new(Templates::load()),
            outbox,
            administrators: Arc::new(administrators),
            max_event_age: chrono::Duration::seconds(DEFAULT_MAX_EVENT_AGE.as_secs() as i64),
        }
    }

    /// Events older than `age` cause no message. The `events` subscription starts a new
    /// consumer group at the oldest offset (components/events.yaml), so that nothing published
    /// before a first start is lost; for notifications that would mean, on its first deployment
    /// to a running shop, a welcome email for every customer ever registered and news of every
    /// order ever shipped. An order's `placed` event is still remembered however old it is: its
    /// shipment may be news days later.
    pub fn with_max_event_age(mut self, age: std::time::Duration) -> Self {
        self.max_event_age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
        self
    }

    pub fn from_depot(depot: &Depot) -> Result<&Self, NotificationsError> {
        depot.get_typed::<Self>().map_err(|_| {
            NotificationsError::Internal(anyhow::anyhow!("the app is missing from the depot"))
        })
    }

    /// Turns an event into its messages: stores each (once: the ids come from the event) and
    /// queues a job for each new one, in one transaction.
    pub async fn take_event(
        &self,
        event_id: &str,
        occurred_at: Option<chrono::DateTime<chrono::Utc>>,
        trigger: Trigger,
    ) -> Result<EventOutcome, EventError> {
        // Without a time, the event is taken as news (a producer that writes none is ours).
        let stale = occurred_at.is_some_and(|at| chrono::Utc::now() - at > self.max_event_age);
        if stale {
            tracing::info!(
                event_id,
                kind = trigger.kind().as_str(),
                "no messages: the event is too old to be news"
            );
            if let Trigger::Placed(summary) = &trigger {
                let mut connection = self.pool.acquire().await.map_err(anyhow::Error::from)?;
                store::remember_order(&mut connection, summary)
                    .await
                    .map_err(anyhow::Error::from)?;
            }
            return Ok(EventOutcome::TooOld);
        }
        let summary = match &trigger {
            Trigger::Placed(summary) => Some(summary.clone()),
            other => match other.order_id() {
                Some(order_id) => {
                    let found = store::find_order(&self.pool, order_id)
                        .await
                        .map_err(anyhow::Error::from)?;
                    // Kafka delivers an order's events in order, one at a time, so its `placed`
                    // event was taken (or given up on, dead-lettered) before this one arrived.
                    // Without it there is nothing to say and waiting would not bring it: the
                    // order predates this service's subscription, or its `placed` event is in
                    // the dead letters. Retrying would only hold up the partition.
                    let Some(found) = found else {
                        tracing::warn!(%order_id, kind = other.kind().as_str(),
                            "no messages: the order's placed event was never taken");
                        return Ok(EventOutcome::NoRecipient);
                    };
                    Some(found)
                }
                None => None,
            },
        };
        let recipients = match self.recipients(&trigger, summary.as_ref()).await {
            Ok(recipients) => recipients,
            Err(EventError::Contact(ContactError::UnknownUser(user_id))) => {
                tracing::warn!(%user_id, "no messages: users knows no such customer");
                return Ok(EventOutcome::NoRecipient);
            }
            Err(error) => return Err(error),
        };
        let messages = compose::plan(
            &self.templates,
            event_id,
            &trigger,
            summary.as_ref(),
            &recipients,
        )
        .map_err(anyhow::Error::from)?;

        let mut tx = self.pool.begin().await.map_err(anyhow::Error::from)?;
        if let Trigger::Placed(summary) = &trigger {
            store::remember_order(&mut tx, summary)
                .await
                .map_err(anyhow::Error::from)?;
        }
        let mut queued = 0;
        for message in &messages {
            if !store::insert_message(&mut tx, event_id, message)
                .await
                .map_err(anyhow::Error::from)?
            {
                continue;
            }
            let job = NotificationRequested {
                notification_id: message.notification_id,
                channel: message.channel,
                recipient: message.recipient.clone(),
                template: message.kind.as_str().to_owned(),
            };
            events::queue_job(&mut tx, message.notification_id.to_string(), &job)
                .await
                .map_err(anyhow::Error::from)?;
            queued += 1;
        }
        tx.commit().await.map_err(anyhow::Error::from)?;
        if queued > 0 {
            self.outbox.committed();
            tracing::info!(queued, kind = trigger.kind().as_str(), "messages queued");
            Ok(EventOutcome::Queued(queued))
        } else if messages.is_empty() {
            Ok(EventOutcome::NoRecipient)
        } else {
            Ok(EventOutcome::AlreadyQueued)
        }
    }

    async fn recipients(
        &self,
        trigger: &Trigger,
        summary: Option<&OrderSummary>,
    ) -> Result<Vec<Recipient>, EventError> {
        match trigger {
            Trigger::StockLow(_) => Ok(self
                .administrators
                .iter()
                .map(|email| Recipient {
                    user_id: None,
                    name: String::new(),
                    email: email.clone(),
                    phone: None,
                    preferences: Preferences::default(),
                })
                .collect()),
            // The event has the address; nobody has had time to choose a language yet, but a
            // second delivery after they did would read it.
            Trigger::Registered(registered) => Ok(vec![Recipient {
                user_id: Some(registered.user_id),
                name: registered.display_name.clone(),
                email: registered.email.clone(),
                phone: None,
                preferences: self.preferences_or_default(registered.user_id).await?,
            }]),
            _ => {
                let Some(summary) = summary else {
                    return Ok(Vec::new());
                };
                let contact = contacts::look_up(&self.sidecar, summary.customer_id).await?;
                Ok(vec![Recipient {
                    user_id: Some(contact.user_id),
                    name: contact.display_name,
                    email: contact.email,
                    phone: contact.phone,
                    preferences: self.preferences_or_default(contact.user_id).await?,
                }])
            }
        }
    }

    async fn preferences_or_default(&self, user_id: Uuid) -> Result<Preferences, anyhow::Error> {
        Ok(store::find_preferences(&self.pool, user_id)
            .await?
            .unwrap_or_default())
    }

    /// Sends the job's message unless it was sent (or given up on) before. The row stays locked
    /// from the check to the record of the outcome, so two deliveries of one job cannot both
    /// send. The one window for a duplicate: the process dies after the provider accepted the
    /// message and before the commit (one UPDATE and a COMMIT, about a millisecond); the job is
    /// then delivered again and the message sent a second time.
    pub async fn deliver(&self, job: &NotificationRequested) -> Result<Delivery, anyhow::Error> {
        let _turn = self.sender.turn(job.channel).await;
        let mut tx = self.pool.begin().await?;
        let Some(message) = store::lock_for_delivery(&mut tx, job.notification_id).await? else {
            return Ok(Delivery::Unknown);
        };
        if message.status != NotificationStatus::Queued {
            return Ok(Delivery::AlreadyDone);
        }
        let outcome = self.sender.send(&message).await;
        let delivery = match outcome {
            Ok(()) => {
                store::mark_sent(&mut tx, message.notification_id).await?;
                Delivery::Sent
            }
            Err(SendFailure::Transient(error)) => {
                store::record_failure(&mut tx, message.notification_id, &error, false).await?;
                Delivery::Failed(error)
            }
            Err(SendFailure::Permanent(error)) => {
                store::record_failure(&mut tx, message.notification_id, &error, true).await?;
                Delivery::Refused(error)
            }
        };
        tx.commit().await?;
        Ok(delivery)
    }

    /// A job Dapr gave up on (the dead-letter topic; `job_id` is its CloudEvent id): its
    /// message is dead, unless a replay queued it again since. Answers whether that changed
    /// anything.
    pub async fn bury(&self, job_id: &str, notification_id: Uuid) -> Result<bool, anyhow::Error> {
        Ok(store::mark_dead(&self.pool, notification_id, replay_number(job_id)).await?)
    }

    /// Puts one dead letter back on the queue with a new job. Sent once: the job is delivered
    /// like any other, and the row says `sent` after the first success.
    pub async fn replay(&self, notification_id: Uuid) -> Result<Requeued, NotificationsError> {
        let mut tx = self.pool.begin().await.map_err(anyhow::Error::from)?;
        let Some(requeued) = store::requeue_dead(&mut tx, notification_id).await? else {
            drop(tx);
            let current = store::find_message(&self.pool, notification_id)
                .await?
                .ok_or(NotificationsError::NotFound)?;
            return Err(NotificationsError::NotDead(current.status));
        };
        let job = NotificationRequested {
            notification_id,
            channel: requeued.channel,
            recipient: requeued.recipient.clone(),
            template: requeued.kind.clone(),
        };
        // Each replay is its own job (its own CloudEvent id), so the outbox keeps them apart.
        events::queue_job(
            &mut tx,
            replay_job_id(notification_id, requeued.replays),
            &job,
        )
        .await
        .map_err(anyhow::Error::from)?;
        tx.commit().await.map_err(anyhow::Error::from)?;
        self.outbox.committed();
        Ok(requeued)
    }

    /// Gives a new job to every queued message that showed no sign of life (stored, attempted,
    /// replayed) for `older_than`: its job was lost on the way. Dapr's RabbitMQ component can
    /// report a publish as done that the broker never confirmed (components-contrib v1.16.5,
    /// pubsub/rabbitmq/rabbitmq.go `publishSync` logs "did not receive confirmation of
    /// publishing" and returns no error), which is how a broker killed at the wrong moment lost
    /// a job here. A message that is only slow (deep in the queue) gets a second job, which
    /// changes nothing: a job sends only while its message is queued. Answers how many.
    pub async fn resend_stale(
        &self,
        older_than: std::time::Duration,
    ) -> Result<usize, anyhow::Error> {
        let mut tx = self.pool.begin().await?;
        let stale = store::claim_stale(&mut tx, older_than.as_secs_f64(), RESEND_BATCH).await?;
        for message in &stale {
            let job = NotificationRequested {
                notification_id: message.notification_id,
                channel: message.channel,
                recipient: message.recipient.clone(),
                template: message.kind.clone(),
            };
            let id = resend_job_id(message.notification_id, message.replays, message.resends);
            events::queue_job(&mut tx, id, &job).await?;
        }
        tx.commit().await?;
        if !stale.is_empty() {
            self.outbox.committed();
            tracing::warn!(
                resent = stale.len(),
                "queued messages without a sign of life got new jobs"
            );
        }
        Ok(stale.len())
    }

    /// Replays the oldest dead letters, up to [`REPLAY_ALL_LIMIT`]; answers how many.
    pub async fn replay_all(&self) -> Result<usize, NotificationsError> {
        let mut replayed = 0;
        for id in store::dead_ids(&self.pool, REPLAY_ALL_LIMIT).await? {
            match self.replay(id).await {
                Ok(_) => replayed += 1,
                // Replayed by someone else meanwhile.
                Err(NotificationsError::NotDead(_)) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(replayed)
    }

    pub async fn preferences(&self, user_id: Uuid) -> Result<Preferences, NotificationsError> {
        Ok(self.preferences_or_default(user_id).await?)
    }

    pub async fn save_preferences(
        &self,
        user_id: Uuid,
        preferences: &Preferences,
    ) -> Result<(), NotificationsError> {
        Ok(store::save_preferences(&self.pool, user_id, preferences).await?)
    }

    /// A page of messages, newest first, and the cursor of the next page if there is one.
    pub async fn history(
        &self,
        filter: &HistoryFilter,
        after: Option<PageCursor>,
        limit: u32,
    ) -> Result<(Vec<StoredMessage>, Option<PageCursor>), NotificationsError> {
        let mut messages =
            store::list_messages(&self.pool, filter, after, i64::from(limit) + 1).await?;
        let next = if messages.len() > limit as usize {
            messages.truncate(limit as usize);
            messages.last().map(|last| PageCursor {
                at: last.created_at,
                id: last.notification_id,
            })
        } else {
            None
        };
        Ok((messages, next))
    }

    pub async fn message(
        &self,
        notification_id: Uuid,
    ) -> Result<StoredMessage, NotificationsError> {
        store::find_message(&self.pool, notification_id)
            .await?
            .ok_or(NotificationsError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_id_tells_which_replay_it_is() {
        let id = Uuid::new_v4();
        assert_eq!(replay_number(&id.to_string()), 0);
        assert_eq!(replay_number(&replay_job_id(id, 1)), 1);
        assert_eq!(replay_number(&replay_job_id(id, 12)), 12);
        assert_eq!(replay_number(&resend_job_id(id, 0, 3)), 0);
        assert_eq!(replay_number(&resend_job_id(id, 2, 1)), 2);
    }
}
