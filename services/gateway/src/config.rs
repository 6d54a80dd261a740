use std::str::FromStr;
use std::time::Duration;

use salvo::http::HeaderValue;
use service_runtime::config::{ConfigError, parsed};

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
    pub cors_origins: CorsOrigins,
}

impl GatewayConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            max_body_bytes: parsed("GATEWAY_MAX_BODY_BYTES", 1024 * 1024)?,
            upstream_timeout: Duration::from_secs(parsed("GATEWAY_UPSTREAM_TIMEOUT_SECS", 15)?),
            rate_limit_per_second: parsed("GATEWAY_RATE_LIMIT_PER_SECOND", 100.0)?,
            rate_limit_burst: parsed("GATEWAY_RATE_LIMIT_BURST", 200.0)?,
            cors_origins: parsed(
                "GATEWAY_CORS_ORIGINS",
                CorsOrigins(vec![
                    HeaderValue::from_static("http://localhost:3000"),
                    HeaderValue::from_static("http://127.0.0.1:3000"),
                ]),
            )?,
        })
    }
}

/// A comma-separated list of browser origins (`https://shop.example,http://localhost:3000`).
///
/// Each is compared byte for byte with the `Origin` header, so each must be a valid header
/// value; `*` is refused because an allow-list with a wildcard in it is not an allow-list
/// (salvo's CORS handler would panic on it at start-up).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsOrigins(pub Vec<HeaderValue>);

impl FromStr for CorsOrigins {
    type Err = String;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        list.split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(|origin| match origin {
                "*" => Err("`*` is not an origin; list the allowed origins".to_owned()),
                _ => HeaderValue::from_str(origin)
                    .map_err(|_| format!("{origin:?} is not a valid origin")),
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_a_trimmed_comma_separated_list_without_wildcards() {
        let origins: CorsOrigins = " https://shop.example , ,http://localhost:3000,"
            .parse()
            .unwrap();
        assert_eq!(
            origins.0,
            ["https://shop.example", "http://localhost:3000"].map(HeaderValue::from_static)
        );
        assert!("https://shop.example,*".parse::<CorsOrigins>().is_err());
        assert!("https://shop.example\u{7f}".parse::<CorsOrigins>().is_err());
    }
}
