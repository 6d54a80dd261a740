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
    /// The product's name and catalogue category when it was ordered, so reports (analytics)
    /// need no call into inventory's data. Absent on lines placed before they were carried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
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
    /// How the customer pays (checked with payments when the order was placed). Absent on
    /// orders placed before payments existed; payments fails those.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_id: Option<crate::payment::PaymentMethodId>,
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
    /// From the placed order; absent for orders placed before payments existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_id: Option<crate::payment::PaymentMethodId>,
}

domain_event!(
    PaymentRequested,
    "shop.order.payment-requested.v1",
    order_id
);

/// `shop.order.confirmed.v1`: the payment is authorized; inventory commits the reservation and
/// payments captures the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderConfirmed {
    pub order_id: Uuid,
}

domain_event!(OrderConfirmed, "shop.order.confirmed.v1", order_id);

/// `shop.order.cancelled.v1`: the order will not be fulfilled; inventory releases its stock (or
/// puts committed stock back on hand), payments voids or refunds what it authorized or captured.
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

/// `shop.order.payment-updated.v1`: payments reported a later fact about the order's payment
/// (captured, voided, refunded), and the order recorded it, so its view shows where the money
/// is. It does not change the order's status, and is recorded whatever that status is (a refund
/// after shipping, a void after a cancellation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPaymentUpdated {
    pub order_id: Uuid,
    /// `captured`, `voided`, `refunded` (everything captured went back) or `partially-refunded`.
    pub payment_status: String,
    /// What the customer was charged (0 until captured).
    pub captured_minor: i64,
    /// Everything refunded so far.
    pub refunded_minor: i64,
}

domain_event!(
    OrderPaymentUpdated,
    "shop.order.payment-updated.v1",
    order_id
);
