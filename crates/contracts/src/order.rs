//! The events of an order's life, on the `order-events` topic. They are also the order
//! aggregate's stored events: orders appends them to its event stream, and publishes exactly what
//! it stored. Amounts are integer minor units with an ISO 4217 currency code; never floats.
//!
//! Every CloudEvent carrying one of these has `subject` = the order id (also the Kafka key) and
//! the extensions `sequence` (its place in the order's stream), `causationid` (the command or
//! event that caused it) and `traceparent`/`traceid` (the trace of that command).

use serde::{Deserialize, Serialize};
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

/// `shop.order.placed.v2`: a customer placed an order; inventory reserves its lines.
///
/// v2 added the order's `currency` and `totalMinor`; stored v1 events are upcast on reading
/// (see the orders service's `domain::upcast`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPlaced {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub lines: Vec<OrderLine>,
    pub currency: String,
    pub total_minor: i64,
}

domain_event!(OrderPlaced, "shop.order.placed.v2", order_id);

/// `shop.order.stock-reserved.v1`: inventory reserved every line of the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderStockReserved {
    pub order_id: Uuid,
}

domain_event!(OrderStockReserved, "shop.order.stock-reserved.v1", order_id);

/// `shop.order.stock-rejected.v1`: inventory could not reserve the order, with the reason per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderStockRejected {
    pub order_id: Uuid,
    pub lines: Vec<crate::stock::RejectedLine>,
}

domain_event!(OrderStockRejected, "shop.order.stock-rejected.v1", order_id);

/// `shop.order.payment-requested.v1`: the stock is held; payments charges the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequested {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
}

domain_event!(
    PaymentRequested,
    "shop.order.payment-requested.v1",
    order_id
);

/// `shop.order.confirmed.v1`: payment succeeded; inventory commits the reservation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderConfirmed {
    pub order_id: Uuid,
}

domain_event!(OrderConfirmed, "shop.order.confirmed.v1", order_id);

/// `shop.order.cancelled.v1`: the order will not be fulfilled; inventory releases its stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelled {
    pub order_id: Uuid,
    /// Why: `customer`, `timeout`, `stock-rejected`, `payment-failed`.
    pub reason: String,
}

domain_event!(OrderCancelled, "shop.order.cancelled.v1", order_id);

/// `shop.order.shipped.v1`: an administrator handed the confirmed order to a carrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderShipped {
    pub order_id: Uuid,
    pub carrier: String,
    pub tracking_number: String,
}

domain_event!(OrderShipped, "shop.order.shipped.v1", order_id);
