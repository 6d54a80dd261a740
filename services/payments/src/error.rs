//! The payments service's one error type, and how each case looks on the wire.

use salvo::http::StatusCode;
use service_runtime::{FieldError, Problem};

use crate::domain::{PaymentStatus, SignatureError};
use crate::processor::ProcessError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum PaymentsError {
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("no payment for this order")]
    NotFound,
    #[error("the provider knows no such payment method")]
    UnknownPaymentMethod,
    #[error("a payment that is {} cannot be refunded", .0.as_str())]
    NotRefundable(PaymentStatus),
    #[error("at most {refundable} {currency} minor units are left to refund")]
    RefundTooLarge { refundable: i64, currency: String },
    #[error("this Idempotency-Key was used for another refund")]
    IdempotencyKeyReused,
    #[error("the webhook signature does not verify: {0}")]
    BadSignature(SignatureError),
    #[error("the webhook is not a provider event")]
    MalformedWebhook,
    #[error("the payment provider is unavailable: {0}")]
    ProviderUnavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PaymentsError {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(error.into())
    }
}

impl From<StoreError> for PaymentsError {
    fn from(error: StoreError) -> Self {
        Self::Internal(error.into())
    }
}

impl From<ProcessError> for PaymentsError {
    fn from(error: ProcessError) -> Self {
        Self::Internal(error.into())
    }
}

impl From<PaymentsError> for Problem {
    fn from(error: PaymentsError) -> Self {
        match error {
            PaymentsError::Validation(errors) => Problem::validation(errors),
            PaymentsError::NotFound => Problem::not_found("no payment for this order"),
            PaymentsError::UnknownPaymentMethod => Problem::new(
                StatusCode::NOT_FOUND,
                "unknown-payment-method",
                "The payment provider knows no such payment method",
            ),
            PaymentsError::NotRefundable(status) => Problem::conflict(
                "payment-not-refundable",
                format!("a payment that is {} cannot be refunded", status.as_str()),
            )
            .with_extension("currentStatus", status.as_str()),
            error @ PaymentsError::RefundTooLarge { refundable, .. } => {
                Problem::validation(vec![FieldError::new("amountMinor", error.to_string())])
                    .with_extension("refundableMinor", refundable)
            }
            PaymentsError::IdempotencyKeyReused => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "This Idempotency-Key was used for a different refund",
            ),
            error @ (PaymentsError::BadSignature(_) | PaymentsError::MalformedWebhook) => {
                Problem::bad_request(error.to_string())
            }
            PaymentsError::ProviderUnavailable(detail) => {
                tracing::warn!(%detail, "the payment provider is unavailable");
                Problem::unavailable("the payment provider does not answer; try again shortly")
            }
            PaymentsError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                Problem::internal()
            }
        }
    }
}

service_runtime::problem_responses!(PaymentsError {
    400 => "The webhook's signature does not verify, or it is not a provider event",
    404 => "No payment for this order (or not yours), or no such payment method",
    409 => "The payment is not in a state that allows this; `currentStatus` says which",
    422 => "Some fields are invalid; `errors` names each one",
    503 => "The payment provider does not answer; try again shortly",
});

/// An event the service could not act on because of its own dependencies (database): retried.
impl From<PaymentsError> for service_runtime::intake::ConsumeError {
    fn from(error: PaymentsError) -> Self {
        Self::transient(error)
    }
}
