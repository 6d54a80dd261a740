//! Inventory's price quote for orders (`POST /internal/quotes`, Dapr service invocation only):
//! the current unit price and availability of every requested line, read at once, so an order is
//! priced from one consistent read. Both sides use these types, so the shape cannot drift.

use serde::{Deserialize, Serialize};
use validator::Validate;

/// The method path on the `inventory` app.
pub const QUOTES_METHOD: &str = "internal/quotes";

#[derive(Debug, Clone, Serialize, Deserialize, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteRequest {
    #[validate(length(min = 1, max = 100, message = "between 1 and 100 lines"))]
    pub lines: Vec<QuoteRequestLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteRequestLine {
    pub sku: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    pub lines: Vec<QuotedLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotedLine {
    pub sku: String,
    pub quantity: u32,
    /// Absent for an unknown SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The product's name and category (absent for an unknown SKU): the order line keeps them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub available: i64,
    /// Known and offered for sale (a deactivated product is not).
    pub active: bool,
    /// Known, active and enough available right now (a reservation decides for real).
    pub orderable: bool,
}
