//! Browsing the catalogue: open to everyone.

use chrono::{DateTime, Utc};
use salvo::oapi::ToSchema;
use salvo::oapi::extract::{PathParam, QueryParam};
use salvo::prelude::*;
use serde::Serialize;
use service_runtime::Limit;
use uuid::Uuid;

use super::app;
use super::params::{PriceBound, Unparsed, present_or_refused};
use crate::app::ProductPage as Page;
use crate::domain::{
    Category, Cursor, FieldError, Money, ProductFilter, ProductSort, SearchText, Sku, keep,
};
use crate::error::InventoryError;
use crate::store::products::ProductRecord;

/// Enough for a grid of products on one screen; larger pages make one request cost as much as
/// many, and nobody scrolls through more at once.
pub type PageSize = Limit<20, 100>;

/// A price as the API shows it (documented as the [`Money`] it was parsed into when stored).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    pub minor_units: i64,
    pub currency: String,
}

/// A product as the catalogue shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub product_id: Uuid,
    #[salvo(schema(value_type = Sku))]
    pub sku: String,
    pub name: String,
    pub description: String,
    #[salvo(schema(value_type = Category))]
    pub category: String,
    #[salvo(schema(value_type = Money))]
    pub price: Price,
    pub active: bool,
    /// On hand minus reserved.
    pub available: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ProductRecord> for Product {
    fn from(record: ProductRecord) -> Self {
        Self {
            product_id: record.product_id,
            sku: record.sku,
            name: record.name,
            description: record.description,
            category: record.category,
            price: Price {
                minor_units: record.price_minor,
                currency: record.currency,
            },
            active: record.active,
            available: record.available,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ProductPage {
    items: Vec<Product>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// Lists active products, filtered and sorted, one page at a time (keyset pagination).
///
/// `q` searches names and descriptions (full text, plus partial words in names); `min_price`
/// and `max_price` are inclusive, in minor units; `in_stock=true` hides what cannot be bought
/// now. Every invalid parameter is named in one 422.
#[endpoint(
    tags("catalog"),
    parameters(
        ("category", Query, description = "Only products in this category"),
        ("q", Query, description = "Words to search names and descriptions for"),
        ("min_price", Query, description = "The lowest price, in minor units"),
        ("max_price", Query, description = "The highest price, in minor units"),
        ("in_stock", Query, description = "`true`: only what can be bought now"),
        ("sort", Query, description = "The order of the listing (`name` if absent)"),
        ("cursor", Query, description = "`nextCursor` of the previous page, for the same sort"),
        ("limit", Query, description = "How many products one page holds"),
    ),
    responses((status_code = 200, description = "One page of products", body = ProductPage))
)]
#[allow(clippy::too_many_arguments)] // one argument per documented query parameter
pub async fn list_products(
    category: QueryParam<Unparsed<Category>, false>,
    q: QueryParam<Unparsed<SearchText>, false>,
    min_price: QueryParam<PriceBound, false>,
    max_price: QueryParam<PriceBound, false>,
    in_stock: QueryParam<bool, false>,
    sort: QueryParam<Unparsed<ProductSort>, false>,
    cursor: QueryParam<String, false>,
    limit: QueryParam<PageSize, false>,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<ProductPage>, InventoryError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let category = category
        .into_inner()
        .and_then(|c| keep(Category::parse(c.as_str()), &mut errors));
    let sort = sort.into_inner();
    let sort = keep(
        ProductSort::parse(sort.as_ref().map(Unparsed::as_str)),
        &mut errors,
    )
    .unwrap_or_default();
    let limit = keep(PageSize::get(limit.into_inner()), &mut errors).unwrap_or_default();
    let after = cursor
        .into_inner()
        .and_then(|c| keep(Cursor::decode(&c, sort), &mut errors));
    let mut price_bound = |field, bound| {
        keep(
            present_or_refused(req, field, bound, "an integer"),
            &mut errors,
        )
        .flatten()
        .and_then(|PriceBound(b)| keep(ProductFilter::price_bound(field, b), &mut errors))
    };
    let min_price_minor = price_bound("min_price", min_price);
    let max_price_minor = price_bound("max_price", max_price);
    let in_stock_only = keep(
        present_or_refused(req, "in_stock", in_stock, "true or false"),
        &mut errors,
    )
    .flatten()
    .unwrap_or(false);
    let text = q
        .into_inner()
        .and_then(|q| keep(SearchText::parse(q.as_str()), &mut errors))
        .flatten();
    if !errors.is_empty() {
        return Err(InventoryError::Validation(errors));
    }
    let filter = ProductFilter {
        category,
        text,
        min_price_minor,
        max_price_minor,
        in_stock_only,
    };
    let Page { items, next_cursor } = app(depot)?
        .list_products(&filter, sort, after.as_ref(), limit)
        .await?;
    Ok(Json(ProductPage {
        items: items.into_iter().map(Product::from).collect(),
        next_cursor: next_cursor.map(|c| c.encode()),
    }))
}

/// One product by SKU (inactive ones too, so old orders can show what they bought).
#[endpoint(
    tags("catalog"),
    parameters(("sku", Path, description = "The product's SKU (case does not matter)")),
    responses((status_code = 200, description = "The product", body = Product))
)]
pub async fn get_product(
    sku: PathParam<Unparsed<Sku>>,
    depot: &mut Depot,
) -> Result<Json<Product>, InventoryError> {
    let sku = Sku::parse(sku.as_str())?;
    Ok(Json(app(depot)?.product(&sku).await?.into()))
}
