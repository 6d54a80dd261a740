//! The inventory service's one error type, and how each case looks on the wire.

use salvo::prelude::*;
use service_runtime::Problem;

use crate::domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("the request body is not valid JSON of the expected shape: {0}")]
    MalformedBody(String),
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("a product with SKU {0} exists")]
    SkuTaken(String),
    #[error("no product with SKU {0}")]
    UnknownSku(String),
    #[error("the caller may not do this")]
    Forbidden,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for InventoryError {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(error.into())
    }
}

impl From<InventoryError> for Problem {
    fn from(error: InventoryError) -> Self {
        match error {
            InventoryError::MalformedBody(detail) => Problem::bad_request(detail),
            InventoryError::Validation(errors) => Problem::validation(errors),
            InventoryError::SkuTaken(sku) => {
                Problem::conflict("sku-taken", format!("a product with SKU {sku} exists"))
            }
            InventoryError::UnknownSku(sku) => Problem::new(
                salvo::http::StatusCode::NOT_FOUND,
                "unknown-sku",
                "No product has this SKU",
            )
            .with_detail(format!("no product with SKU {sku}")),
            InventoryError::Forbidden => Problem::forbidden("this is for administrators"),
            InventoryError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                Problem::internal()
            }
        }
    }
}

/// Each endpoint lists its problem responses itself.
impl salvo::oapi::EndpointOutRegister for InventoryError {
    fn register(
        _components: &mut salvo::oapi::Components,
        _operation: &mut salvo::oapi::Operation,
    ) {
    }
}

#[async_trait]
impl Writer for InventoryError {
    async fn write(self, req: &mut Request, depot: &mut Depot, res: &mut Response) {
        Problem::from(self).write(req, depot, res).await;
    }
}
