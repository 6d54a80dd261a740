//! Signing in and out: access tokens (JWT) and rotating refresh tokens.

use std::time::Duration;

use chrono::Utc;
use uuid::Uuid;

use super::UsersApp;
use crate::credentials::{new_refresh_token, refresh_token_hash};
use crate::domain::Email;
use crate::error::UsersError;
use crate::store;

/// A signed access token and the refresh token to get the next one with.
pub struct IssuedTokens {
    pub access_token: String,
    pub expires_in: Duration,
    pub refresh_token: String,
}

impl UsersApp {
    /// Signs in. An unknown email and a wrong password get the same answer, after the same work
    /// (a password hash is verified either way).
    pub async fn login(&self, email: &str, password: &str) -> Result<IssuedTokens, UsersError> {
        // An address that cannot be an email cannot have an account; still verify against the
        // decoy.
        let credentials = match Email::parse(email) {
            Ok(email) => store::find_credentials(&self.pool, &email).await?,
            Err(_) => None,
        };
        let verified = self
            .hasher
            .verify(
                password,
                credentials.as_ref().map(|c| c.password_hash.as_str()),
            )
            .await?;
        let Some(credentials) = credentials.filter(|_| verified) else {
            return Err(UsersError::InvalidCredentials);
        };

        let mut tx = self.pool.begin().await?;
        let tokens = self
            .issue_tokens(
                &mut tx,
                credentials.user_id,
                credentials.roles,
                Uuid::new_v4(),
            )
            .await?;
        tx.commit().await?;
        tracing::info!(user_id = %credentials.user_id, "signed in");
        Ok(tokens)
    }

    /// Exchanges a refresh token for a new pair. Each refresh token works once: the old one is
    /// marked replaced, and presenting a replaced token again revokes its whole family (it
    /// leaked).
    pub async fn refresh(&self, refresh_token: &str) -> Result<IssuedTokens, UsersError> {
        let token_hash = refresh_token_hash(refresh_token);
        let mut tx = self.pool.begin().await?;
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
        let roles = store::find_roles(&mut tx, stored.user_id)
            .await?
            .ok_or(UsersError::UserNotFound)?;
        let tokens = self
            .issue_tokens(&mut tx, stored.user_id, roles, stored.family_id)
            .await?;
        tx.commit().await?;
        Ok(tokens)
    }

    /// Signs out: revokes the refresh token and every token rotated from the same sign-in. An
    /// unknown token is no error, so logout reveals nothing about tokens.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), UsersError> {
        let mut tx = self.pool.begin().await?;
        if let Some(stored) =
            store::lock_refresh_token(&mut tx, &refresh_token_hash(refresh_token)).await?
        {
            store::revoke_refresh_family(&mut tx, stored.family_id).await?;
            tracing::info!(user_id = %stored.user_id, "signed out");
        }
        tx.commit().await?;
        Ok(())
    }

    /// Issues an access token and a refresh token of `family_id`, inside the caller's
    /// transaction.
    async fn issue_tokens(
        &self,
        tx: &mut sqlx::PgConnection,
        user_id: Uuid,
        roles: Vec<String>,
        family_id: Uuid,
    ) -> Result<IssuedTokens, UsersError> {
        let (access_token, _) = self
            .tokens
            .issue(user_id, roles, self.config.access_token_ttl)
            .map_err(|e| UsersError::Internal(e.into()))?;
        let refresh_token = new_refresh_token();
        let expires_at = Utc::now() + self.config.refresh_token_ttl;
        store::insert_refresh_token(
            tx,
            &refresh_token_hash(&refresh_token),
            user_id,
            family_id,
            expires_at,
        )
        .await?;
        Ok(IssuedTokens {
            access_token,
            expires_in: self.config.access_token_ttl,
            refresh_token,
        })
    }
}
