//! The users service's one error type, and how each case looks on the wire.

use salvo::http::StatusCode;
use salvo::prelude::*;
use service_runtime::Problem;

use crate::domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum UsersError {
    #[error("the request body is not valid JSON of the expected shape: {0}")]
    MalformedBody(String),
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("the email address is already registered")]
    EmailTaken,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("the refresh token is invalid, expired or revoked")]
    InvalidRefreshToken,
    #[error("the caller is not authenticated")]
    Unauthenticated,
    #[error("the caller may not do this")]
    Forbidden,
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

impl From<UsersError> for Problem {
    fn from(error: UsersError) -> Self {
        match error {
            UsersError::MalformedBody(detail) => Problem::bad_request(detail),
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
            UsersError::Unauthenticated => Problem::unauthorized("sign in first"),
            UsersError::Forbidden => Problem::forbidden("this is for administrators"),
            UsersError::UserNotFound => Problem::not_found("the user does not exist"),
            UsersError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                Problem::internal()
            }
        }
    }
}

/// Every endpoint lists its problem responses in its own `responses(...)`, so the error type
/// adds nothing of its own to the OpenAPI document.
impl salvo::oapi::EndpointOutRegister for UsersError {
    fn register(
        _components: &mut salvo::oapi::Components,
        _operation: &mut salvo::oapi::Operation,
    ) {
    }
}

#[async_trait]
impl Writer for UsersError {
    async fn write(self, req: &mut Request, depot: &mut Depot, res: &mut Response) {
        Problem::from(self).write(req, depot, res).await;
    }
}
