//! Events about stock, on the `stock-events` topic, published by inventory.

use serde::{Deserialize, Serialize};
use service_runtime::DomainEvent;
use uuid::Uuid;

/// `shop.stock.reserved.v1`: every line of the order is reserved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockReserved {
    pub order_id: Uuid,
}

impl DomainEvent for StockReserved {
    const EVENT_TYPE: &'static str = "shop.stock.reserved.v1";
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// Why one line could not be reserved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedLine {
    pub sku: String,
    pub requested: u32,
    pub available: u32,
    /// `insufficient-stock`, `unknown-sku` or `inactive-product`.
    pub reason: String,
}

/// `shop.stock.rejected.v1`: the order cannot be reserved (all or nothing), with the reason per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockRejected {
    pub order_id: Uuid,
    pub lines: Vec<RejectedLine>,
}

impl DomainEvent for StockRejected {
    const EVENT_TYPE: &'static str = "shop.stock.rejected.v1";
    fn aggregate_id(&self) -> String {
        self.order_id.to_string()
    }
}

/// `shop.stock.low.v1`: available stock of a SKU fell below its threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockLow {
    pub sku: String,
    pub available: i64,
    pub threshold: i64,
}

impl DomainEvent for StockLow {
    const EVENT_TYPE: &'static str = "shop.stock.low.v1";
    fn aggregate_id(&self) -> String {
        self.sku.clone()
    }
}
