//! Wiring only: configuration, the sidecar and its secrets, the database, the outbox relay;
//! everything else is in the library.

use access_token::AccessTokenKey;
use service_runtime::{StartedService, outbox};
use users::{MIGRATOR, UsersApp, UsersConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("users", &MIGRATOR).await?;
    let config = UsersConfig::from_env()?;
    let tokens =
        AccessTokenKey::from_secret(service.sidecar.secret("jwt-signing-key").await?.as_bytes());
    let outbox = outbox::spawn_relay(pool.clone(), service.sidecar.clone());
    let app = UsersApp::new(pool, config, tokens, outbox)?;
    // `admin-email` and `admin-password` are made by `./shop up` for a local system.
    app.ensure_admin(
        &service.sidecar.secret("admin-email").await?,
        service.sidecar.secret("admin-password").await?,
    )
    .await?;
    service.serve(users::router(app)).await;
    Ok(())
}
