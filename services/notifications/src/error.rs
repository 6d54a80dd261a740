//! The notifications service's one error type, and how each case looks on the wire.

use service_runtime::{FieldError, Problem};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum NotificationsError {
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("no such notification")]
    NotFound,
    #[error("the notification is {0}, not dead: only dead letters are replayed")]
    NotDead(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for NotificationsError {
    fn from(error: StoreError) -> Self {
        Self::Internal(error.into())
    }
}

impl From<NotificationsError> for Problem {
    fn from(error: NotificationsError) -> Self {
        match error {
            NotificationsError::Validation(errors) => Problem::validation(errors),
            NotificationsError::NotFound => Problem::not_found("no such notification"),
            NotificationsError::NotDead(status) => Problem::conflict(
                "notification-not-dead",
                format!("the notification is {status}; only dead letters are replayed"),
            )
            .with_extension("currentStatus", status),
            NotificationsError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                Problem::internal()
            }
        }
    }
}

service_runtime::problem_responses!(NotificationsError {
    404 => "No such notification",
    409 => "The notification is not a dead letter; `currentStatus` says what it is",
    422 => "Some fields or parameters are invalid; `errors` names each one",
});
