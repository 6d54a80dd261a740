//! The orders service's one error type, and how each case looks on the wire (RFC 9457). The
//! caller (401/403) and body (400/422) refusals come from the runtime's extractors, before a
//! handler runs.

use salvo::http::StatusCode;
use service_runtime::intake::ConsumeError;
use service_runtime::{FieldError, Problem};

use crate::actor_client::ActorCallError;
use crate::domain::Refusal;
use crate::inventory_client::QuoteError;
use crate::payments_client::PaymentMethodError;

#[derive(Debug, thiserror::Error)]
pub enum OrdersError {
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    #[error("the payment provider does not know this payment method")]
    UnknownPaymentMethod,
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

impl From<QuoteError> for OrdersError {
    fn from(error: QuoteError) -> Self {
        match error {
            QuoteError::NotOrderable(errors) => Self::Validation(errors),
            QuoteError::Unavailable(detail) => Self::Unavailable(detail),
        }
    }
}

impl From<PaymentMethodError> for OrdersError {
    fn from(error: PaymentMethodError) -> Self {
        match error {
            PaymentMethodError::Unknown(_) => Self::UnknownPaymentMethod,
            PaymentMethodError::Unavailable(detail) => Self::Unavailable(detail),
        }
    }
}

impl From<ActorCallError> for OrdersError {
    fn from(error: ActorCallError) -> Self {
        match error {
            ActorCallError::Unreachable { .. } => Self::Unavailable(error.to_string()),
            ActorCallError::UnexpectedAnswer { .. } => Self::Internal(error.into()),
        }
    }
}

impl From<OrdersError> for Problem {
    fn from(error: OrdersError) -> Self {
        match error {
            OrdersError::Validation(errors) => Problem::validation(errors),
            OrdersError::IdempotencyKeyReused => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "This Idempotency-Key belongs to another request",
            )
            .with_detail("use a new key for a new order; a retry must repeat the same body"),
            OrdersError::UnknownPaymentMethod => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-payment-method",
                "The payment provider does not know this payment method",
            )
            .with_detail(
                "make a new one with the provider's checkout form and place the order with its id",
            ),
            OrdersError::NotFound => Problem::not_found("no such order"),
            OrdersError::Refused(Refusal::IllegalTransition { action, status }) => {
                Problem::conflict(
                    "order-status-conflict",
                    format!(
                        "an order that is {} cannot be {}",
                        status.as_str(),
                        action.as_str()
                    ),
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

/// A consumer's use case that failed is worth a redelivery: what it needed (the sidecar, the
/// database, the order's actor) may be back by then. Consumers handle the outcomes that are
/// final (an unknown order) themselves.
impl From<OrdersError> for ConsumeError {
    fn from(error: OrdersError) -> Self {
        ConsumeError::Transient(error.into())
    }
}

service_runtime::problem_responses!(OrdersError {
    404 => "No such order (someone else's order is as unknown as a missing one)",
    409 => "The order's status does not allow this; `currentStatus` says what it is",
    422 => "Invalid fields or parameters; `errors` names each one",
    503 => "A service orders depends on is unavailable, or the order is changing too fast; retry",
});
