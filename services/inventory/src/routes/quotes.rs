//! Price quotes for the orders service (`POST /internal/quotes`, Dapr service invocation only;
//! the gateway does not route here, so it is not in the public document). The request and
//! answer are `contracts::quote`'s, the types orders sends and reads.

use contracts::quote::{Quote, QuoteRequest};
use salvo::prelude::*;
use service_runtime::ValidJson;

use super::app;
use crate::domain::{FieldError, Quantity, Sku, keep};
use crate::error::InventoryError;

#[handler]
pub async fn quote(
    body: ValidJson<QuoteRequest>,
    depot: &mut Depot,
) -> Result<Json<Quote>, InventoryError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let lines: Vec<(Sku, Quantity)> = body
        .into_inner()
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
    Ok(Json(app(depot)?.quote(&lines).await?))
}
