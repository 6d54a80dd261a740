//! Events about payments, on the `payment-events` topic, published by payments.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `shop.payment.failed.v1`: the order could not be paid; its reserved stock goes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentFailed {
    pub order_id: Uuid,
    pub reason: String,
}

domain_event!(PaymentFailed, "shop.payment.failed.v1", order_id);

/// `shop.payment.succeeded.v1`: the order is paid; orders confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSucceeded {
    pub order_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
}

domain_event!(PaymentSucceeded, "shop.payment.succeeded.v1", order_id);
