//! Events about payments, on the `payment-events` topic, published by payments.

use serde::{Deserialize, Serialize};
use service_runtime::DomainEvent;
use uuid::Uuid;

/// `shop.payment.failed.v1`: the order could not be paid; its reserved stock goes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentFailed {
    pub order_id: Uuid,
    pub reason: String,
}

impl DomainEvent for PaymentFailed {
    const EVENT_TYPE: &'static str = "shop.payment.failed.v1";
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// `shop.payment.succeeded.v1`: the order is paid; orders confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSucceeded {
    pub order_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
}

impl DomainEvent for PaymentSucceeded {
    const EVENT_TYPE: &'static str = "shop.payment.succeeded.v1";
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}
