//! Reservations: one row per order that asked for stock, keyed by order id, with the decision
//! and the reserved lines.

use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use crate::domain::{ReservedLine, Settlement};

/// Records that `order_id` holds `lines`. `false` when the order already has a reservation
/// (of any status): the event is a redelivery, or the order was decided before.
pub async fn claim(
    tx: &mut PgConnection,
    order_id: Uuid,
    lines: &[ReservedLine],
) -> sqlx::Result<bool> {
    let claimed = sqlx::query!(
        "INSERT INTO reservations (order_id, status, lines) VALUES ($1, 'reserved', $2)
         ON CONFLICT (order_id) DO NOTHING",
        order_id,
        Json(lines) as _,
    )
    .execute(tx)
    .await?;
    Ok(claimed.rows_affected() > 0)
}

pub async fn mark_rejected(tx: &mut PgConnection, order_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE reservations SET status = 'rejected', updated_at = now() WHERE order_id = $1",
        order_id
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Settles the order's reservation if it is in the status `settlement` applies to (`reserved`;
/// `committed` for a return) and answers its lines; `None` when the order has no reservation in
/// that status (unknown, rejected, or already settled).
pub async fn settle(
    tx: &mut PgConnection,
    order_id: Uuid,
    settlement: Settlement,
) -> sqlx::Result<Option<Vec<ReservedLine>>> {
    let settled = sqlx::query!(
        r#"UPDATE reservations SET status = $2, updated_at = now()
           WHERE order_id = $1 AND status = $3
           RETURNING lines AS "lines: Json<Vec<ReservedLine>>""#,
        order_id,
        settlement.status(),
        settlement.status_before(),
    )
    .fetch_optional(tx)
    .await?;
    Ok(settled.map(|row| row.lines.0))
}
