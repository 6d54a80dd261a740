//! Signing in and out: access tokens (JWT) and rotating refresh tokens.

use chrono::Utc;
use salvo::http::StatusCode;
use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::Problem;
use uuid::Uuid;
use validator::Validate;

use crate::app::UsersApp;
use crate::credentials::{new_refresh_token, refresh_token_hash};
use crate::domain::Email;
use crate::error::UsersError;
use crate::routes::body::parse_valid;
use crate::store;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 254))]
    email: String,
    #[validate(length(min = 1, max = 128))]
    password: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 128))]
    refresh_token: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct TokenPair {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    refresh_token: String,
}

/// Issues an access token and a refresh token of `family_id`, inside the caller's transaction.
async fn issue_tokens(
    app: &UsersApp,
    tx: &mut sqlx::PgConnection,
    user_id: Uuid,
    roles: Vec<String>,
    family_id: Uuid,
) -> Result<TokenPair, UsersError> {
    let (access_token, _) = app
        .tokens
        .issue(user_id, roles, app.config.access_token_ttl)
        .map_err(|e| UsersError::Internal(e.into()))?;
    let refresh_token = new_refresh_token();
    let expires_at = Utc::now() + app.config.refresh_token_ttl;
    store::insert_refresh_token(
        tx,
        &refresh_token_hash(&refresh_token),
        user_id,
        family_id,
        expires_at,
    )
    .await?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer",
        expires_in: app.config.access_token_ttl.as_secs(),
        refresh_token,
    })
}

/// Signs in.
///
/// An unknown email and a wrong password get the same answer, after the same work (a password
/// hash is verified either way).
#[endpoint(
    tags("sessions"),
    request_body = LoginRequest,
    responses(
        (status_code = 200, description = "An access token and a refresh token", body = TokenPair),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 401, description = "Wrong email or password", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Some fields are invalid", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn login(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let request = parse_valid::<LoginRequest>(req).await?;
    // An address that cannot be an email cannot have an account; still verify against the decoy.
    let credentials = match Email::parse(&request.email) {
        Ok(email) => store::find_credentials(&app.pool, email.as_str()).await?,
        Err(_) => None,
    };
    let verified = app
        .hasher
        .verify(
            &request.password,
            credentials.as_ref().map(|c| c.password_hash.as_str()),
        )
        .await?;
    let Some(credentials) = credentials.filter(|_| verified) else {
        return Err(UsersError::InvalidCredentials);
    };

    let mut tx = app.pool.begin().await?;
    let pair = issue_tokens(
        app,
        &mut tx,
        credentials.user_id,
        credentials.roles,
        Uuid::new_v4(),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = %credentials.user_id, "signed in");
    res.render(Json(pair));
    Ok(())
}

/// Exchanges a refresh token for a new pair.
///
/// Each refresh token works once: the old one is marked replaced, and presenting a replaced
/// token again revokes its whole family (it leaked).
#[endpoint(
    tags("sessions"),
    request_body = RefreshRequest,
    responses(
        (status_code = 200, description = "A new access token and refresh token", body = TokenPair),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 401, description = "The refresh token is invalid, expired or revoked", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Some fields are invalid", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn refresh(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let request = parse_valid::<RefreshRequest>(req).await?;
    let token_hash = refresh_token_hash(&request.refresh_token);

    let mut tx = app.pool.begin().await?;
    let Some(stored) = store::lock_refresh_token(&mut tx, &token_hash).await? else {
        return Err(UsersError::InvalidRefreshToken);
    };
    if stored.replaced_at.is_some() && stored.revoked_at.is_none() {
        tracing::warn!(user_id = %stored.user_id, family_id = %stored.family_id, "refresh token replayed; revoking its family");
        store::revoke_refresh_family(&mut tx, stored.family_id).await?;
        tx.commit().await?;
        return Err(UsersError::InvalidRefreshToken);
    }
    if stored.revoked_at.is_some()
        || stored.replaced_at.is_some()
        || stored.expires_at <= Utc::now()
    {
        return Err(UsersError::InvalidRefreshToken);
    }
    store::mark_refresh_token_replaced(&mut tx, &token_hash).await?;
    // Roles are read again: a refresh reflects a role change made since the last sign-in.
    let roles = store::find_roles(&mut tx, stored.user_id).await?;
    let pair = issue_tokens(app, &mut tx, stored.user_id, roles, stored.family_id).await?;
    tx.commit().await?;
    res.render(Json(pair));
    Ok(())
}

/// Signs out.
///
/// Revokes the refresh token and every token rotated from the same sign-in. Answers 204 for an
/// unknown token too, so logout reveals nothing about tokens.
#[endpoint(
    tags("sessions"),
    request_body = RefreshRequest,
    responses(
        (status_code = 204, description = "Signed out"),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Some fields are invalid", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn logout(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let request = parse_valid::<RefreshRequest>(req).await?;
    let mut tx = app.pool.begin().await?;
    if let Some(stored) =
        store::lock_refresh_token(&mut tx, &refresh_token_hash(&request.refresh_token)).await?
    {
        store::revoke_refresh_family(&mut tx, stored.family_id).await?;
        tracing::info!(user_id = %stored.user_id, "signed out");
    }
    tx.commit().await?;
    res.status_code(StatusCode::NO_CONTENT);
    Ok(())
}
