//! Prices for a new order, from inventory by Dapr service invocation (`POST /internal/quotes`,
//! whose request and answer are `contracts::quote`): one call, one consistent read of every
//! line's price and status.

use contracts::FieldError;
use contracts::order::OrderLine;
use contracts::quote::{QUOTES_METHOD, Quote, QuoteRequest, QuoteRequestLine, QuotedLine};
use service_runtime::Sidecar;

use crate::domain::request::RequestedLines;

/// The app id inventory runs under (dapr/dapr.yaml).
const INVENTORY_APP_ID: &str = "inventory";

#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    /// Lines that cannot be ordered at all (unknown SKU, not for sale, mixed currencies).
    #[error("lines that cannot be ordered")]
    NotOrderable(Vec<FieldError>),
    #[error("inventory could not quote: {0}")]
    Unavailable(String),
}

/// The priced lines and the order's one currency. Availability is not checked here: the stock
/// reservation decides that, atomically, after the order is placed.
pub async fn price(
    sidecar: &Sidecar,
    lines: &RequestedLines,
) -> Result<(Vec<OrderLine>, String), QuoteError> {
    let request = QuoteRequest {
        lines: lines
            .lines()
            .iter()
            .map(|line| QuoteRequestLine {
                sku: line.sku.to_string(),
                quantity: line.quantity,
            })
            .collect(),
    };
    let response = sidecar
        .invoke(reqwest::Method::POST, INVENTORY_APP_ID, QUOTES_METHOD)
        .json(&request)
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
    let quote: Quote = response
        .json()
        .await
        .map_err(|e| QuoteError::Unavailable(format!("unexpected quote: {e}")))?;
    priced_lines(quote.lines).map_err(QuoteError::NotOrderable)
}

/// The order's lines at the quoted prices, or why some cannot be ordered (each line named by
/// its position, as in the request).
fn priced_lines(quoted: Vec<QuotedLine>) -> Result<(Vec<OrderLine>, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut priced = Vec::with_capacity(quoted.len());
    for (position, line) in (1..).zip(quoted) {
        match (line.unit_price_minor, line.currency) {
            (Some(unit_price_minor), Some(currency)) if line.active => priced.push(OrderLine {
                sku: line.sku,
                quantity: line.quantity,
                unit_price_minor,
                currency,
                product_name: line.product_name,
                category: line.category,
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
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(sku: &str, price: Option<(i64, &str)>, active: bool) -> QuotedLine {
        QuotedLine {
            sku: sku.into(),
            quantity: 1,
            unit_price_minor: price.map(|(minor, _)| minor),
            currency: price.map(|(_, currency)| currency.into()),
            product_name: None,
            category: None,
            available: 5,
            active,
            orderable: active,
        }
    }

    #[test]
    fn unknown_inactive_and_mixed_currency_lines_are_named() {
        let errors = priced_lines(vec![
            quoted("LAMP-1", Some((100, "EUR")), true),
            quoted("GONE-1", None, false),
            quoted("OLD-1", Some((100, "EUR")), false),
            quoted("MUG-1", Some((100, "USD")), true),
        ])
        .unwrap_err();
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "lines.sku: line 2: no product GONE-1 in the catalogue",
                "lines.sku: line 3: OLD-1 is not for sale",
                "lines: all lines of an order must be priced in one currency",
            ]
        );
    }

    #[test]
    fn quoted_lines_become_order_lines_in_the_orders_currency() {
        let (lines, currency) =
            priced_lines(vec![quoted("LAMP-1", Some((1_250, "EUR")), true)]).unwrap();
        assert_eq!(currency, "EUR");
        assert_eq!(lines[0].unit_price_minor, 1_250);
    }
}
