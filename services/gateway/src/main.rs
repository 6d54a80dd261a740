//! The API gateway: the one entry point for clients. It owns no data. It verifies the caller's
//! access token once, applies rate limits and CORS, and forwards every `/api/...` request to the
//! service that owns the resource through Dapr service invocation, with the caller's identity
//! in headers.

mod auth;
mod config;
mod cors;
mod rate_limit;
mod routes;

use std::time::Duration;

use access_token::AccessTokenKey;
use service_runtime::StartedService;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut service = StartedService::without_database("gateway", 8000).await?;
    // Clients call the gateway directly; it is the one port that does not demand the app API
    // token (every other service refuses calls that did not come through its sidecar).
    service.config.app_api_token = None;
    let config = config::GatewayConfig::from_env()?;
    service
        .sidecar
        .wait_until_ready(Duration::from_secs(90))
        .await?;
    let tokens =
        AccessTokenKey::from_secret(service.sidecar.secret("jwt-signing-key").await?.as_bytes());
    let router = routes::router(service.sidecar.clone(), config, tokens);
    service.serve(router).await;
    Ok(())
}
