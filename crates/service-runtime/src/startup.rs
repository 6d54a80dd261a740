//! The start-up sequence every service follows, written once: configuration, telemetry, the
//! sidecar, and (for services that keep relational data) the database with its migrations.

use std::time::Duration;

use salvo::Router;
use sqlx::PgPool;
use sqlx::migrate::Migrator;

use crate::config::RuntimeConfig;
use crate::server::{self, Readiness};
use crate::sidecar::Sidecar;
use crate::telemetry::{self, TelemetryGuard};

/// How long a service waits for its sidecar before giving up at start-up.
const SIDECAR_START_TIMEOUT: Duration = Duration::from_secs(90);

/// A service that has its configuration, telemetry, sidecar and (maybe) database.
pub struct StartedService {
    pub config: RuntimeConfig,
    pub sidecar: Sidecar,
    pub database: Option<PgPool>,
    _telemetry: TelemetryGuard,
}

impl StartedService {
    /// Starts a service without a database of its own (the gateway).
    pub async fn without_database(name: &str) -> anyhow::Result<Self> {
        let config = RuntimeConfig::from_env(name)?;
        let telemetry = telemetry::init(&config)?;
        let sidecar = Sidecar::new(&config.sidecar)?;
        Ok(Self {
            config,
            sidecar,
            database: None,
            _telemetry: telemetry,
        })
    }

    /// Starts a service that owns a Postgres database: waits for the sidecar (the database
    /// password comes from its secret store), connects, and applies the migrations.
    pub async fn with_database(name: &str, migrator: &Migrator) -> anyhow::Result<(Self, PgPool)> {
        let mut service = Self::without_database(name).await?;
        service
            .sidecar
            .wait_until_ready(SIDECAR_START_TIMEOUT)
            .await?;
        let pool = crate::database::connect_and_migrate(
            &service.config.database,
            &service.sidecar,
            migrator,
        )
        .await?;
        tracing::info!(database = %service.config.database.name, "database ready and migrated");
        service.database = Some(pool.clone());
        Ok((service, pool))
    }

    /// Serves `router` until SIGTERM.
    pub async fn serve(self, router: Router) {
        let readiness = Readiness {
            sidecar: self.sidecar.clone(),
            database: self.database.clone(),
        };
        server::serve(&self.config, router, readiness).await;
    }
}
