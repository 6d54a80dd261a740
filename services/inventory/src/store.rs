//! SQL for the inventory database, checked at compile time (`sqlx::query!` with the offline data
//! in `.sqlx/`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::{
    Category, Cursor, CursorKey, Money, PageSize, ProductDescription, ProductName, ProductSort, Sku,
};
use crate::error::InventoryError;

/// A price as the API shows it.
#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    pub minor_units: i64,
    pub currency: String,
}

/// A product as the catalog shows it.
#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub price: Price,
    pub active: bool,
    /// On hand minus reserved.
    pub available: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

struct ProductRow {
    product_id: Uuid,
    sku: String,
    name: String,
    description: String,
    category: String,
    price_minor: i64,
    currency: String,
    active: bool,
    available: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ProductRow> for Product {
    fn from(row: ProductRow) -> Self {
        Self {
            product_id: row.product_id,
            sku: row.sku,
            name: row.name,
            description: row.description,
            category: row.category,
            price: Price {
                minor_units: row.price_minor,
                currency: row.currency,
            },
            active: row.active,
            available: row.available,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub struct NewProduct {
    pub sku: Sku,
    pub name: ProductName,
    pub description: ProductDescription,
    pub category: Category,
    pub price: Money,
}

/// Creates a product with an empty stock row; a second product with the same SKU is `SkuTaken`.
pub async fn insert_product(
    pool: &PgPool,
    product: &NewProduct,
) -> Result<Product, InventoryError> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query!(
        "INSERT INTO products (product_id, sku, name, description, category, price_minor, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Uuid::now_v7(),
        product.sku.as_str(),
        product.name.as_str(),
        product.description.as_str(),
        product.category.as_str(),
        product.price.minor_units(),
        product.price.currency().as_str(),
    )
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            return Err(InventoryError::SkuTaken(product.sku.as_str().to_owned()));
        }
        other => other?,
    };
    sqlx::query!("INSERT INTO stock (sku) VALUES ($1)", product.sku.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    find_product(pool, &product.sku).await
}

pub async fn find_product(pool: &PgPool, sku: &Sku) -> Result<Product, InventoryError> {
    sqlx::query_as!(
        ProductRow,
        r#"SELECT p.product_id, p.sku, p.name, p.description, p.category, p.price_minor,
                  p.currency AS "currency!", p.active, p.created_at, p.updated_at,
                  COALESCE(s.on_hand - s.reserved, 0) AS "available!"
           FROM products p LEFT JOIN stock s ON s.sku = p.sku
           WHERE p.sku = $1"#,
        sku.as_str(),
    )
    .fetch_optional(pool)
    .await?
    .map(Product::from)
    .ok_or_else(|| InventoryError::UnknownSku(sku.as_str().to_owned()))
}

/// Changes to a product; `None` leaves a field as it is.
pub struct ProductChanges {
    pub name: Option<ProductName>,
    pub description: Option<ProductDescription>,
    pub category: Option<Category>,
    pub price: Option<Money>,
    pub active: Option<bool>,
}

pub async fn update_product(
    pool: &PgPool,
    sku: &Sku,
    changes: ProductChanges,
) -> Result<Product, InventoryError> {
    let updated = sqlx::query!(
        "UPDATE products SET
             name = COALESCE($2, name),
             description = COALESCE($3, description),
             category = COALESCE($4, category),
             price_minor = COALESCE($5, price_minor),
             currency = COALESCE($6, currency),
             active = COALESCE($7, active),
             updated_at = now()
         WHERE sku = $1",
        sku.as_str(),
        changes.name.as_ref().map(|v| v.as_str()),
        changes.description.as_ref().map(|v| v.as_str()),
        changes.category.as_ref().map(|v| v.as_str()),
        changes.price.as_ref().map(|p| p.minor_units()),
        changes.price.as_ref().map(|p| p.currency().as_str()),
        changes.active,
    )
    .execute(pool)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(InventoryError::UnknownSku(sku.as_str().to_owned()));
    }
    find_product(pool, sku).await
}

/// What a catalog listing is filtered by.
pub struct ProductFilter {
    pub category: Option<Category>,
    pub text: Option<String>,
    pub min_price_minor: Option<i64>,
    pub max_price_minor: Option<i64>,
    pub in_stock_only: bool,
}

/// One page of active products in `sort` order, after `cursor`.
///
/// Keyset pagination: the page starts strictly after the last row of the previous page, by
/// (sort key, product id). Unlike an offset, that stays correct while rows are inserted or
/// deleted before the current position, and every query is an index range scan. There is one
/// statically checked query per sort order (each matches one index in the migration).
pub async fn list_products(
    pool: &PgPool,
    filter: &ProductFilter,
    sort: ProductSort,
    after: Option<&Cursor>,
    page_size: PageSize,
) -> Result<Vec<Product>, InventoryError> {
    let category = filter.category.as_ref().map(|c| c.as_str());
    let text = filter.text.as_deref();
    let limit = i64::from(page_size.get());
    let after_id = after.map(|c| c.product_id);
    let (after_name, after_price, after_created) = match after.map(|c| &c.key) {
        Some(CursorKey::Name(name)) => (Some(name.as_str()), None, None),
        Some(CursorKey::Price(price)) => (None, Some(*price), None),
        Some(CursorKey::CreatedAt(at)) => (None, None, Some(*at)),
        None => (None, None, None),
    };
    let rows = match sort {
        ProductSort::Name => {
            sqlx::query_as!(
                ProductRow,
                r#"SELECT p.product_id, p.sku, p.name, p.description, p.category, p.price_minor,
                          p.currency AS "currency!", p.active, p.created_at, p.updated_at,
                          COALESCE(s.on_hand - s.reserved, 0) AS "available!"
                   FROM products p LEFT JOIN stock s ON s.sku = p.sku
                   WHERE p.active
                     AND ($1::text IS NULL OR p.category = $1)
                     AND ($2::text IS NULL OR p.search @@ websearch_to_tsquery('english', $2) OR p.name ILIKE '%' || $2 || '%')
                     AND ($3::bigint IS NULL OR p.price_minor >= $3)
                     AND ($4::bigint IS NULL OR p.price_minor <= $4)
                     AND (NOT $5 OR COALESCE(s.on_hand - s.reserved, 0) > 0)
                     AND ($6::uuid IS NULL OR (p.name, p.product_id) > ($7::text, $6::uuid))
                   ORDER BY p.name, p.product_id
                   LIMIT $8"#,
                category, text, filter.min_price_minor, filter.max_price_minor, filter.in_stock_only,
                after_id, after_name, limit,
            )
            .fetch_all(pool)
            .await?
        }
        ProductSort::PriceAsc => {
            sqlx::query_as!(
                ProductRow,
                r#"SELECT p.product_id, p.sku, p.name, p.description, p.category, p.price_minor,
                          p.currency AS "currency!", p.active, p.created_at, p.updated_at,
                          COALESCE(s.on_hand - s.reserved, 0) AS "available!"
                   FROM products p LEFT JOIN stock s ON s.sku = p.sku
                   WHERE p.active
                     AND ($1::text IS NULL OR p.category = $1)
                     AND ($2::text IS NULL OR p.search @@ websearch_to_tsquery('english', $2) OR p.name ILIKE '%' || $2 || '%')
                     AND ($3::bigint IS NULL OR p.price_minor >= $3)
                     AND ($4::bigint IS NULL OR p.price_minor <= $4)
                     AND (NOT $5 OR COALESCE(s.on_hand - s.reserved, 0) > 0)
                     AND ($6::uuid IS NULL OR (p.price_minor, p.product_id) > ($7::bigint, $6::uuid))
                   ORDER BY p.price_minor, p.product_id
                   LIMIT $8"#,
                category, text, filter.min_price_minor, filter.max_price_minor, filter.in_stock_only,
                after_id, after_price, limit,
            )
            .fetch_all(pool)
            .await?
        }
        ProductSort::PriceDesc => {
            sqlx::query_as!(
                ProductRow,
                r#"SELECT p.product_id, p.sku, p.name, p.description, p.category, p.price_minor,
                          p.currency AS "currency!", p.active, p.created_at, p.updated_at,
                          COALESCE(s.on_hand - s.reserved, 0) AS "available!"
                   FROM products p LEFT JOIN stock s ON s.sku = p.sku
                   WHERE p.active
                     AND ($1::text IS NULL OR p.category = $1)
                     AND ($2::text IS NULL OR p.search @@ websearch_to_tsquery('english', $2) OR p.name ILIKE '%' || $2 || '%')
                     AND ($3::bigint IS NULL OR p.price_minor >= $3)
                     AND ($4::bigint IS NULL OR p.price_minor <= $4)
                     AND (NOT $5 OR COALESCE(s.on_hand - s.reserved, 0) > 0)
                     AND ($6::uuid IS NULL OR (p.price_minor, p.product_id) < ($7::bigint, $6::uuid))
                   ORDER BY p.price_minor DESC, p.product_id DESC
                   LIMIT $8"#,
                category, text, filter.min_price_minor, filter.max_price_minor, filter.in_stock_only,
                after_id, after_price, limit,
            )
            .fetch_all(pool)
            .await?
        }
        ProductSort::Newest => {
            sqlx::query_as!(
                ProductRow,
                r#"SELECT p.product_id, p.sku, p.name, p.description, p.category, p.price_minor,
                          p.currency AS "currency!", p.active, p.created_at, p.updated_at,
                          COALESCE(s.on_hand - s.reserved, 0) AS "available!"
                   FROM products p LEFT JOIN stock s ON s.sku = p.sku
                   WHERE p.active
                     AND ($1::text IS NULL OR p.category = $1)
                     AND ($2::text IS NULL OR p.search @@ websearch_to_tsquery('english', $2) OR p.name ILIKE '%' || $2 || '%')
                     AND ($3::bigint IS NULL OR p.price_minor >= $3)
                     AND ($4::bigint IS NULL OR p.price_minor <= $4)
                     AND (NOT $5 OR COALESCE(s.on_hand - s.reserved, 0) > 0)
                     AND ($6::uuid IS NULL OR (p.created_at, p.product_id) < ($7::timestamptz, $6::uuid))
                   ORDER BY p.created_at DESC, p.product_id DESC
                   LIMIT $8"#,
                category, text, filter.min_price_minor, filter.max_price_minor, filter.in_stock_only,
                after_id, after_created, limit,
            )
            .fetch_all(pool)
            .await?
        }
    };
    Ok(rows.into_iter().map(Product::from).collect())
}
