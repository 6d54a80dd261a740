//! Managing the catalog: administrators only (the gateway checks, and so does this service).

use salvo::http::StatusCode;
use salvo::oapi::ToSchema;
use salvo::oapi::extract::PathParam;
use salvo::prelude::*;
use serde::Deserialize;
use service_runtime::Problem;
use validator::Validate;

use crate::domain::{Category, Currency, FieldError, Money, ProductDescription, ProductName, Sku};
use crate::error::InventoryError;
use crate::routes::body::{keep, parse_valid};
use crate::routes::context::{pool, require_admin};
use crate::store::{self, NewProduct, Product, ProductChanges};

/// A price in integer minor units (cents) and an ISO 4217 currency code.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceInput {
    minor_units: i64,
    #[validate(length(equal = 3, message = "must be a three-letter ISO 4217 code"))]
    currency: String,
}

impl PriceInput {
    fn parse(&self, errors: &mut Vec<FieldError>) -> Option<Money> {
        let currency = keep(Currency::parse(&self.currency), errors)?;
        keep(Money::new(self.minor_units, currency), errors)
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProductRequest {
    sku: String,
    name: String,
    #[serde(default)]
    description: String,
    category: String,
    #[validate(nested)]
    price: PriceInput,
}

/// Adds a product to the catalog (with no stock yet).
#[endpoint(
    tags("admin"),
    security(("bearer" = [])),
    request_body = CreateProductRequest,
    responses(
        (status_code = 201, description = "The product was created", body = Product),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 403, description = "The caller is not an administrator", content_type = "application/problem+json", body = Problem),
        (status_code = 409, description = "A product with this SKU exists", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Some fields are invalid", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn create_product(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), InventoryError> {
    let admin = require_admin(req)?;
    let request: CreateProductRequest = parse_valid(req).await?;
    let mut errors = Vec::new();
    let product = (
        keep(Sku::parse(&request.sku), &mut errors),
        keep(ProductName::parse(&request.name), &mut errors),
        keep(ProductDescription::parse(&request.description), &mut errors),
        keep(Category::parse(&request.category), &mut errors),
        request.price.parse(&mut errors),
    );
    let (Some(sku), Some(name), Some(description), Some(category), Some(price)) = product else {
        return Err(InventoryError::Validation(errors));
    };
    let created = store::insert_product(
        pool(depot)?,
        &NewProduct {
            sku,
            name,
            description,
            category,
            price,
        },
    )
    .await?;
    tracing::info!(sku = %created.sku, %admin, "product created");
    res.status_code(StatusCode::CREATED);
    res.render(Json(created));
    Ok(())
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProductRequest {
    name: Option<String>,
    description: Option<String>,
    category: Option<String>,
    #[validate(nested)]
    price: Option<PriceInput>,
    active: Option<bool>,
}

/// Changes some fields of a product; absent fields stay as they are.
#[endpoint(
    tags("admin"),
    security(("bearer" = [])),
    request_body = UpdateProductRequest,
    responses(
        (status_code = 200, description = "The updated product", body = Product),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 403, description = "The caller is not an administrator", content_type = "application/problem+json", body = Problem),
        (status_code = 404, description = "No product has this SKU", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Some fields are invalid", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn update_product(
    sku: PathParam<String>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), InventoryError> {
    require_admin(req)?;
    let request: UpdateProductRequest = parse_valid(req).await?;
    let mut errors = Vec::new();
    let sku = keep(Sku::parse(&sku.into_inner()), &mut errors);
    let changes = ProductChanges {
        name: request
            .name
            .and_then(|v| keep(ProductName::parse(&v), &mut errors)),
        description: request
            .description
            .and_then(|v| keep(ProductDescription::parse(&v), &mut errors)),
        category: request
            .category
            .and_then(|v| keep(Category::parse(&v), &mut errors)),
        price: request.price.and_then(|p| p.parse(&mut errors)),
        active: request.active,
    };
    let Some(sku) = sku.filter(|_| errors.is_empty()) else {
        return Err(InventoryError::Validation(errors));
    };
    res.render(Json(
        store::update_product(pool(depot)?, &sku, changes).await?,
    ));
    Ok(())
}

/// Takes a product out of the catalog. It is kept (orders refer to it) but no longer listed.
#[endpoint(
    tags("admin"),
    security(("bearer" = [])),
    responses(
        (status_code = 204, description = "The product is inactive"),
        (status_code = 403, description = "The caller is not an administrator", content_type = "application/problem+json", body = Problem),
        (status_code = 404, description = "No product has this SKU", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Not a valid SKU", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn deactivate_product(
    sku: PathParam<String>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), InventoryError> {
    require_admin(req)?;
    let sku = Sku::parse(&sku.into_inner()).map_err(|e| InventoryError::Validation(vec![e]))?;
    let changes = ProductChanges {
        name: None,
        description: None,
        category: None,
        price: None,
        active: Some(false),
    };
    store::update_product(pool(depot)?, &sku, changes).await?;
    res.status_code(StatusCode::NO_CONTENT);
    Ok(())
}
