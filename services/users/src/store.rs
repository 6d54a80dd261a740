//! SQL for the users database, checked at compile time against the migrations (`sqlx::query!`
//! with the offline data in `.sqlx/`, so a build needs no database).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{DisplayName, Email, ProfileChanges, Role, ShippingAddress};

/// Why a user could not be inserted.
#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("the email address is already registered")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A user as they see themselves.
#[derive(Debug, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub user_id: Uuid,
    #[salvo(schema(format = Email))]
    pub email: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub shipping_addresses: Vec<ShippingAddress>,
    // Stored as text, but only `Role` names are ever written.
    #[salvo(schema(value_type = Vec<Role>))]
    pub roles: Vec<String>,
    pub created_at: DateTime<Utc>,
}

pub struct NewUser<'a> {
    pub user_id: Uuid,
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub password_hash: &'a str,
    pub roles: &'a [Role],
}

fn role_names(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_owned()).collect()
}

/// Inserts a user; a second registration of the same (case-insensitive) email is `EmailTaken`.
pub async fn insert_user(
    connection: &mut PgConnection,
    user: NewUser<'_>,
) -> Result<(), InsertUserError> {
    let result = sqlx::query!(
        "INSERT INTO users (user_id, email, display_name, password_hash, roles)
         VALUES ($1, $2::text, $3, $4, $5)",
        user.user_id,
        user.email.as_str(),
        user.display_name.as_str(),
        user.password_hash,
        &role_names(user.roles),
    )
    .execute(connection)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            Err(InsertUserError::EmailTaken)
        }
        Err(error) => Err(error.into()),
    }
}

/// Makes sure the configured administrator exists with the configured password and the admin role.
pub async fn upsert_admin(
    pool: &PgPool,
    email: &Email,
    display_name: &str,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO users (user_id, email, display_name, password_hash, roles)
         VALUES ($1, $2::text, $3, $4, ARRAY['customer', 'admin'])
         ON CONFLICT (email) DO UPDATE
         SET password_hash = EXCLUDED.password_hash, roles = ARRAY['customer', 'admin'], updated_at = now()",
        Uuid::now_v7(),
        email.as_str(),
        display_name,
        password_hash,
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub struct StoredCredentials {
    pub user_id: Uuid,
    pub password_hash: String,
    pub roles: Vec<String>,
}

pub async fn find_credentials(
    pool: &PgPool,
    email: &Email,
) -> Result<Option<StoredCredentials>, sqlx::Error> {
    sqlx::query_as!(
        StoredCredentials,
        "SELECT user_id, password_hash, roles FROM users WHERE email = ($1::text)::citext",
        email.as_str(),
    )
    .fetch_optional(pool)
    .await
}

pub async fn find_roles(
    connection: &mut PgConnection,
    user_id: Uuid,
) -> Result<Option<Vec<String>>, sqlx::Error> {
    sqlx::query_scalar!("SELECT roles FROM users WHERE user_id = $1", user_id)
        .fetch_optional(connection)
        .await
}

pub async fn find_profile(pool: &PgPool, user_id: Uuid) -> Result<Option<Profile>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT user_id, email::text AS "email!", display_name, phone,
                  shipping_addresses AS "shipping_addresses: Json<Vec<ShippingAddress>>",
                  roles, created_at
           FROM users WHERE user_id = $1"#,
        user_id,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| Profile {
        user_id: row.user_id,
        email: row.email,
        display_name: row.display_name,
        phone: row.phone,
        shipping_addresses: row.shipping_addresses.0,
        roles: row.roles,
        created_at: row.created_at,
    }))
}

/// Applies `changes` and returns the updated profile, or `None` when there is no such user.
pub async fn update_profile(
    pool: &PgPool,
    user_id: Uuid,
    changes: ProfileChanges,
) -> Result<Option<Profile>, sqlx::Error> {
    let updated = sqlx::query!(
        "UPDATE users SET
             display_name = COALESCE($2, display_name),
             phone = CASE WHEN $3 THEN $4 ELSE phone END,
             shipping_addresses = COALESCE($5, shipping_addresses),
             updated_at = now()
         WHERE user_id = $1",
        user_id,
        changes.display_name.as_ref().map(|n| n.as_str()),
        changes.phone.is_some(),
        changes
            .phone
            .as_ref()
            .and_then(|p| p.as_ref().map(|p| p.as_str())),
        changes.shipping_addresses.map(Json) as Option<Json<Vec<ShippingAddress>>>,
    )
    .execute(pool)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(None);
    }
    find_profile(pool, user_id).await
}

pub async fn insert_refresh_token(
    connection: &mut PgConnection,
    token_hash: &str,
    user_id: Uuid,
    family_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at) VALUES ($1, $2, $3, $4)",
        token_hash,
        user_id,
        family_id,
        expires_at,
    )
    .execute(connection)
    .await?;
    Ok(())
}

pub struct StoredRefreshToken {
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub replaced_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Reads a refresh token and locks it, so two concurrent refreshes cannot both rotate it.
pub async fn lock_refresh_token(
    connection: &mut PgConnection,
    token_hash: &str,
) -> Result<Option<StoredRefreshToken>, sqlx::Error> {
    sqlx::query_as!(
        StoredRefreshToken,
        "SELECT user_id, family_id, expires_at, replaced_at, revoked_at
         FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
        token_hash,
    )
    .fetch_optional(connection)
    .await
}

pub async fn mark_refresh_token_replaced(
    connection: &mut PgConnection,
    token_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET replaced_at = now() WHERE token_hash = $1",
        token_hash
    )
    .execute(connection)
    .await?;
    Ok(())
}

/// Revokes every token of a login family (logout, or a replayed token).
pub async fn revoke_refresh_family(
    connection: &mut PgConnection,
    family_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family_id,
    )
    .execute(connection)
    .await?;
    Ok(())
}

/// A user as an administrator sees them in a list.
#[derive(Debug, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserSummary {
    pub user_id: Uuid,
    #[salvo(schema(format = Email))]
    pub email: String,
    pub display_name: String,
    #[salvo(schema(value_type = Vec<Role>))]
    pub roles: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// The newest `limit` users, newest first.
pub async fn list_users(pool: &PgPool, limit: u32) -> Result<Vec<UserSummary>, sqlx::Error> {
    sqlx::query_as!(
        UserSummary,
        r#"SELECT user_id, email::text AS "email!", display_name, roles, created_at
           FROM users ORDER BY created_at DESC, user_id DESC LIMIT $1"#,
        i64::from(limit),
    )
    .fetch_all(pool)
    .await
}

pub async fn count_users(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users"#)
        .fetch_one(pool)
        .await
}
