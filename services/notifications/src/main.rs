//! Starts the notifications service: configuration, sidecar and database (migrated), the outbox
//! relay that publishes its jobs, the sweeper that resends lost ones, then the routes.

use notifications::config::NotificationsConfig;
use notifications::{ADMIN_EMAIL_SECRET, App, MIGRATOR, sweeper};
use service_runtime::{StartedService, outbox};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = NotificationsConfig::from_env()?;
    let (service, pool) = StartedService::with_database("notifications", &MIGRATOR).await?;
    let administrators = vec![service.sidecar.secret(ADMIN_EMAIL_SECRET).await?];
    let outbox = outbox::spawn_relay(pool.clone(), service.sidecar.clone());
    let app = App::new(pool, service.sidecar.clone(), outbox, administrators)
        .with_max_event_age(config.max_event_age);
    sweeper::spawn(app.clone(), config);
    service.serve(notifications::router(app)).await;
    Ok(())
}
