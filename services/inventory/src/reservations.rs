//! Reserving stock for orders: all lines or none, idempotent by order id.
//!
//! Every decision is one database transaction: the reservation row (keyed by order id, so a
//! redelivered event finds it and stops), the stock rows locked in SKU order (so concurrent
//! orders for overlapping SKUs queue instead of deadlocking), the ledger entries, and the
//! outgoing event in the outbox.

use std::collections::BTreeMap;

use contracts::order::OrderPlaced;
use contracts::stock::{RejectedLine, StockLow, StockRejected, StockReserved};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::types::Json;
use uuid::Uuid;

use crate::events;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ReservedLine {
    sku: String,
    quantity: i64,
}

/// What happened to an event; every outcome is acknowledged.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Reserved,
    Rejected,
    AlreadyDecided,
    Committed,
    Released,
    NothingToDo,
}

/// Reserves the lines of `order`, or rejects it with a reason per line.
pub async fn reserve(pool: &PgPool, order: &OrderPlaced) -> anyhow::Result<Decision> {
    // The same SKU may appear on several lines: reserve their sum.
    let mut wanted: BTreeMap<String, i64> = BTreeMap::new();
    for line in &order.lines {
        *wanted.entry(line.sku.trim().to_uppercase()).or_default() += i64::from(line.quantity);
    }
    let lines: Vec<ReservedLine> = wanted
        .iter()
        .map(|(sku, quantity)| ReservedLine {
            sku: sku.clone(),
            quantity: *quantity,
        })
        .collect();

    let mut tx = pool.begin().await?;
    let claimed = sqlx::query!(
        "INSERT INTO reservations (order_id, status, lines) VALUES ($1, 'reserved', $2)
         ON CONFLICT (order_id) DO NOTHING",
        order.order_id,
        Json(&lines) as _,
    )
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(Decision::AlreadyDecided);
    }
    let skus: Vec<String> = wanted.keys().cloned().collect();
    let stock = sqlx::query!(
        "SELECT s.sku, s.on_hand, s.reserved, s.low_stock_threshold, p.active
         FROM stock s JOIN products p ON p.sku = s.sku
         WHERE s.sku = ANY($1) ORDER BY s.sku FOR UPDATE OF s",
        &skus,
    )
    .fetch_all(&mut *tx)
    .await?;

    let mut rejected = Vec::new();
    for (sku, quantity) in &wanted {
        let requested = u32::try_from(*quantity).unwrap_or(u32::MAX);
        let (available, reason) = match stock.iter().find(|row| &row.sku == sku) {
            None => (0, Some("unknown-sku")),
            Some(row) if !row.active => (0, Some("inactive-product")),
            Some(row) if row.on_hand - row.reserved < *quantity => {
                (row.on_hand - row.reserved, Some("insufficient-stock"))
            }
            Some(_) => (0, None),
        };
        if let Some(reason) = reason {
            rejected.push(RejectedLine {
                sku: sku.clone(),
                requested,
                available: u32::try_from(available.max(0)).unwrap_or(0),
                reason: reason.into(),
            });
        }
    }
    if !rejected.is_empty() {
        sqlx::query!(
            "UPDATE reservations SET status = 'rejected', updated_at = now() WHERE order_id = $1",
            order.order_id
        )
        .execute(&mut *tx)
        .await?;
        events::record(
            &mut tx,
            &StockRejected {
                order_id: order.order_id,
                lines: rejected,
            },
        )
        .await?;
        tx.commit().await?;
        return Ok(Decision::Rejected);
    }
    for row in &stock {
        let quantity = wanted[&row.sku];
        sqlx::query!(
            "UPDATE stock SET reserved = reserved + $2, updated_at = now() WHERE sku = $1",
            row.sku,
            quantity
        )
        .execute(&mut *tx)
        .await?;
        ledger(
            &mut tx,
            &row.sku,
            0,
            quantity,
            "reservation",
            order.order_id,
        )
        .await?;
        let (before, after) = (
            row.on_hand - row.reserved,
            row.on_hand - row.reserved - quantity,
        );
        if before >= row.low_stock_threshold && after < row.low_stock_threshold {
            events::record(
                &mut tx,
                &StockLow {
                    sku: row.sku.clone(),
                    available: after,
                    threshold: row.low_stock_threshold,
                },
            )
            .await?;
        }
    }
    events::record(
        &mut tx,
        &StockReserved {
            order_id: order.order_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Decision::Reserved)
}

async fn ledger(
    tx: &mut sqlx::PgConnection,
    sku: &str,
    on_hand_delta: i64,
    reserved_delta: i64,
    reason: &str,
    order_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO stock_ledger (sku, on_hand_delta, reserved_delta, reason, actor, order_id)
         VALUES ($1, $2, $3, $4, 'order-saga', $5)",
        sku,
        on_hand_delta,
        reserved_delta,
        reason,
        order_id,
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Moves a reservation on: `committed` (the stock leaves) or `released` (it returns).
/// Only a `reserved` reservation moves; anything else (unknown, rejected, already moved) is a
/// redelivery or an order that never held stock, and changes nothing.
pub async fn settle(pool: &PgPool, order_id: Uuid, commit: bool) -> anyhow::Result<Decision> {
    let mut tx = pool.begin().await?;
    let next = if commit { "committed" } else { "released" };
    let Some(row) = sqlx::query!(
        r#"UPDATE reservations SET status = $2, updated_at = now()
           WHERE order_id = $1 AND status = 'reserved'
           RETURNING lines AS "lines: Json<Vec<ReservedLine>>""#,
        order_id,
        next,
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Decision::NothingToDo);
    };
    let mut lines = row.lines.0;
    lines.sort_by(|a, b| a.sku.cmp(&b.sku)); // lock in SKU order, like reserve
    for line in &lines {
        let on_hand_delta = if commit { -line.quantity } else { 0 };
        sqlx::query!(
            "UPDATE stock SET on_hand = on_hand + $2, reserved = reserved - $3, updated_at = now() WHERE sku = $1",
            line.sku,
            on_hand_delta,
            line.quantity,
        )
        .execute(&mut *tx)
        .await?;
        ledger(
            &mut tx,
            &line.sku,
            on_hand_delta,
            -line.quantity,
            if commit { "commit" } else { "release" },
            order_id,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(if commit {
        Decision::Committed
    } else {
        Decision::Released
    })
}
