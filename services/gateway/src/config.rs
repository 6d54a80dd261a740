use service_runtime::config::{ConfigError, parsed};

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Largest request body forwarded to a service; larger ones get 413.
    pub max_body_bytes: usize,
}

impl GatewayConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            max_body_bytes: parsed("GATEWAY_MAX_BODY_BYTES", 1024 * 1024)?,
        })
    }
}
