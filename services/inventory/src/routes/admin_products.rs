//! Managing the catalogue: administrators only (the gateway checks, and so does `Admin`).

use salvo::oapi::ToSchema;
use salvo::oapi::extract::PathParam;
use salvo::prelude::*;
use serde::Deserialize;
use service_runtime::{Admin, ValidJson};
use validator::Validate;

use super::app;
use super::params::Unparsed;
use super::products::Product;
use super::replies::{Created, NoContent};
use crate::domain::{
    Category, Money, NewProduct, PriceFields, ProductChanges, ProductDescription, ProductName, Sku,
    keep,
};
use crate::error::InventoryError;

/// A price in integer minor units (cents) and an ISO 4217 currency code; documented as the
/// [`Money`] it is parsed into, which checks both.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriceInput {
    // JSON Schema's integers include `1234.0`.
    #[serde(deserialize_with = "contracts::whole_number::deserialize")]
    minor_units: i64,
    currency: String,
}

impl PriceInput {
    fn fields(&self) -> PriceFields<'_> {
        PriceFields {
            minor_units: self.minor_units,
            currency: &self.currency,
        }
    }
}

/// The fields are parsed into their domain types (`NewProduct::parse`), which names every invalid
/// one; `Validate` has no rules to add.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProductRequest {
    #[salvo(schema(value_type = Sku))]
    sku: String,
    #[salvo(schema(value_type = ProductName))]
    name: String,
    #[serde(default)]
    #[salvo(schema(value_type = ProductDescription))]
    description: String,
    #[salvo(schema(value_type = Category))]
    category: String,
    #[salvo(schema(value_type = Money))]
    price: PriceInput,
}

/// Adds a product to the catalogue (with no stock yet).
#[endpoint(
    tags("admin"),
    responses((status_code = 201, description = "The product was created", body = Product))
)]
pub async fn create_product(
    admin: Admin,
    body: ValidJson<CreateProductRequest>,
    depot: &mut Depot,
) -> Result<Created<Product>, InventoryError> {
    let request = body.into_inner();
    let product = NewProduct::parse(
        &request.sku,
        &request.name,
        &request.description,
        &request.category,
        request.price.fields(),
    )
    .map_err(InventoryError::Validation)?;
    let created = app(depot)?.create_product(&admin, &product).await?;
    Ok(Created(created.into()))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProductRequest {
    #[salvo(schema(value_type = Option<ProductName>))]
    name: Option<String>,
    #[salvo(schema(value_type = Option<ProductDescription>))]
    description: Option<String>,
    #[salvo(schema(value_type = Option<Category>))]
    category: Option<String>,
    #[salvo(schema(value_type = Option<Money>))]
    price: Option<PriceInput>,
    active: Option<bool>,
}

/// Changes some fields of a product; absent fields stay as they are.
#[endpoint(
    tags("admin"),
    parameters(("sku", Path, description = "The product's SKU (case does not matter)")),
    responses((status_code = 200, description = "The updated product", body = Product))
)]
pub async fn update_product(
    _admin: Admin,
    sku: PathParam<Unparsed<Sku>>,
    body: ValidJson<UpdateProductRequest>,
    depot: &mut Depot,
) -> Result<Json<Product>, InventoryError> {
    let request = body.into_inner();
    let mut errors = Vec::new();
    let sku = keep(Sku::parse(sku.into_inner().as_str()), &mut errors);
    let changes = ProductChanges::parse(
        request.name.as_deref(),
        request.description.as_deref(),
        request.category.as_deref(),
        request.price.as_ref().map(PriceInput::fields),
        request.active,
    )
    .map_err(|invalid| errors.extend(invalid))
    .ok();
    let (Some(sku), Some(changes)) = (sku, changes) else {
        return Err(InventoryError::Validation(errors));
    };
    let updated = app(depot)?.update_product(&sku, &changes).await?;
    Ok(Json(updated.into()))
}

/// Takes a product out of the catalogue. It is kept (orders refer to it) but no longer listed.
#[endpoint(
    tags("admin"),
    parameters(("sku", Path, description = "The product's SKU (case does not matter)")),
    responses((status_code = 204, description = "The product is inactive"))
)]
pub async fn deactivate_product(
    _admin: Admin,
    sku: PathParam<Unparsed<Sku>>,
    depot: &mut Depot,
) -> Result<NoContent, InventoryError> {
    let sku = Sku::parse(sku.into_inner().as_str())?;
    app(depot)?
        .update_product(&sku, &ProductChanges::deactivate())
        .await?;
    Ok(NoContent)
}
