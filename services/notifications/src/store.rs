//! SQL for notifications' own database, checked at compile time against the migrations
//! (`sqlx::query!` with the offline data in `.sqlx/`).

use chrono::{DateTime, Utc};
use contracts::notification::Channel;
use service_runtime::PageCursor;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::compose::PlannedMessage;
use crate::domain::{
    Language, MessageKind, NotificationStatus, OrderSummary, Preferences, SmsChoices, SummaryLine,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A row holds a value the code never writes (a hand edit, a newer version's row).
    #[error("notification {id} holds an unknown {field} {value:?}")]
    Corrupt {
        id: Uuid,
        field: &'static str,
        value: String,
    },
}

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Sms => "sms",
    }
}

fn parse_channel(id: Uuid, raw: &str) -> Result<Channel, StoreError> {
    match raw {
        "email" => Ok(Channel::Email),
        "sms" => Ok(Channel::Sms),
        other => Err(StoreError::Corrupt {
            id,
            field: "channel",
            value: other.to_owned(),
        }),
    }
}

// --- order summaries

/// Remembers a placed order; a redelivered `placed` event changes nothing.
pub async fn remember_order(
    connection: &mut PgConnection,
    summary: &OrderSummary,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO order_summaries (order_id, customer_id, currency, total_minor, lines)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING",
        summary.order_id,
        summary.customer_id,
        summary.currency,
        summary.total_minor,
        Json(&summary.lines) as _,
    )
    .execute(connection)
    .await?;
    Ok(())
}

pub async fn find_order(pool: &PgPool, order_id: Uuid) -> Result<Option<OrderSummary>, StoreError> {
    let row = sqlx::query!(
        r#"SELECT order_id, customer_id, currency, total_minor,
                  lines AS "lines: Json<Vec<SummaryLine>>"
           FROM order_summaries WHERE order_id = $1"#,
        order_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| OrderSummary {
        order_id: row.order_id,
        customer_id: row.customer_id,
        currency: row.currency,
        total_minor: row.total_minor,
        lines: row.lines.0,
    }))
}

// --- preferences

pub async fn find_preferences(
    pool: &PgPool,
    user_id: Uuid,
) -> Result<Option<Preferences>, StoreError> {
    let row = sqlx::query!(
        "SELECT language, sms_orders, sms_shipping FROM preferences WHERE user_id = $1",
        user_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| Preferences {
        // Only `Language` codes are written; an unknown one reads as the default.
        language: Language::parse(&row.language).unwrap_or_default(),
        sms: SmsChoices {
            orders: row.sms_orders,
            shipping: row.sms_shipping,
        },
    }))
}

pub async fn save_preferences(
    pool: &PgPool,
    user_id: Uuid,
    preferences: &Preferences,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO preferences (user_id, language, sms_orders, sms_shipping)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE
         SET language = EXCLUDED.language, sms_orders = EXCLUDED.sms_orders,
             sms_shipping = EXCLUDED.sms_shipping, updated_at = now()",
        user_id,
        preferences.language.as_str(),
        preferences.sms.orders,
        preferences.sms.shipping,
    )
    .execute(pool)
    .await?;
    Ok(())
}

// --- messages

/// Stores a planned message unless its id is already there (a redelivered event); answers
/// whether it is new, i.e. whether it needs a job.
pub async fn insert_message(
    connection: &mut PgConnection,
    source_event_id: &str,
    message: &PlannedMessage,
) -> Result<bool, StoreError> {
    let result = sqlx::query!(
        "INSERT INTO notifications (notification_id, source_event_id, kind, channel, user_id,
                                    recipient, language, subject, body_html, body_text)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (notification_id) DO NOTHING",
        message.notification_id,
        source_event_id,
        message.kind.as_str(),
        channel_name(message.channel),
        message.user_id,
        message.recipient,
        message.language.as_str(),
        message.subject,
        message.body_html,
        message.body_text,
    )
    .execute(connection)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A message as the sender needs it.
#[derive(Debug, Clone)]
pub struct Deliverable {
    pub notification_id: Uuid,
    pub channel: Channel,
    pub recipient: String,
    pub subject: Option<String>,
    pub body_html: Option<String>,
    pub body_text: String,
    pub status: NotificationStatus,
}

/// Reads a message and locks its row until the caller's transaction ends, so a second delivery
/// of the same job waits, then finds it sent.
pub async fn lock_for_delivery(
    connection: &mut PgConnection,
    notification_id: Uuid,
) -> Result<Option<Deliverable>, StoreError> {
    let Some(row) = sqlx::query!(
        "SELECT notification_id, channel, recipient, subject, body_html, body_text, status
         FROM notifications WHERE notification_id = $1 FOR UPDATE",
        notification_id
    )
    .fetch_optional(connection)
    .await?
    else {
        return Ok(None);
    };
    let status = NotificationStatus::parse(&row.status).ok_or_else(|| StoreError::Corrupt {
        id: row.notification_id,
        field: "status",
        value: row.status.clone(),
    })?;
    Ok(Some(Deliverable {
        notification_id: row.notification_id,
        channel: parse_channel(row.notification_id, &row.channel)?,
        recipient: row.recipient,
        subject: row.subject,
        body_html: row.body_html,
        body_text: row.body_text,
        status,
    }))
}

pub async fn mark_sent(
    connection: &mut PgConnection,
    notification_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE notifications
         SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL,
             touched_at = now()
         WHERE notification_id = $1",
        notification_id
    )
    .execute(connection)
    .await?;
    Ok(())
}

/// Counts a failed attempt and keeps its error; with `dead`, also gives up on the message.
pub async fn record_failure(
    connection: &mut PgConnection,
    notification_id: Uuid,
    error: &str,
    dead: bool,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE notifications
         SET attempts = attempts + 1, last_error = $2, touched_at = now(),
             status = CASE WHEN $3 THEN 'dead' ELSE status END,
             dead_at = CASE WHEN $3 THEN now() ELSE dead_at END
         WHERE notification_id = $1",
        notification_id,
        error,
        dead,
    )
    .execute(connection)
    .await?;
    Ok(())
}

/// A job came back from the dead-letter topic: the message is given up on, keeping its last
/// error. Only while it is queued by that same job (`replays` counts the jobs after the first):
/// a late copy of an older job must not bury a replay in flight. Answers whether it changed.
pub async fn mark_dead(
    pool: &PgPool,
    notification_id: Uuid,
    replays: i32,
) -> Result<bool, StoreError> {
    let result = sqlx::query!(
        "UPDATE notifications SET status = 'dead', dead_at = now()
         WHERE notification_id = $1 AND status = 'queued' AND replays = $2",
        notification_id,
        replays
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// What a replay puts back on the queue.
#[derive(Debug, Clone)]
pub struct Requeued {
    pub notification_id: Uuid,
    pub channel: Channel,
    pub recipient: String,
    pub kind: String,
    pub replays: i32,
}

/// Puts a dead message back to `queued`, counting the replay; `None` if it is not dead.
pub async fn requeue_dead(
    connection: &mut PgConnection,
    notification_id: Uuid,
) -> Result<Option<Requeued>, StoreError> {
    let row = sqlx::query!(
        "UPDATE notifications
         SET status = 'queued', replays = replays + 1, dead_at = NULL, touched_at = now()
         WHERE notification_id = $1 AND status = 'dead'
         RETURNING notification_id, channel, recipient, kind, replays",
        notification_id
    )
    .fetch_optional(connection)
    .await?;
    row.map(|row| {
        Ok(Requeued {
            channel: parse_channel(row.notification_id, &row.channel)?,
            notification_id: row.notification_id,
            recipient: row.recipient,
            kind: row.kind,
            replays: row.replays,
        })
    })
    .transpose()
}

/// A queued message the sweeper gives a new job.
#[derive(Debug, Clone)]
pub struct Stale {
    pub notification_id: Uuid,
    pub channel: Channel,
    pub recipient: String,
    pub kind: String,
    pub replays: i32,
    pub resends: i32,
}

/// Claims up to `limit` queued messages that showed no sign of life for `older_than_secs`,
/// oldest first, counting a resend on each. A message whose job is being delivered right now is
/// locked by that delivery and skipped.
pub async fn claim_stale(
    connection: &mut PgConnection,
    older_than_secs: f64,
    limit: i64,
) -> Result<Vec<Stale>, StoreError> {
    let rows = sqlx::query!(
        "UPDATE notifications SET touched_at = now(), resends = resends + 1
         WHERE notification_id IN (
             SELECT notification_id FROM notifications
             WHERE status = 'queued' AND touched_at < now() - make_interval(secs => $1)
             ORDER BY touched_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING notification_id, channel, recipient, kind, replays, resends",
        older_than_secs,
        limit,
    )
    .fetch_all(connection)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Stale {
                channel: parse_channel(row.notification_id, &row.channel)?,
                notification_id: row.notification_id,
                recipient: row.recipient,
                kind: row.kind,
                replays: row.replays,
                resends: row.resends,
            })
        })
        .collect()
}

/// The oldest dead messages first, up to `limit`.
pub async fn dead_ids(pool: &PgPool, limit: i64) -> Result<Vec<Uuid>, StoreError> {
    Ok(sqlx::query_scalar!(
        "SELECT notification_id FROM notifications WHERE status = 'dead'
         ORDER BY dead_at, notification_id LIMIT $1",
        limit
    )
    .fetch_all(pool)
    .await?)
}

/// A message as the history shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredMessage {
    pub notification_id: Uuid,
    pub source_event_id: String,
    pub kind: String,
    pub channel: String,
    pub user_id: Option<Uuid>,
    pub recipient: String,
    pub language: String,
    pub subject: Option<String>,
    pub body_html: Option<String>,
    pub body_text: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub replays: i32,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub dead_at: Option<DateTime<Utc>>,
}

/// Which messages a history lists.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub user_id: Option<Uuid>,
    pub recipient: Option<String>,
    pub status: Option<NotificationStatus>,
    pub kind: Option<MessageKind>,
}

/// Newest first, `limit` of them after `after`.
pub async fn list_messages(
    pool: &PgPool,
    filter: &HistoryFilter,
    after: Option<PageCursor>,
    limit: i64,
) -> Result<Vec<StoredMessage>, StoreError> {
    Ok(sqlx::query_as!(
        StoredMessage,
        r#"SELECT notification_id, source_event_id, kind, channel, user_id, recipient, language,
                  subject, body_html, body_text, status, attempts, last_error, replays,
                  created_at, sent_at, dead_at
           FROM notifications
           WHERE ($1::uuid IS NULL OR user_id = $1)
             AND ($2::text IS NULL OR recipient = $2)
             AND ($3::text IS NULL OR status = $3)
             AND ($4::text IS NULL OR kind = $4)
             AND ($5::timestamptz IS NULL OR (created_at, notification_id) < ($5, $6::uuid))
           ORDER BY created_at DESC, notification_id DESC
           LIMIT $7"#,
        filter.user_id,
        filter.recipient,
        filter.status.map(NotificationStatus::as_str),
        filter.kind.map(MessageKind::as_str),
        after.as_ref().map(|cursor| cursor.at),
        after.as_ref().map(|cursor| cursor.id),
        limit,
    )
    .fetch_all(pool)
    .await?)
}

pub async fn find_message(
    pool: &PgPool,
    notification_id: Uuid,
) -> Result<Option<StoredMessage>, StoreError> {
    Ok(sqlx::query_as!(
        StoredMessage,
        r#"SELECT notification_id, source_event_id, kind, channel, user_id, recipient, language,
                  subject, body_html, body_text, status, attempts, last_error, replays,
                  created_at, sent_at, dead_at
           FROM notifications WHERE notification_id = $1"#,
        notification_id
    )
    .fetch_optional(pool)
    .await?)
}
