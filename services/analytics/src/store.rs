//! The event log in analytics' own database.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::facts::EventRecord;

#[derive(Debug, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct LoggedEvent {
    pub event_id: String,
    pub event_type: String,
    pub source: String,
    pub subject: Option<String>,
    pub topic: String,
    pub payload: serde_json::Value,
    pub received_at: DateTime<Utc>,
}

pub struct NewLoggedEvent<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub source: &'a str,
    pub subject: Option<&'a str>,
    pub topic: &'a str,
    pub payload: &'a serde_json::Value,
    pub occurred_at: DateTime<Utc>,
    pub sequence: Option<i64>,
}

/// Records an event unless it is already there; returns whether it was new.
pub async fn record_event(
    conn: &mut PgConnection,
    event: NewLoggedEvent<'_>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO event_log (event_id, event_type, source, subject, topic, payload, occurred_at, sequence)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(event.event_id)
    .bind(event.event_type)
    .bind(event.source)
    .bind(event.subject)
    .bind(event.topic)
    .bind(event.payload)
    .bind(event.occurred_at)
    .bind(event.sequence)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The log in the order a rebuild folds it (when it happened, then id), a page after `after`.
pub async fn log_page(
    conn: &mut PgConnection,
    after: Option<&(DateTime<Utc>, String)>,
    limit: i64,
) -> sqlx::Result<Vec<EventRecord>> {
    sqlx::query_as::<_, EventRecord>(
        "SELECT event_id, event_type, payload, occurred_at, sequence FROM event_log
         WHERE $1::timestamptz IS NULL OR (occurred_at, event_id) > ($1, $2)
         ORDER BY occurred_at, event_id LIMIT $3",
    )
    .bind(after.map(|(at, _)| *at))
    .bind(after.map(|(_, id)| id.clone()).unwrap_or_default())
    .bind(limit)
    .fetch_all(conn)
    .await
}

pub async fn find_event(pool: &PgPool, event_id: &str) -> sqlx::Result<Option<LoggedEvent>> {
    sqlx::query_as::<_, LoggedEvent>(
        "SELECT event_id, event_type, source, subject, topic, payload, received_at
         FROM event_log WHERE event_id = $1",
    )
    .bind(event_id)
    .fetch_optional(pool)
    .await
}

/// The events about one aggregate (CloudEvents `subject`), oldest first.
pub async fn events_about(
    pool: &PgPool,
    subject: &str,
    limit: i64,
) -> sqlx::Result<Vec<LoggedEvent>> {
    sqlx::query_as::<_, LoggedEvent>(
        "SELECT event_id, event_type, source, subject, topic, payload, received_at
         FROM event_log WHERE subject = $1 ORDER BY received_at, event_id LIMIT $2",
    )
    .bind(subject)
    .bind(limit)
    .fetch_all(pool)
    .await
}
