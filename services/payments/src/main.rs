//! Starts the payments service: configuration, sidecar and database (migrated), the outbox
//! relay, the processor that talks to the provider, then the routes.

use std::sync::Arc;

use payments::domain::WebhookSecret;
use payments::provider::stripe::StripeGateway;
use payments::{App, MIGRATOR, PROVIDER_BINDING, Processor, WEBHOOK_SECRET};
use service_runtime::{StartedService, outbox};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (service, pool) = StartedService::with_database("payments", &MIGRATOR).await?;
    let webhook_secret = WebhookSecret::new(service.sidecar.secret(WEBHOOK_SECRET).await?);
    let outbox = outbox::spawn_relay(pool.clone(), service.sidecar.clone());
    let gateway = Arc::new(StripeGateway::new(
        service.sidecar.clone(),
        PROVIDER_BINDING,
    ));
    let processor = Processor::new(pool.clone(), gateway, outbox);
    processor.spawn();
    service
        .serve(payments::router(App::new(pool, processor, webhook_secret)))
        .await;
    Ok(())
}
