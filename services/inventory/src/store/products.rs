//! The product catalogue: products, with what is available of each.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::{
    Cursor, CursorKey, NewProduct, ProductChanges, ProductFilter, ProductSort, Sku,
};

/// A product as the catalogue shows it.
#[derive(Debug, Clone)]
pub struct ProductRecord {
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub price_minor: i64,
    pub currency: String,
    pub active: bool,
    /// On hand minus reserved.
    pub available: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    #[error("a product with this SKU exists")]
    SkuTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a product with an empty stock row.
pub async fn insert_product(
    pool: &PgPool,
    product: &NewProduct,
) -> Result<ProductRecord, InsertError> {
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
            return Err(InsertError::SkuTaken);
        }
        other => other?,
    };
    sqlx::query!("INSERT INTO stock (sku) VALUES ($1)", product.sku.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(find_product(pool, &product.sku)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?)
}

pub async fn find_product(pool: &PgPool, sku: &Sku) -> sqlx::Result<Option<ProductRecord>> {
    sqlx::query_as!(
        ProductRecord,
        r#"SELECT p.product_id, p.sku, p.name, p.description, p.category, p.price_minor,
                  p.currency AS "currency!", p.active, p.created_at, p.updated_at,
                  COALESCE(s.on_hand - s.reserved, 0) AS "available!"
           FROM products p LEFT JOIN stock s ON s.sku = p.sku
           WHERE p.sku = $1"#,
        sku.as_str(),
    )
    .fetch_optional(pool)
    .await
}

/// Applies `changes`; `None` when no product has this SKU.
pub async fn update_product(
    pool: &PgPool,
    sku: &Sku,
    changes: &ProductChanges,
) -> sqlx::Result<Option<ProductRecord>> {
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
        return Ok(None);
    }
    find_product(pool, sku).await
}

/// At most `limit` active products matching `filter`, in `sort` order, after `after`.
///
/// Keyset pagination: the page starts strictly after the last row of the previous page, by
/// (sort key, product id). Unlike an offset, that stays correct while rows are inserted or
/// deleted before the current position, and every query is an index range scan.
///
/// There is one query per sort order, and the four differ only in the sort key of their keyset
/// condition and `ORDER BY`. They stay four literal queries on purpose: `sqlx::query!` checks
/// only literal SQL at compile time, a column or direction cannot be a bind parameter, and each
/// literal matches one index of the migration, which a query assembled at run time would hide.
pub async fn list_products(
    pool: &PgPool,
    filter: &ProductFilter,
    sort: ProductSort,
    after: Option<&Cursor>,
    limit: u32,
) -> sqlx::Result<Vec<ProductRecord>> {
    let category = filter.category.as_ref().map(|c| c.as_str());
    let text = filter.text.as_ref().map(|t| t.as_str());
    let limit = i64::from(limit);
    let after_id = after.map(|c| c.product_id);
    let (after_name, after_price, after_created) = match after.map(|c| &c.key) {
        Some(CursorKey::Name(name)) => (Some(name.as_str()), None, None),
        Some(CursorKey::Price(price)) => (None, Some(*price), None),
        Some(CursorKey::CreatedAt(at)) => (None, None, Some(*at)),
        None => (None, None, None),
    };
    match sort {
        ProductSort::Name => {
            sqlx::query_as!(
                ProductRecord,
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
            .await
        }
        ProductSort::PriceAsc => {
            sqlx::query_as!(
                ProductRecord,
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
            .await
        }
        ProductSort::PriceDesc => {
            sqlx::query_as!(
                ProductRecord,
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
            .await
        }
        ProductSort::Newest => {
            sqlx::query_as!(
                ProductRecord,
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
            .await
        }
    }
}

/// The price and availability of a product, for a quote.
#[derive(Debug, Clone)]
pub struct Offer {
    pub sku: String,
    pub price_minor: i64,
    pub currency: String,
    pub name: String,
    pub category: String,
    pub active: bool,
    pub available: i64,
}

/// The offers for `skus`, read at once (one consistent snapshot); unknown SKUs have none.
pub async fn offers(pool: &PgPool, skus: &[String]) -> sqlx::Result<Vec<Offer>> {
    sqlx::query_as!(
        Offer,
        r#"SELECT p.sku AS "sku!", p.price_minor AS "price_minor!", p.currency AS "currency!",
                  p.name AS "name!", p.category AS "category!", p.active AS "active!",
                  COALESCE(s.on_hand - s.reserved, 0) AS "available!"
           FROM products p LEFT JOIN stock s ON s.sku = p.sku
           WHERE p.sku = ANY($1)"#,
        skus,
    )
    .fetch_all(pool)
    .await
}
