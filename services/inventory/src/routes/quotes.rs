//! Price quotes for the orders service (service invocation only; the gateway does not route
//! here): the current unit price and availability of every requested line, in one call, so an
//! order is priced from one consistent read.

use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use validator::Validate;

use crate::domain::{FieldError, Quantity, Sku};
use crate::error::InventoryError;
use crate::routes::body::{keep, parse_valid};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteRequest {
    #[validate(length(min = 1, max = 100, message = "between 1 and 100 lines"))]
    lines: Vec<QuoteLineRequest>,
}

// Serialize: validator reports the length of the list with its value.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteLineRequest {
    sku: String,
    quantity: u32,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuotedLine {
    sku: String,
    quantity: u32,
    /// Absent for an unknown SKU.
    #[serde(skip_serializing_if = "Option::is_none")]
    unit_price_minor: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
    available: i64,
    /// Known and offered for sale (a deactivated product is not).
    active: bool,
    /// Known, active and enough available right now (a reservation decides for real).
    orderable: bool,
}

#[handler]
pub async fn quote(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), InventoryError> {
    let request: QuoteRequest = parse_valid(req).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    let lines: Vec<(Sku, Quantity)> = request
        .lines
        .iter()
        .filter_map(|line| {
            Some((
                keep(Sku::parse(&line.sku), &mut errors)?,
                keep(Quantity::parse(line.quantity), &mut errors)?,
            ))
        })
        .collect();
    if !errors.is_empty() {
        return Err(InventoryError::Validation(errors));
    }
    let pool = depot.get_typed::<PgPool>().map_err(|_| {
        InventoryError::Internal(anyhow::anyhow!("database pool missing from the depot"))
    })?;
    let skus: Vec<String> = lines
        .iter()
        .map(|(sku, _)| sku.as_str().to_owned())
        .collect();
    let rows = sqlx::query!(
        r#"SELECT p.sku AS "sku!", p.price_minor AS "price_minor!", p.currency AS "currency!", p.active AS "active!",
                  COALESCE(s.on_hand - s.reserved, 0) AS "available!"
           FROM products p LEFT JOIN stock s ON s.sku = p.sku
           WHERE p.sku = ANY($1)"#,
        &skus,
    )
    .fetch_all(pool)
    .await?;
    let quoted: Vec<QuotedLine> = lines
        .iter()
        .map(|(sku, quantity)| {
            let row = rows.iter().find(|row| row.sku == sku.as_str());
            QuotedLine {
                sku: sku.as_str().to_owned(),
                quantity: quantity.get(),
                unit_price_minor: row.map(|r| r.price_minor),
                currency: row.map(|r| r.currency.clone()),
                available: row.map(|r| r.available).unwrap_or(0),
                active: row.is_some_and(|r| r.active),
                orderable: row
                    .is_some_and(|r| r.active && r.available >= i64::from(quantity.get())),
            }
        })
        .collect();
    res.render(Json(serde_json::json!({ "lines": quoted })));
    Ok(())
}
