//! Reserving stock for orders: all lines or none, idempotent by order id.
//!
//! Every decision is one database transaction: the reservation row (keyed by order id, so a
//! redelivered event finds it and stops), the stock rows locked in SKU order, the ledger entries,
//! and the outgoing event in the outbox, so the decision is announced if and only if it stands.

use contracts::order::OrderPlaced;
use contracts::stock::{StockRejected, StockReserved};
use uuid::Uuid;

use super::App;
use crate::domain::{Settlement, Wanted, low_stock_after, shortfalls};
use crate::events;
use crate::store::reservations;
use crate::store::stock::{self, LedgerEntry};

/// Who the ledger says moved stock for an order.
const SAGA_ACTOR: &str = "order-saga";

/// What an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Reserved,
    Rejected,
    /// The order already has a reservation: a redelivery, nothing changed.
    AlreadyDecided,
    Committed,
    Released,
    /// A confirmed order was cancelled: its committed stock is back on hand.
    Returned,
    /// No reserved stock to settle: a redelivery, or an order that never held stock.
    NothingToDo,
}

impl App {
    /// Reserves every line of `order`, or rejects it with a reason per line.
    pub async fn reserve(&self, order: &OrderPlaced) -> anyhow::Result<Decision> {
        let wanted = Wanted::of(&order.lines);
        let mut tx = self.pool.begin().await?;
        if !reservations::claim(&mut tx, order.order_id, wanted.lines()).await? {
            return Ok(Decision::AlreadyDecided);
        }
        let positions = stock::lock_positions(&mut tx, &wanted.skus()).await?;
        let rejected = shortfalls(&wanted, &positions);
        if !rejected.is_empty() {
            reservations::mark_rejected(&mut tx, order.order_id).await?;
            let rejection = StockRejected {
                order_id: order.order_id,
                lines: rejected,
            };
            events::record(&mut tx, &rejection).await?;
            tx.commit().await?;
            self.outbox.committed();
            return Ok(Decision::Rejected);
        }
        for position in &positions {
            // With no shortfall, every wanted SKU has exactly one position here (in the order
            // the rows were locked).
            let Some(line) = wanted.lines().iter().find(|l| l.sku == position.sku) else {
                continue;
            };
            stock::move_stock(&mut tx, &line.sku, 0, line.quantity).await?;
            stock::record_in_ledger(
                &mut tx,
                LedgerEntry {
                    sku: &line.sku,
                    on_hand_delta: 0,
                    reserved_delta: line.quantity,
                    reason: "reservation",
                    actor: SAGA_ACTOR,
                    order_id: Some(order.order_id),
                },
            )
            .await?;
            if let Some(low) = low_stock_after(position, line.quantity) {
                events::record(&mut tx, &low).await?;
            }
        }
        let reserved = StockReserved {
            order_id: order.order_id,
        };
        events::record(&mut tx, &reserved).await?;
        tx.commit().await?;
        self.outbox.committed();
        Ok(Decision::Reserved)
    }

    /// Settles the order's reservation: committed stock leaves, released stock returns. Only a
    /// `reserved` reservation moves; anything else (unknown, rejected, already settled) is a
    /// redelivery or an order that never held stock, and changes nothing.
    pub async fn settle(&self, order_id: Uuid, settlement: Settlement) -> anyhow::Result<Decision> {
        self.settle_first_that_applies(order_id, &[settlement])
            .await
    }

    /// A cancelled order gives its stock back: what is still reserved is released, and what a
    /// confirmation already committed (a confirmed order cancelled before it shipped) comes
    /// back on hand. Once: a redelivery finds the reservation `released` or `returned`.
    pub async fn settle_cancellation(&self, order_id: Uuid) -> anyhow::Result<Decision> {
        self.settle_first_that_applies(order_id, &[Settlement::Release, Settlement::Return])
            .await
    }

    /// The first of `settlements` that applies to the reservation's status, in one
    /// transaction. (Statuses only move forward, `reserved` → `committed` → `returned`, and the
    /// settling update waits for a concurrent one on the same row, then reads its outcome: so a
    /// cancellation racing a confirmation releases before it or returns after it, never both.)
    async fn settle_first_that_applies(
        &self,
        order_id: Uuid,
        settlements: &[Settlement],
    ) -> anyhow::Result<Decision> {
        let mut tx = self.pool.begin().await?;
        for &settlement in settlements {
            let Some(lines) = reservations::settle(&mut tx, order_id, settlement).await? else {
                continue;
            };
            // Lock the rows the way `reserve` does (the database's order), so that a settlement
            // and a reservation sharing SKUs queue instead of deadlocking.
            let skus: Vec<String> = lines.iter().map(|line| line.sku.clone()).collect();
            stock::lock_positions(&mut tx, &skus).await?;
            for line in &lines {
                let on_hand_delta = settlement.on_hand_delta(line);
                let reserved_delta = settlement.reserved_delta(line);
                stock::move_stock(&mut tx, &line.sku, on_hand_delta, reserved_delta).await?;
                stock::record_in_ledger(
                    &mut tx,
                    LedgerEntry {
                        sku: &line.sku,
                        on_hand_delta,
                        reserved_delta,
                        reason: settlement.ledger_reason(),
                        actor: SAGA_ACTOR,
                        order_id: Some(order_id),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(match settlement {
                Settlement::Commit => Decision::Committed,
                Settlement::Release => Decision::Released,
                Settlement::Return => Decision::Returned,
            });
        }
        Ok(Decision::NothingToDo)
    }
}
