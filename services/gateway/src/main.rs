use std::time::Duration;

use access_token::AccessTokenKey;
use gateway::config::GatewayConfig;
use service_runtime::StartedService;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut service = StartedService::without_database("gateway").await?;
    // Clients call the gateway directly; it is the one port that does not demand the app API
    // token (every other service refuses calls that did not come through its sidecar).
    service.config.app_api_token = None;
    let config = GatewayConfig::from_env()?;
    service
        .sidecar
        .wait_until_ready(Duration::from_secs(90))
        .await?;
    let tokens =
        AccessTokenKey::from_secret(service.sidecar.secret("jwt-signing-key").await?.as_bytes());
    let router = gateway::router(service.sidecar.clone(), config, tokens);
    service.serve(router).await;
    Ok(())
}
