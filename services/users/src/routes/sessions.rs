//! Signing in and out: access tokens (JWT) and rotating refresh tokens.

use salvo::http::StatusCode;
use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::ValidJson;
use validator::Validate;

use crate::app::{IssuedTokens, UsersApp};
use crate::domain::{email, password};
use crate::error::UsersError;
use crate::routes::bound;

// The schema's bounds are literals (salvo's attributes take no constants); a route test checks
// them against the domain's constants, which the validator uses.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = bound(email::MAX_CHARS)))]
    #[salvo(schema(min_length = 1, max_length = 254))]
    email: String,
    #[validate(length(min = 1, max = bound(password::MAX_CHARS)))]
    #[salvo(schema(min_length = 1, max_length = 128))]
    password: String,
}

// A refresh token is 43 characters; the bound only keeps absurd input away from the hash.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 128))]
    #[salvo(schema(min_length = 1, max_length = 128))]
    refresh_token: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct TokenPair {
    access_token: String,
    #[salvo(schema(value_type = String, pattern = "^Bearer$"))]
    token_type: &'static str,
    /// Seconds until the access token expires.
    expires_in: u64,
    refresh_token: String,
}

impl From<IssuedTokens> for TokenPair {
    fn from(tokens: IssuedTokens) -> Self {
        Self {
            access_token: tokens.access_token,
            token_type: "Bearer",
            expires_in: tokens.expires_in.as_secs(),
            refresh_token: tokens.refresh_token,
        }
    }
}

/// Signs in.
///
/// An unknown email and a wrong password get the same answer, after the same work (a password
/// hash is verified either way).
#[endpoint(
    tags("sessions"),
    status_codes(200, 400, 401, 422, 500),
    responses((status_code = 200, description = "An access token and a refresh token", body = TokenPair))
)]
pub async fn login(
    body: ValidJson<LoginRequest>,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let request = body.into_inner();
    let tokens = app.login(&request.email, &request.password).await?;
    res.render(Json(TokenPair::from(tokens)));
    Ok(())
}

/// Exchanges a refresh token for a new pair.
///
/// Each refresh token works once: the old one is marked replaced, and presenting a replaced
/// token again revokes its whole family (it leaked).
#[endpoint(
    tags("sessions"),
    status_codes(200, 400, 401, 422, 500),
    responses((status_code = 200, description = "A new access token and refresh token", body = TokenPair))
)]
pub async fn refresh(
    body: ValidJson<RefreshRequest>,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let tokens = app.refresh(&body.into_inner().refresh_token).await?;
    res.render(Json(TokenPair::from(tokens)));
    Ok(())
}

/// Signs out.
///
/// Revokes the refresh token and every token rotated from the same sign-in. Answers 204 for an
/// unknown token too, so logout reveals nothing about tokens.
#[endpoint(
    tags("sessions"),
    status_codes(204, 400, 422, 500),
    responses((status_code = 204, description = "Signed out"))
)]
pub async fn logout(
    body: ValidJson<RefreshRequest>,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    app.logout(&body.into_inner().refresh_token).await?;
    res.status_code(StatusCode::NO_CONTENT);
    Ok(())
}
