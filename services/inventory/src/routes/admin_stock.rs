//! Stock administration: administrators only. Restocks and adjustments, each recorded in the
//! ledger with who, when and why; and the stock of a SKU with its ledger, so the numbers can be
//! audited.

use chrono::{DateTime, Utc};
use salvo::oapi::ToSchema;
use salvo::oapi::extract::PathParam;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::{Admin, ValidJson};
use uuid::Uuid;
use validator::Validate;

use super::app;
use super::params::Unparsed;
use crate::app::StockLevel as Level;
use crate::domain::{Sku, StockDelta};
use crate::error::InventoryError;
use crate::store::stock::LedgerRecord;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StockAdjustment {
    /// Units added (restock) or removed (shrinkage, corrections); never zero.
    #[salvo(schema(value_type = StockDelta))]
    // JSON Schema's integers include `-5.0`.
    #[serde(deserialize_with = "contracts::whole_number::deserialize")]
    delta: i32,
    /// PostgreSQL cannot store a NUL character in text.
    #[validate(
        length(min = 1, max = 200, message = "say why, in 1 to 200 characters"),
        does_not_contain(pattern = "\0", message = "must not contain NUL characters")
    )]
    #[salvo(schema(min_length = 1, max_length = 200, pattern = "^[^\\u0000]*$"))]
    reason: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    entry_id: i64,
    on_hand_delta: i64,
    reserved_delta: i64,
    reason: String,
    /// `admin:<user id>` for an administrator's change, `order-saga` for an order's.
    actor: String,
    order_id: Option<Uuid>,
    recorded_at: DateTime<Utc>,
}

impl From<LedgerRecord> for LedgerEntry {
    fn from(record: LedgerRecord) -> Self {
        Self {
            entry_id: record.entry_id,
            on_hand_delta: record.on_hand_delta,
            reserved_delta: record.reserved_delta,
            reason: record.reason,
            actor: record.actor,
            order_id: record.order_id,
            recorded_at: record.recorded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockLevel {
    #[salvo(schema(value_type = Sku))]
    sku: String,
    on_hand: i64,
    reserved: i64,
    available: i64,
    low_stock_threshold: i64,
    ledger: Vec<LedgerEntry>,
}

impl From<Level> for StockLevel {
    fn from(Level { stock, ledger }: Level) -> Self {
        Self {
            available: stock.on_hand - stock.reserved,
            sku: stock.sku,
            on_hand: stock.on_hand,
            reserved: stock.reserved,
            low_stock_threshold: stock.low_stock_threshold,
            ledger: ledger.into_iter().map(LedgerEntry::from).collect(),
        }
    }
}

/// The stock of a SKU and every change to it.
#[endpoint(
    tags("admin"),
    parameters(("sku", Path, description = "The product's SKU (case does not matter)")),
    responses((status_code = 200, description = "Stock and ledger", body = StockLevel))
)]
pub async fn get_stock(
    _admin: Admin,
    sku: PathParam<Unparsed<Sku>>,
    depot: &mut Depot,
) -> Result<Json<StockLevel>, InventoryError> {
    let sku = Sku::parse(sku.into_inner().as_str())?;
    Ok(Json(app(depot)?.stock_level(&sku).await?.into()))
}

/// Restocks or adjusts a SKU; the change and its reason go into the ledger. Stock that is
/// reserved for orders cannot be removed (422 naming `delta`).
#[endpoint(
    tags("admin"),
    parameters(("sku", Path, description = "The product's SKU (case does not matter)")),
    responses((status_code = 200, description = "Stock and ledger after the change", body = StockLevel))
)]
pub async fn adjust_stock(
    admin: Admin,
    sku: PathParam<Unparsed<Sku>>,
    body: ValidJson<StockAdjustment>,
    depot: &mut Depot,
) -> Result<Json<StockLevel>, InventoryError> {
    let adjustment = body.into_inner();
    let sku = Sku::parse(sku.into_inner().as_str())?;
    let delta = StockDelta::parse(adjustment.delta)?;
    let level = app(depot)?
        .adjust_stock(&admin, &sku, delta, adjustment.reason.trim())
        .await?;
    Ok(Json(level.into()))
}
