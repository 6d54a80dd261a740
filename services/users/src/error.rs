//! The users service's one error type, and how each case looks on the wire.

use salvo::http::StatusCode;
use service_runtime::Problem;

use crate::domain::FieldError;
use crate::store::InsertUserError;

#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("the email address is already registered")]
    EmailTaken,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("the refresh token is invalid, expired or revoked")]
    InvalidRefreshToken,
    #[error("the user does not exist")]
    UserNotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for UsersError {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(error.into())
    }
}

impl From<InsertUserError> for UsersError {
    fn from(error: InsertUserError) -> Self {
        match error {
            InsertUserError::EmailTaken => Self::EmailTaken,
            InsertUserError::Database(error) => error.into(),
        }
    }
}

impl From<UsersError> for Problem {
    fn from(error: UsersError) -> Self {
        match error {
            UsersError::Validation(errors) => Problem::validation(errors),
            UsersError::EmailTaken => {
                Problem::conflict("email-taken", "an account with this email address exists")
            }
            UsersError::InvalidCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "Wrong email or password",
            ),
            UsersError::InvalidRefreshToken => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid-refresh-token",
                "The refresh token is invalid, expired or revoked",
            ),
            UsersError::UserNotFound => Problem::not_found("the user does not exist"),
            UsersError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                Problem::internal()
            }
        }
    }
}

// Each endpoint narrows these to what it can answer with `status_codes(...)`.
service_runtime::problem_responses!(UsersError {
    401 => "Wrong email or password, or an invalid, expired or revoked refresh token",
    404 => "The signed-in user's account does not exist (any more)",
    409 => "An account with this email address exists",
    422 => "Some fields are invalid; `errors` names each one",
});
