//! What the notifications API answers with.

use chrono::{DateTime, Utc};
use salvo::oapi::ToSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::store::StoredMessage;

/// A message in a history: what it was, to whom, and where it is.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageSummary {
    pub notification_id: Uuid,
    /// `welcome`, `order-received`, `order-confirmed`, `order-shipped`, `order-cancelled`,
    /// `refund-issued` or `stock-low`.
    pub kind: String,
    /// `email` or `sms`.
    pub channel: String,
    /// The email address or phone number it went to.
    pub recipient: String,
    /// The email's subject (none for a text message).
    pub subject: Option<String>,
    /// `queued`, `sent` or `dead`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<&StoredMessage> for MessageSummary {
    fn from(message: &StoredMessage) -> Self {
        Self {
            notification_id: message.notification_id,
            kind: message.kind.clone(),
            channel: message.channel.clone(),
            recipient: message.recipient.clone(),
            subject: message.subject.clone(),
            status: message.status.clone(),
            created_at: message.created_at,
            sent_at: message.sent_at,
        }
    }
}

/// A page of messages, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessagePage {
    pub items: Vec<MessageSummary>,
    /// Give it as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// A message with everything the service knows of it, for administrators.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageDetail {
    #[serde(flatten)]
    pub summary: MessageSummary,
    /// The customer it is for; none for a message to the shop's administrators.
    pub user_id: Option<Uuid>,
    pub language: String,
    /// The id of the event that caused it.
    pub source_event_id: String,
    pub body_html: Option<String>,
    /// The plain-text body of an email, or the text message.
    pub body_text: String,
    /// Sends tried so far (a successful one included).
    pub attempts: i32,
    /// The provider's answer to the last failed attempt.
    pub last_error: Option<String>,
    /// How often an administrator put it back on the queue.
    pub replays: i32,
    pub dead_at: Option<DateTime<Utc>>,
}

impl From<&StoredMessage> for MessageDetail {
    fn from(message: &StoredMessage) -> Self {
        Self {
            summary: MessageSummary::from(message),
            user_id: message.user_id,
            language: message.language.clone(),
            source_event_id: message.source_event_id.clone(),
            body_html: message.body_html.clone(),
            body_text: message.body_text.clone(),
            attempts: message.attempts,
            last_error: message.last_error.clone(),
            replays: message.replays,
            dead_at: message.dead_at,
        }
    }
}

/// A page of dead letters (or of any messages, for administrators), with their details.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageDetailPage {
    pub items: Vec<MessageDetail>,
    pub next_cursor: Option<String>,
}

/// What "replay all" did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayAllAnswer {
    /// Dead letters put back on the queue (at most 500 per call; call again for more).
    pub replayed: usize,
}

/// One dead letter put back on the queue.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayAnswer {
    pub notification_id: Uuid,
    /// `queued`: a new job is on its way.
    pub status: String,
    pub replays: i32,
}
