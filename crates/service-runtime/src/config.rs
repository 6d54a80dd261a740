//! Configuration read from the environment, with defaults that make `dapr run -f dapr/` work
//! on a developer machine with no flags.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

/// Settings every service needs, whatever it does.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The Dapr app id; also the name of the service's own database and database role.
    pub service_name: String,
    /// Where the salvo server listens. Only the local sidecar should reach it.
    pub listen_addr: SocketAddr,
    pub sidecar: SidecarConfig,
    /// The token daprd sends as `dapr-api-token` on every call into the app (`APP_API_TOKEN`).
    /// When set, requests without it are refused, so a caller cannot bypass the sidecar.
    pub app_api_token: Option<String>,
    /// OTLP/gRPC collector for traces; tracing export is off when unset.
    pub otlp_endpoint: Option<String>,
    pub database: DatabaseConfig,
}

#[derive(Debug, Clone)]
pub struct SidecarConfig {
    pub http_port: u16,
    pub grpc_port: u16,
    /// Name of the Dapr secret store component holding passwords and keys.
    pub secret_store: String,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub host: String,
    pub port: u16,
    pub name: String,
    pub user: String,
    /// A full URL overrides everything above (used by tools and integration tests).
    pub url: Option<String>,
    pub max_connections: u32,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {name}={value:?}: {reason}")]
pub struct ConfigError {
    name: String,
    value: String,
    reason: String,
}

impl RuntimeConfig {
    /// Reads the configuration of `service_name`. The port is `APP_PORT`, which `dapr run` sets
    /// from the app's `appPort` in `dapr/dapr.yaml`: that file is the one port table, so a
    /// service has no port of its own to drift from it.
    pub fn from_env(service_name: &str) -> Result<Self, ConfigError> {
        let service_name = optional("SERVICE_NAME").unwrap_or_else(|| service_name.to_owned());
        let host: IpAddr = parsed("APP_HOST", IpAddr::V4(Ipv4Addr::LOCALHOST))?;
        Ok(Self {
            listen_addr: SocketAddr::new(host, required("APP_PORT")?),
            sidecar: SidecarConfig {
                http_port: parsed("DAPR_HTTP_PORT", 3500)?,
                grpc_port: parsed("DAPR_GRPC_PORT", 50001)?,
                secret_store: optional("DAPR_SECRET_STORE").unwrap_or_else(|| "secretstore".into()),
            },
            app_api_token: optional("APP_API_TOKEN"),
            otlp_endpoint: optional("OTEL_EXPORTER_OTLP_ENDPOINT"),
            database: DatabaseConfig {
                host: optional("PGHOST").unwrap_or_else(|| "127.0.0.1".into()),
                port: parsed("PGPORT", 5432)?,
                name: optional("PGDATABASE").unwrap_or_else(|| service_name.clone()),
                user: optional("PGUSER").unwrap_or_else(|| service_name.clone()),
                url: optional("DATABASE_URL"),
                max_connections: parsed("DATABASE_MAX_CONNECTIONS", 10)?,
            },
            service_name,
        })
    }
}

/// An environment variable that is set and not empty.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// An environment variable parsed into `T`, which must be set.
pub fn required<T>(name: &str) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let value = optional(name).ok_or_else(|| ConfigError {
        name: name.into(),
        value: String::new(),
        reason: "must be set (`dapr run -f dapr/` sets it from dapr/dapr.yaml)".into(),
    })?;
    value.trim().parse().map_err(|e: T::Err| ConfigError {
        name: name.into(),
        value,
        reason: e.to_string(),
    })
}

/// An environment variable parsed into `T`, or `default` when it is unset.
pub fn parsed<T>(name: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match optional(name) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|e: T::Err| ConfigError {
            name: name.into(),
            value,
            reason: e.to_string(),
        }),
    }
}
