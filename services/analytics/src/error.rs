//! Analytics' one error type, and how each case looks on the wire.

use service_runtime::{FieldError, Problem};

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    #[error("invalid parameters")]
    Validation(Vec<FieldError>),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AnalyticsError {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(error.into())
    }
}

impl From<AnalyticsError> for Problem {
    fn from(error: AnalyticsError) -> Self {
        match error {
            AnalyticsError::Validation(errors) => Problem::validation(errors),
            AnalyticsError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "analytics failed");
                Problem::internal()
            }
        }
    }
}

service_runtime::problem_responses!(AnalyticsError {
    422 => "A parameter is not acceptable; `errors` names each",
});
