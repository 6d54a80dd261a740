//! The service's own Postgres database: connection (password from the Dapr secret store) and
//! migrations (embedded by each service with `sqlx::migrate!`, applied at start-up).

use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::DatabaseConfig;
use crate::sidecar::Sidecar;

/// Connects to the service's database and brings its schema up to date.
///
/// Without a `DATABASE_URL`, the password is read from the secret store under
/// `postgres-<database>-password`, so no password is ever in a file in git.
pub async fn connect_and_migrate(
    config: &DatabaseConfig,
    sidecar: &Sidecar,
    migrator: &Migrator,
) -> anyhow::Result<PgPool> {
    let options = match &config.url {
        Some(url) => url.parse::<PgConnectOptions>()?,
        None => {
            let password = sidecar
                .secret(&format!("postgres-{}-password", config.name))
                .await?;
            PgConnectOptions::new()
                .host(&config.host)
                .port(config.port)
                .database(&config.name)
                .username(&config.user)
                .password(&password)
        }
    };
    let pool = PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    migrator.run(&pool).await?;
    Ok(pool)
}

/// True when the database answers a trivial query.
pub async fn is_ready(pool: &PgPool) -> bool {
    sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(pool)
        .await
        .is_ok()
}
