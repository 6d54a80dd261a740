//! Prices for a new order, from inventory by Dapr service invocation (`POST /internal/quotes`):
//! one call, one consistent read of every line's price and status.

use contracts::order::OrderLine;
use serde::Deserialize;
use service_runtime::Sidecar;
use service_runtime::field_error::FieldError;

use crate::domain::request::RequestedLines;

#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    /// Lines that cannot be ordered at all (unknown SKU, not for sale, mixed currencies).
    #[error("lines that cannot be ordered")]
    NotOrderable(Vec<FieldError>),
    #[error("inventory could not quote: {0}")]
    Unavailable(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QuoteResponse {
    lines: Vec<QuotedLine>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QuotedLine {
    sku: String,
    quantity: u32,
    unit_price_minor: Option<i64>,
    currency: Option<String>,
    active: bool,
}

/// The priced lines and the order's one currency. Availability is not checked here: the stock
/// reservation decides that, atomically, after the order is placed.
pub async fn price(
    sidecar: &Sidecar,
    lines: &RequestedLines,
) -> Result<(Vec<OrderLine>, String), QuoteError> {
    let response = sidecar
        .invoke(reqwest::Method::POST, "inventory", "internal/quotes")
        .json(&serde_json::json!({ "lines": lines.lines() }))
        .send()
        .await
        .map_err(|e| QuoteError::Unavailable(e.to_string()))?;
    if !response.status().is_success() {
        return Err(QuoteError::Unavailable(format!(
            "inventory answered {}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        )));
    }
    let quote: QuoteResponse = response
        .json()
        .await
        .map_err(|e| QuoteError::Unavailable(format!("unexpected quote: {e}")))?;
    let mut errors = Vec::new();
    let mut priced = Vec::with_capacity(quote.lines.len());
    for (position, line) in (1..).zip(quote.lines) {
        match (line.unit_price_minor, line.currency) {
            (Some(unit_price_minor), Some(currency)) if line.active => priced.push(OrderLine {
                sku: line.sku,
                quantity: line.quantity,
                unit_price_minor,
                currency,
            }),
            (Some(_), Some(_)) => errors.push(FieldError::new(
                "lines.sku",
                format!("line {position}: {} is not for sale", line.sku),
            )),
            _ => errors.push(FieldError::new(
                "lines.sku",
                format!("line {position}: no product {} in the catalogue", line.sku),
            )),
        }
    }
    let currency = priced
        .first()
        .map(|line| line.currency.clone())
        .unwrap_or_default();
    if priced.iter().any(|line| line.currency != currency) {
        errors.push(FieldError::new(
            "lines",
            "all lines of an order must be priced in one currency",
        ));
    }
    if errors.is_empty() {
        Ok((priced, currency))
    } else {
        Err(QuoteError::NotOrderable(errors))
    }
}
