//! The orders service's one error type, and how each case looks on the wire (RFC 9457).

use salvo::http::StatusCode;
use salvo::prelude::*;
use service_runtime::Problem;
use service_runtime::field_error::FieldError;
use service_runtime::request::{BodyError, field_errors};

use crate::actor::ActorError;
use crate::commands::CommandError;
use crate::domain::Refusal;
use crate::inventory_client::QuoteError;

#[derive(Debug, thiserror::Error)]
pub enum OrdersError {
    #[error("the request body is not valid JSON of the expected shape: {0}")]
    MalformedBody(String),
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    #[error("not signed in")]
    Unauthenticated,
    #[error("the caller may not do this")]
    Forbidden,
    #[error("no such order")]
    NotFound,
    #[error(transparent)]
    Refused(Refusal),
    #[error("the order is changing too fast; retry")]
    Contended,
    #[error("a service this depends on is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for OrdersError {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(error.into())
    }
}

impl From<BodyError> for OrdersError {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::Malformed(detail) => Self::MalformedBody(detail),
            BodyError::Invalid(errors) => Self::Validation(field_errors(&errors)),
        }
    }
}

impl From<CommandError> for OrdersError {
    fn from(error: CommandError) -> Self {
        match error {
            CommandError::Refused(Refusal::NotFound) => Self::NotFound,
            CommandError::Refused(refusal) => Self::Refused(refusal),
            CommandError::Contended(_) => Self::Contended,
            other => Self::Internal(other.into()),
        }
    }
}

impl From<QuoteError> for OrdersError {
    fn from(error: QuoteError) -> Self {
        match error {
            QuoteError::NotOrderable(errors) => Self::Validation(errors),
            QuoteError::Unavailable(detail) => Self::Unavailable(detail),
        }
    }
}

impl From<ActorError> for OrdersError {
    fn from(error: ActorError) -> Self {
        Self::Internal(error.into())
    }
}

impl From<OrdersError> for Problem {
    fn from(error: OrdersError) -> Self {
        match error {
            OrdersError::MalformedBody(detail) => Problem::bad_request(detail),
            OrdersError::Validation(errors) => Problem::validation(errors),
            OrdersError::IdempotencyKeyReused => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "This Idempotency-Key belongs to another request",
            )
            .with_detail("use a new key for a new order; a retry must repeat the same body"),
            OrdersError::Unauthenticated => Problem::unauthorized("sign in to use orders"),
            OrdersError::Forbidden => Problem::forbidden("this is for administrators"),
            OrdersError::NotFound => Problem::not_found("no such order"),
            OrdersError::Refused(Refusal::IllegalTransition { action, status }) => {
                Problem::conflict(
                    "order-status-conflict",
                    format!("an order that is {} cannot be {action}", status.as_str()),
                )
                .with_extension("currentStatus", status.as_str())
            }
            OrdersError::Refused(refusal) => {
                Problem::conflict("order-status-conflict", refusal.to_string())
            }
            OrdersError::Contended => Problem::unavailable("the order is changing too fast; retry"),
            OrdersError::Unavailable(detail) => {
                tracing::warn!(%detail, "dependency unavailable");
                Problem::unavailable("a service orders depends on is unavailable; retry")
            }
            OrdersError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                Problem::internal()
            }
        }
    }
}

/// Each endpoint lists its problem responses itself.
impl salvo::oapi::EndpointOutRegister for OrdersError {
    fn register(
        _components: &mut salvo::oapi::Components,
        _operation: &mut salvo::oapi::Operation,
    ) {
    }
}

#[async_trait]
impl Writer for OrdersError {
    async fn write(self, req: &mut Request, depot: &mut Depot, res: &mut Response) {
        Problem::from(self).write(req, depot, res).await;
    }
}
