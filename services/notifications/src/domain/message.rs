//! The kinds of message the shop sends, the preference each falls under, and the id that makes
//! each message exactly one.

use contracts::notification::Channel;
use uuid::Uuid;

/// What a message is about. Its name is the template's (`templates/<language>/<kind>.…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Welcome,
    OrderReceived,
    OrderConfirmed,
    OrderShipped,
    OrderCancelled,
    RefundIssued,
    /// To the shop's administrators, not to a customer.
    StockLow,
}

/// The preference a kind falls under. Every kind sent today is transactional: its email cannot
/// be turned off (a customer must learn that an order was taken, charged, cancelled or
/// refunded); text messages are opt-in per category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Account,
    Orders,
    Shipping,
    /// Messages to administrators, by email, always.
    Operations,
}

impl MessageKind {
    pub const ALL: [MessageKind; 7] = [
        Self::Welcome,
        Self::OrderReceived,
        Self::OrderConfirmed,
        Self::OrderShipped,
        Self::OrderCancelled,
        Self::RefundIssued,
        Self::StockLow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::OrderReceived => "order-received",
            Self::OrderConfirmed => "order-confirmed",
            Self::OrderShipped => "order-shipped",
            Self::OrderCancelled => "order-cancelled",
            Self::RefundIssued => "refund-issued",
            Self::StockLow => "stock-low",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    pub fn category(self) -> Category {
        match self {
            Self::Welcome => Category::Account,
            Self::OrderReceived
            | Self::OrderConfirmed
            | Self::OrderCancelled
            | Self::RefundIssued => Category::Orders,
            Self::OrderShipped => Category::Shipping,
            Self::StockLow => Category::Operations,
        }
    }

    /// Whether the kind has a text-message form. "We got your order" and the welcome are
    /// email only: a text for them would be noise.
    pub fn has_sms(self) -> bool {
        matches!(
            self,
            Self::OrderConfirmed | Self::OrderShipped | Self::OrderCancelled | Self::RefundIssued
        )
    }
}

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationStatus {
    /// A job is on the queue (or about to be: the outbox relay publishes it).
    Queued,
    /// The provider accepted it.
    Sent,
    /// Given up on after its last attempt; an administrator can replay it.
    Dead,
}

impl NotificationStatus {
    pub const ALL: [NotificationStatus; 3] = [Self::Queued, Self::Sent, Self::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// The namespace of notification ids (UUID v5), fixed forever: changing it would make every
/// replayed event look new and send its messages again.
const NOTIFICATION_NAMESPACE: Uuid = Uuid::from_u128(0x6e6f_7469_6669_4361_8000_7368_6f70_0001);

/// One message's id, from the event that caused it, its kind, its channel and whom it is for
/// (`recipient_key`: the customer's id, or an administrator's address). A redelivered or
/// replayed event gives the same ids, which the database already holds: no second message.
pub fn notification_id(
    event_id: &str,
    kind: MessageKind,
    channel: Channel,
    recipient_key: &str,
) -> Uuid {
    let channel = match channel {
        Channel::Email => "email",
        Channel::Sms => "sms",
    };
    let name = format!("{event_id}/{}/{channel}/{recipient_key}", kind.as_str());
    Uuid::new_v5(&NOTIFICATION_NAMESPACE, name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_the_same_for_the_same_event_kind_and_channel_only() {
        let id =
            |event: &str, kind, channel, whom: &str| notification_id(event, kind, channel, whom);
        let first = id("evt-1", MessageKind::OrderShipped, Channel::Email, "u1");
        assert_eq!(
            first,
            id("evt-1", MessageKind::OrderShipped, Channel::Email, "u1")
        );
        assert_ne!(
            first,
            id("evt-1", MessageKind::OrderShipped, Channel::Sms, "u1")
        );
        assert_ne!(
            first,
            id("evt-2", MessageKind::OrderShipped, Channel::Email, "u1")
        );
        assert_ne!(
            first,
            id("evt-1", MessageKind::OrderConfirmed, Channel::Email, "u1")
        );
        assert_ne!(
            first,
            id("evt-1", MessageKind::OrderShipped, Channel::Email, "u2")
        );
        assert_eq!(first.get_version_num(), 5);
    }

    #[test]
    fn kinds_and_statuses_read_back_from_their_names() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
        }
        for status in NotificationStatus::ALL {
            assert_eq!(NotificationStatus::parse(status.as_str()), Some(status));
        }
    }
}
