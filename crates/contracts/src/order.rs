//! Events of the order saga that other services react to, on the `order-events` topic.
//! Amounts are integer minor units with an ISO 4217 currency code; never floats.

use serde::{Deserialize, Serialize};
use service_runtime::DomainEvent;
use uuid::Uuid;

/// One line of an order, priced when the order was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub sku: String,
    pub quantity: u32,
    pub unit_price_minor: i64,
    pub currency: String,
}

/// `shop.order.placed.v1`: a customer placed an order; inventory reserves its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPlaced {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub lines: Vec<OrderLine>,
}

impl DomainEvent for OrderPlaced {
    const EVENT_TYPE: &'static str = "shop.order.placed.v1";
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// `shop.order.confirmed.v1`: payment succeeded; inventory commits the reservation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderConfirmed {
    pub order_id: Uuid,
}

impl DomainEvent for OrderConfirmed {
    const EVENT_TYPE: &'static str = "shop.order.confirmed.v1";
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// `shop.order.cancelled.v1`: the order will not be fulfilled; inventory releases its stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelled {
    pub order_id: Uuid,
    /// Why: `customer`, `timeout`, `stock-rejected`, `payment-failed`.
    pub reason: String,
}

impl DomainEvent for OrderCancelled {
    const EVENT_TYPE: &'static str = "shop.order.cancelled.v1";
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}
