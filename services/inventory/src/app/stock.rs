//! Stock administration: the numbers of a SKU with their ledger, and an administrator's
//! restocks and corrections, each recorded in the ledger with who, when and why.

use service_runtime::Admin;

use super::App;
use crate::domain::{FieldError, Sku, StockDelta};
use crate::error::InventoryError;
use crate::store::stock::{self, LedgerEntry, LedgerRecord, StockRecord};

/// The stock of a SKU and every change to it, so the numbers can be audited.
#[derive(Debug)]
pub struct StockLevel {
    pub stock: StockRecord,
    pub ledger: Vec<LedgerRecord>,
}

impl App {
    pub async fn stock_level(&self, sku: &Sku) -> Result<StockLevel, InventoryError> {
        let stock = stock::find_stock(&self.pool, sku)
            .await?
            .ok_or_else(|| InventoryError::UnknownSku(sku.clone()))?;
        let ledger = stock::ledger(&self.pool, sku).await?;
        Ok(StockLevel { stock, ledger })
    }

    /// Adds `delta` to the stock on hand (or removes it), recording `reason` and the
    /// administrator in the ledger. Stock reserved for orders cannot be removed.
    pub async fn adjust_stock(
        &self,
        admin: &Admin,
        sku: &Sku,
        delta: StockDelta,
        reason: &str,
    ) -> Result<StockLevel, InventoryError> {
        let delta = i64::from(delta.get());
        let mut tx = self.pool.begin().await?;
        if !stock::adjust_on_hand(&mut tx, sku, delta).await? {
            // Either no such SKU (404), or the change would take away reserved stock (422).
            self.stock_level(sku).await?;
            return Err(InventoryError::Validation(vec![FieldError::new(
                "delta",
                "would remove stock that is reserved for orders",
            )]));
        }
        stock::record_in_ledger(
            &mut tx,
            LedgerEntry {
                sku: sku.as_str(),
                on_hand_delta: delta,
                reserved_delta: 0,
                reason,
                actor: &format!("admin:{}", admin.id),
                order_id: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.stock_level(sku).await
    }
}
