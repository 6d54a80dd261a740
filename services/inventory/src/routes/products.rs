//! Browsing the catalog: open to everyone.

use salvo::oapi::ToSchema;
use salvo::oapi::extract::{PathParam, QueryParam};
use salvo::prelude::*;
use serde::Serialize;
use service_runtime::Problem;

use crate::domain::{Category, Cursor, CursorKey, FieldError, PageSize, ProductSort, Sku};
use crate::error::InventoryError;
use crate::routes::body::keep;
use crate::routes::context::pool;
use crate::store::{self, Product, ProductFilter};

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
/// and `max_price` are in minor units; `in_stock=true` hides what cannot be bought now; `sort` is `name` (default), `price`, `-price` or `newest`; `limit` is 1 to 100.
#[endpoint(
    tags("catalog"),
    responses(
        (status_code = 200, description = "One page of products", body = ProductPage),
        (status_code = 400, description = "A query parameter is not of its type", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "A query parameter is out of range, or the cursor is not valid for this sort", content_type = "application/problem+json", body = Problem),
    )
)]
#[allow(clippy::too_many_arguments)] // one argument per documented query parameter
pub async fn list_products(
    category: QueryParam<String, false>,
    q: QueryParam<String, false>,
    min_price: QueryParam<i64, false>,
    max_price: QueryParam<i64, false>,
    in_stock: QueryParam<bool, false>,
    sort: QueryParam<String, false>,
    cursor: QueryParam<String, false>,
    limit: QueryParam<u32, false>,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), InventoryError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let category = category
        .into_inner()
        .and_then(|c| keep(Category::parse(&c), &mut errors));
    let sort = keep(
        ProductSort::parse(sort.into_inner().as_deref()),
        &mut errors,
    )
    .unwrap_or_default();
    let page_size = keep(PageSize::parse(limit.into_inner()), &mut errors).unwrap_or_default();
    let after = cursor
        .into_inner()
        .and_then(|c| keep(Cursor::decode(&c, sort), &mut errors));
    let (min_price, max_price) = (min_price.into_inner(), max_price.into_inner());
    for (field, value) in [("min_price", min_price), ("max_price", max_price)] {
        if value.is_some_and(|v| v < 0) {
            errors.push(FieldError {
                field,
                message: "must not be negative".into(),
            });
        }
    }
    let text = q
        .into_inner()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        errors.push(FieldError {
            field: "q",
            message: "must be at most 200 characters".into(),
        });
    }
    if !errors.is_empty() {
        return Err(InventoryError::Validation(errors));
    }
    let filter = ProductFilter {
        category,
        text,
        min_price_minor: min_price,
        max_price_minor: max_price,
        in_stock_only: in_stock.into_inner().unwrap_or(false),
    };
    let items =
        store::list_products(pool(depot)?, &filter, sort, after.as_ref(), page_size).await?;
    let next_cursor = (items.len() == page_size.get() as usize)
        .then(|| items.last())
        .flatten()
        .map(|last| {
            let key = match sort {
                ProductSort::Name => CursorKey::Name(last.name.clone()),
                ProductSort::PriceAsc | ProductSort::PriceDesc => {
                    CursorKey::Price(last.price.minor_units)
                }
                ProductSort::Newest => CursorKey::CreatedAt(last.created_at),
            };
            Cursor {
                sort,
                key,
                product_id: last.product_id,
            }
            .encode()
        });
    res.render(Json(ProductPage { items, next_cursor }));
    Ok(())
}

/// One product by SKU (inactive ones too, so old orders can show what they bought).
#[endpoint(
    tags("catalog"),
    responses(
        (status_code = 200, description = "The product", body = Product),
        (status_code = 404, description = "No product has this SKU", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Not a valid SKU", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn get_product(
    sku: PathParam<String>,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), InventoryError> {
    let sku = Sku::parse(&sku.into_inner()).map_err(|e| InventoryError::Validation(vec![e]))?;
    res.render(Json(store::find_product(pool(depot)?, &sku).await?));
    Ok(())
}
