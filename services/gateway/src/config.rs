use std::time::Duration;

use service_runtime::config::{ConfigError, optional, parsed};

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Largest request body forwarded to a service; larger ones get 413.
    pub max_body_bytes: usize,
    /// How long a service gets to answer before the client gets 504.
    pub upstream_timeout: Duration,
    /// Requests per second each client may make on average, and how many it may burst.
    pub rate_limit_per_second: f64,
    pub rate_limit_burst: f64,
    /// Browser origins allowed to call the API (CORS); empty means none.
    pub cors_origins: Vec<String>,
}

impl GatewayConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            max_body_bytes: parsed("GATEWAY_MAX_BODY_BYTES", 1024 * 1024)?,
            upstream_timeout: Duration::from_secs(parsed("GATEWAY_UPSTREAM_TIMEOUT_SECS", 15)?),
            rate_limit_per_second: parsed("GATEWAY_RATE_LIMIT_PER_SECOND", 100.0)?,
            rate_limit_burst: parsed("GATEWAY_RATE_LIMIT_BURST", 200.0)?,
            cors_origins: optional("GATEWAY_CORS_ORIGINS")
                .unwrap_or_else(|| "http://localhost:3000,http://127.0.0.1:3000".into())
                .split(',')
                .map(|origin| origin.trim().to_owned())
                .filter(|origin| !origin.is_empty())
                .collect(),
        })
    }
}
