//! The delivery log in notifications' own database.

use chrono::{DateTime, Utc};
use contracts::notification::{Channel, NotificationRequested};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct NotificationJob {
    pub notification_id: Uuid,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub status: String,
    pub received_at: DateTime<Utc>,
}

/// Records a job unless it is already there; returns whether it was new.
pub async fn record_job(pool: &PgPool, job: &NotificationRequested) -> sqlx::Result<bool> {
    let channel = match job.channel {
        Channel::Email => "email",
        Channel::Sms => "sms",
    };
    let result = sqlx::query(
        "INSERT INTO notification_jobs (notification_id, channel, recipient, template)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (notification_id) DO NOTHING",
    )
    .bind(job.notification_id)
    .bind(channel)
    .bind(&job.recipient)
    .bind(&job.template)
    .execute(pool)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn find_job(
    pool: &PgPool,
    notification_id: Uuid,
) -> sqlx::Result<Option<NotificationJob>> {
    sqlx::query_as::<_, NotificationJob>(
        "SELECT notification_id, channel, recipient, template, status, received_at
         FROM notification_jobs WHERE notification_id = $1",
    )
    .bind(notification_id)
    .fetch_optional(pool)
    .await
}
