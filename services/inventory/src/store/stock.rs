//! Stock per SKU and its ledger: every change to the numbers, with who, when and why.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{Sku, StockPosition};

/// The stock of one SKU.
#[derive(Debug, Clone)]
pub struct StockRecord {
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub low_stock_threshold: i64,
}

/// One change of a SKU's stock, as the ledger keeps it.
#[derive(Debug, Clone)]
pub struct LedgerRecord {
    pub entry_id: i64,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub reason: String,
    pub actor: String,
    pub order_id: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
}

/// A change to record in the ledger.
#[derive(Debug, Clone, Copy)]
pub struct LedgerEntry<'a> {
    pub sku: &'a str,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub reason: &'a str,
    /// `admin:<user id>` for an administrator, `order-saga` for the order saga's events.
    pub actor: &'a str,
    pub order_id: Option<Uuid>,
}

pub async fn find_stock(pool: &PgPool, sku: &Sku) -> sqlx::Result<Option<StockRecord>> {
    sqlx::query_as!(
        StockRecord,
        "SELECT sku, on_hand, reserved, low_stock_threshold FROM stock WHERE sku = $1",
        sku.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// Every change of a SKU's stock, oldest first.
pub async fn ledger(pool: &PgPool, sku: &Sku) -> sqlx::Result<Vec<LedgerRecord>> {
    sqlx::query_as!(
        LedgerRecord,
        "SELECT entry_id, on_hand_delta, reserved_delta, reason, actor, order_id, recorded_at
         FROM stock_ledger WHERE sku = $1 ORDER BY entry_id",
        sku.as_str()
    )
    .fetch_all(pool)
    .await
}

pub async fn record_in_ledger(tx: &mut PgConnection, entry: LedgerEntry<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO stock_ledger (sku, on_hand_delta, reserved_delta, reason, actor, order_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
        entry.sku,
        entry.on_hand_delta,
        entry.reserved_delta,
        entry.reason,
        entry.actor,
        entry.order_id,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Adds `delta` (negative: removes) to the stock on hand, unless that would leave less on hand
/// than is reserved for orders. `false` when nothing changed: no such SKU, or not enough
/// unreserved stock.
pub async fn adjust_on_hand(tx: &mut PgConnection, sku: &Sku, delta: i64) -> sqlx::Result<bool> {
    let updated = sqlx::query!(
        "UPDATE stock SET on_hand = on_hand + $2, updated_at = now()
         WHERE sku = $1 AND on_hand + $2 >= reserved",
        sku.as_str(),
        delta,
    )
    .execute(tx)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// Locks the stock rows of `skus` for the transaction, in SKU order (so that concurrent orders
/// for overlapping SKUs queue instead of deadlocking), with whether each product is for sale.
/// SKUs without a row are missing from the answer.
pub async fn lock_positions(
    tx: &mut PgConnection,
    skus: &[String],
) -> sqlx::Result<Vec<StockPosition>> {
    sqlx::query_as!(
        StockPosition,
        "SELECT s.sku, s.on_hand, s.reserved, s.low_stock_threshold, p.active
         FROM stock s JOIN products p ON p.sku = s.sku
         WHERE s.sku = ANY($1) ORDER BY s.sku FOR UPDATE OF s",
        skus,
    )
    .fetch_all(tx)
    .await
}

/// Moves stock between on hand and reserved, for the order saga (a reservation, its commit or
/// its release).
pub async fn move_stock(
    tx: &mut PgConnection,
    sku: &str,
    on_hand_delta: i64,
    reserved_delta: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE stock SET on_hand = on_hand + $2, reserved = reserved + $3, updated_at = now()
         WHERE sku = $1",
        sku,
        on_hand_delta,
        reserved_delta,
    )
    .execute(tx)
    .await?;
    Ok(())
}
