//! The API gateway: the one entry point for clients. It owns no data; every `/api/...` request
//! is forwarded to the service that owns the resource, through Dapr service invocation.

mod config;
mod routes;

use service_runtime::StartedService;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut service = StartedService::without_database("gateway", 8000).await?;
    // Clients call the gateway directly; it is the one port that does not demand the app API
    // token (every other service refuses calls that did not come through its sidecar).
    service.config.app_api_token = None;
    let config = config::GatewayConfig::from_env()?;
    let router = routes::router(service.sidecar.clone(), config);
    service.serve(router).await;
    Ok(())
}
