//! The inventory service's one error type, and how each case looks on the wire.

use salvo::http::StatusCode;
use service_runtime::Problem;

use crate::domain::{FieldError, Sku};

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("a product with SKU {0} exists")]
    SkuTaken(Sku),
    #[error("no product with SKU {0}")]
    UnknownSku(Sku),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for InventoryError {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(error.into())
    }
}

impl From<FieldError> for InventoryError {
    fn from(error: FieldError) -> Self {
        Self::Validation(vec![error])
    }
}

impl From<InventoryError> for Problem {
    fn from(error: InventoryError) -> Self {
        match error {
            InventoryError::Validation(errors) => Problem::validation(errors),
            InventoryError::SkuTaken(sku) => {
                Problem::conflict("sku-taken", format!("a product with SKU {sku} exists"))
            }
            InventoryError::UnknownSku(sku) => Problem::new(
                StatusCode::NOT_FOUND,
                "unknown-sku",
                "No product has this SKU",
            )
            .with_detail(format!("no product with SKU {sku}")),
            InventoryError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                Problem::internal()
            }
        }
    }
}

service_runtime::problem_responses!(InventoryError {
    404 => "No product has this SKU",
    409 => "A product with this SKU exists",
    422 => "Some fields or parameters are invalid; `errors` names each one",
});
