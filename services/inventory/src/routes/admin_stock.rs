//! Stock administration: restocks and adjustments, each recorded in the ledger with who, when
//! and why; and the stock of a SKU with its ledger, so the numbers can be audited.

use chrono::{DateTime, Utc};
use salvo::oapi::ToSchema;
use salvo::oapi::extract::PathParam;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::Problem;
use sqlx::PgPool;
use uuid::Uuid;
use validator::Validate;

use crate::domain::{Sku, StockDelta};
use crate::error::InventoryError;
use crate::routes::body::parse_valid;
use crate::routes::context::{pool, require_admin};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StockAdjustment {
    /// Units added (restock) or removed (shrinkage, corrections); never zero.
    delta: i32,
    #[validate(length(min = 1, max = 200, message = "say why, in 1 to 200 characters"))]
    reason: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    entry_id: i64,
    on_hand_delta: i64,
    reserved_delta: i64,
    reason: String,
    actor: String,
    order_id: Option<Uuid>,
    recorded_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockLevel {
    sku: String,
    on_hand: i64,
    reserved: i64,
    available: i64,
    low_stock_threshold: i64,
    ledger: Vec<LedgerEntry>,
}

async fn stock_level(pool: &PgPool, sku: &Sku) -> Result<StockLevel, InventoryError> {
    let row = sqlx::query!(
        "SELECT sku, on_hand, reserved, low_stock_threshold FROM stock WHERE sku = $1",
        sku.as_str()
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| InventoryError::UnknownSku(sku.as_str().to_owned()))?;
    let ledger = sqlx::query_as!(
        LedgerEntry,
        "SELECT entry_id, on_hand_delta, reserved_delta, reason, actor, order_id, recorded_at
         FROM stock_ledger WHERE sku = $1 ORDER BY entry_id",
        sku.as_str()
    )
    .fetch_all(pool)
    .await?;
    Ok(StockLevel {
        sku: row.sku,
        on_hand: row.on_hand,
        reserved: row.reserved,
        available: row.on_hand - row.reserved,
        low_stock_threshold: row.low_stock_threshold,
        ledger,
    })
}

/// The stock of a SKU and every change to it.
#[endpoint(
    tags("admin"),
    security(("bearer" = [])),
    responses(
        (status_code = 200, description = "Stock and ledger", body = StockLevel),
        (status_code = 403, description = "The caller is not an administrator", content_type = "application/problem+json", body = Problem),
        (status_code = 404, description = "No product has this SKU", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Not a valid SKU", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn get_stock(
    sku: PathParam<String>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), InventoryError> {
    require_admin(req)?;
    let sku = Sku::parse(&sku.into_inner()).map_err(|e| InventoryError::Validation(vec![e]))?;
    res.render(Json(stock_level(pool(depot)?, &sku).await?));
    Ok(())
}

/// Restocks or adjusts a SKU; the change and its reason go into the ledger.
#[endpoint(
    tags("admin"),
    security(("bearer" = [])),
    request_body = StockAdjustment,
    responses(
        (status_code = 200, description = "Stock and ledger after the change", body = StockLevel),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 403, description = "The caller is not an administrator", content_type = "application/problem+json", body = Problem),
        (status_code = 404, description = "No product has this SKU", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Invalid delta or reason, or more stock removed than is unreserved", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn adjust_stock(
    sku: PathParam<String>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), InventoryError> {
    let admin = require_admin(req)?;
    let adjustment: StockAdjustment = parse_valid(req).await?;
    let sku = Sku::parse(&sku.into_inner()).map_err(|e| InventoryError::Validation(vec![e]))?;
    let delta =
        StockDelta::parse(adjustment.delta).map_err(|e| InventoryError::Validation(vec![e]))?;
    let pool = pool(depot)?;
    let mut tx = pool.begin().await?;
    let updated = sqlx::query!(
        "UPDATE stock SET on_hand = on_hand + $2, updated_at = now()
         WHERE sku = $1 AND on_hand + $2 >= reserved",
        sku.as_str(),
        i64::from(delta.get()),
    )
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        // Either no such SKU, or the change would take away reserved stock.
        stock_level(pool, &sku).await?;
        return Err(InventoryError::Validation(vec![
            crate::domain::FieldError::new(
                "delta",
                "would remove stock that is reserved for orders",
            ),
        ]));
    }
    sqlx::query!(
        "INSERT INTO stock_ledger (sku, on_hand_delta, reserved_delta, reason, actor) VALUES ($1, $2, 0, $3, $4)",
        sku.as_str(),
        i64::from(delta.get()),
        adjustment.reason.trim(),
        format!("admin:{admin}"),
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    res.render(Json(stock_level(pool, &sku).await?));
    Ok(())
}
