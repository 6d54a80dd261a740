//! What a domain event means to notifications. Only these events cause messages; every other
//! event on the topics is none of its business.

use contracts::order::{OrderCancelled, OrderConfirmed, OrderPlaced, OrderShipped};
use contracts::payment::PaymentRefunded;
use contracts::stock::StockLow;
use contracts::user::UserRegistered;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::MessageKind;

/// An event that causes messages, with what they need from it.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    Registered(UserRegistered),
    Placed(OrderSummary),
    Confirmed(OrderConfirmed),
    Shipped(OrderShipped),
    Cancelled {
        order_id: Uuid,
        reason: CancelReason,
    },
    Refunded(PaymentRefunded),
    StockLow(StockLow),
}

impl Trigger {
    pub fn kind(&self) -> MessageKind {
        match self {
            Self::Registered(_) => MessageKind::Welcome,
            Self::Placed(_) => MessageKind::OrderReceived,
            Self::Confirmed(_) => MessageKind::OrderConfirmed,
            Self::Shipped(_) => MessageKind::OrderShipped,
            Self::Cancelled { .. } => MessageKind::OrderCancelled,
            Self::Refunded(_) => MessageKind::RefundIssued,
            Self::StockLow(_) => MessageKind::StockLow,
        }
    }

    /// The order the message is about, for the kinds that are about one.
    pub fn order_id(&self) -> Option<Uuid> {
        match self {
            Self::Placed(summary) => Some(summary.order_id),
            Self::Confirmed(event) => Some(event.order_id),
            Self::Shipped(event) => Some(event.order_id),
            Self::Cancelled { order_id, .. } => Some(*order_id),
            Self::Refunded(event) => Some(event.order_id),
            Self::Registered(_) | Self::StockLow(_) => None,
        }
    }
}

/// What notifications keeps of a placed order: later events carry only its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub currency: String,
    pub total_minor: i64,
    pub lines: Vec<SummaryLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryLine {
    pub sku: String,
    pub quantity: u32,
    pub unit_price_minor: i64,
}

impl From<OrderPlaced> for OrderSummary {
    fn from(placed: OrderPlaced) -> Self {
        Self {
            order_id: placed.order_id,
            customer_id: placed.customer_id,
            currency: placed.currency,
            total_minor: placed.total_minor,
            lines: placed
                .lines
                .into_iter()
                .map(|line| SummaryLine {
                    sku: line.sku,
                    quantity: line.quantity,
                    unit_price_minor: line.unit_price_minor,
                })
                .collect(),
        }
    }
}

/// Why an order was cancelled, as the templates put it in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelReason {
    OutOfStock,
    PaymentFailed,
    CustomerRequest,
    NotPaidInTime,
    /// A reason orders may add later; the templates say "cancelled" without one.
    Other(String),
}

impl CancelReason {
    /// From orders' `reason` (`contracts::order::OrderCancelled`).
    pub fn from_order_reason(reason: &str) -> Self {
        match reason {
            "stock-rejected" => Self::OutOfStock,
            "payment-failed" => Self::PaymentFailed,
            "customer" => Self::CustomerRequest,
            "timeout" => Self::NotPaidInTime,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The code the templates choose their words by.
    pub fn code(&self) -> &str {
        match self {
            Self::OutOfStock => "out-of-stock",
            Self::PaymentFailed => "payment-failed",
            Self::CustomerRequest => "customer-request",
            Self::NotPaidInTime => "not-paid-in-time",
            Self::Other(_) => "other",
        }
    }
}

impl From<OrderCancelled> for Trigger {
    fn from(cancelled: OrderCancelled) -> Self {
        Self::Cancelled {
            order_id: cancelled.order_id,
            reason: CancelReason::from_order_reason(&cancelled.reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_orders_gives_has_words() {
        for (reason, code) in [
            ("stock-rejected", "out-of-stock"),
            ("payment-failed", "payment-failed"),
            ("customer", "customer-request"),
            ("timeout", "not-paid-in-time"),
            ("fraud-suspected", "other"),
        ] {
            assert_eq!(CancelReason::from_order_reason(reason).code(), code);
        }
    }
}
