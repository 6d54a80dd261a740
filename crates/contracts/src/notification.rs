//! Notification jobs: what the notifications service is asked to send.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
}

/// `shop.notification.requested.v1`: send one message to one recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationRequested {
    pub notification_id: Uuid,
    pub channel: Channel,
    /// An email address or an E.164 phone number, depending on the channel.
    pub recipient: String,
    /// The template to render, e.g. `welcome` or `order-confirmed`.
    pub template: String,
}

domain_event!(
    NotificationRequested,
    "shop.notification.requested.v1",
    notification_id
);
