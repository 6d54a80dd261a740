//! Events about stock, on the `stock-events` topic, published by inventory.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `shop.stock.reserved.v1`: every line of the order is reserved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockReserved {
    pub order_id: Uuid,
}

domain_event!(StockReserved, "shop.stock.reserved.v1", order_id);

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

domain_event!(StockRejected, "shop.stock.rejected.v1", order_id);

/// `shop.stock.low.v1`: available stock of a SKU fell below its threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockLow {
    pub sku: String,
    pub available: i64,
    pub threshold: i64,
}

domain_event!(StockLow, "shop.stock.low.v1", sku);
