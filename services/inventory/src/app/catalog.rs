//! Browsing and managing the catalogue, and quoting prices for orders.

use contracts::quote::{Quote, QuotedLine};
use service_runtime::Admin;

use super::App;
use crate::domain::{
    Cursor, CursorKey, NewProduct, ProductChanges, ProductFilter, ProductSort, Quantity, Sku,
};
use crate::error::InventoryError;
use crate::store::products::{self, InsertError, ProductRecord};

/// One page of a listing, and where the next one starts (`None` on the last page).
#[derive(Debug)]
pub struct ProductPage {
    pub items: Vec<ProductRecord>,
    pub next_cursor: Option<Cursor>,
}

impl App {
    /// Active products matching `filter`, `limit` at a time, in `sort` order after `after`.
    pub async fn list_products(
        &self,
        filter: &ProductFilter,
        sort: ProductSort,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<ProductPage, InventoryError> {
        let items = products::list_products(&self.pool, filter, sort, after, limit).await?;
        // A full page may have a successor; a short one is the last.
        let next_cursor = (items.len() == limit as usize)
            .then(|| items.last())
            .flatten()
            .map(|last| Cursor {
                sort,
                key: match sort {
                    ProductSort::Name => CursorKey::Name(last.name.clone()),
                    ProductSort::PriceAsc | ProductSort::PriceDesc => {
                        CursorKey::Price(last.price_minor)
                    }
                    ProductSort::Newest => CursorKey::CreatedAt(last.created_at),
                },
                product_id: last.product_id,
            });
        Ok(ProductPage { items, next_cursor })
    }

    /// A product by SKU, inactive ones too (old orders show what they bought).
    pub async fn product(&self, sku: &Sku) -> Result<ProductRecord, InventoryError> {
        products::find_product(&self.pool, sku)
            .await?
            .ok_or_else(|| InventoryError::UnknownSku(sku.clone()))
    }

    /// Adds a product to the catalogue, with no stock yet.
    pub async fn create_product(
        &self,
        admin: &Admin,
        product: &NewProduct,
    ) -> Result<ProductRecord, InventoryError> {
        let created = products::insert_product(&self.pool, product)
            .await
            .map_err(|error| match error {
                InsertError::SkuTaken => InventoryError::SkuTaken(product.sku.clone()),
                InsertError::Database(error) => error.into(),
            })?;
        tracing::info!(sku = %created.sku, admin = %admin.id, "product created");
        Ok(created)
    }

    pub async fn update_product(
        &self,
        sku: &Sku,
        changes: &ProductChanges,
    ) -> Result<ProductRecord, InventoryError> {
        products::update_product(&self.pool, sku, changes)
            .await?
            .ok_or_else(|| InventoryError::UnknownSku(sku.clone()))
    }

    /// The current unit price and availability of every line, from one read. Unknown SKUs are
    /// quoted too (not orderable, no price), so the caller can say which line is wrong.
    pub async fn quote(&self, lines: &[(Sku, Quantity)]) -> Result<Quote, InventoryError> {
        let skus: Vec<String> = lines.iter().map(|(sku, _)| sku.to_string()).collect();
        let offers = products::offers(&self.pool, &skus).await?;
        let lines = lines
            .iter()
            .map(|(sku, quantity)| {
                let offer = offers.iter().find(|offer| offer.sku == sku.as_str());
                let quantity = quantity.get();
                QuotedLine {
                    sku: sku.to_string(),
                    quantity,
                    unit_price_minor: offer.map(|o| o.price_minor),
                    currency: offer.map(|o| o.currency.clone()),
                    product_name: offer.map(|o| o.name.clone()),
                    category: offer.map(|o| o.category.clone()),
                    available: offer.map_or(0, |o| o.available),
                    active: offer.is_some_and(|o| o.active),
                    orderable: offer
                        .is_some_and(|o| o.active && o.available >= i64::from(quantity)),
                }
            })
            .collect();
        Ok(Quote { lines })
    }
}
