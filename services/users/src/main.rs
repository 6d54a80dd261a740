//! Users: registration, authentication (argon2id passwords, JWT access tokens, rotating refresh
//! tokens) and profiles, in its own database.

mod app;
mod config;
mod credentials;
mod domain;
mod error;
mod events;
mod routes;
mod store;

use access_token::AccessTokenKey;
use service_runtime::{StartedService, outbox};

use crate::app::UsersApp;
use crate::config::UsersConfig;
use crate::credentials::PasswordHasherService;
use crate::domain::{Email, Password};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/users");

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("users", &MIGRATOR).await?;
    let config = UsersConfig::from_env()?;
    let tokens =
        AccessTokenKey::from_secret(service.sidecar.secret("jwt-signing-key").await?.as_bytes());
    let hasher = PasswordHasherService::new(&config)?;
    ensure_admin(&service, &pool, &hasher).await?;
    let outbox = outbox::spawn_relay(pool.clone(), service.sidecar.clone());

    let app = UsersApp {
        pool,
        config,
        tokens,
        hasher,
        outbox,
    };
    service.serve(routes::router(app)).await;
    Ok(())
}

/// The first administrator comes from configuration (the secret store), never from a public
/// endpoint: `admin-email` and `admin-password` are made by `./shop up` for a local system.
async fn ensure_admin(
    service: &StartedService,
    pool: &sqlx::PgPool,
    hasher: &PasswordHasherService,
) -> anyhow::Result<()> {
    let email = Email::parse(&service.sidecar.secret("admin-email").await?)
        .map_err(|e| anyhow::anyhow!("admin-email: {}", e.message))?;
    let password = Password::parse(service.sidecar.secret("admin-password").await?, &email)
        .map_err(|e| anyhow::anyhow!("admin-password: {}", e.message))?;
    let hash = hasher.hash(&password).await?;
    store::upsert_admin(pool, &email, "Administrator", &hash).await?;
    tracing::info!(admin = %email, "administrator account ensured");
    Ok(())
}
