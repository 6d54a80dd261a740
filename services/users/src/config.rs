//! Settings of the users service, from the environment.

use std::time::Duration;

use service_runtime::config::{ConfigError, parsed};

#[derive(Debug, Clone)]
pub struct UsersConfig {
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Argon2id cost. The defaults are OWASP's first recommendation (19 MiB, 2 passes, 1 lane).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
}

impl UsersConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            access_token_ttl: Duration::from_secs(parsed("USERS_ACCESS_TOKEN_TTL_SECS", 15 * 60)?),
            refresh_token_ttl: Duration::from_secs(parsed(
                "USERS_REFRESH_TOKEN_TTL_SECS",
                30 * 24 * 3600,
            )?),
            argon2_memory_kib: parsed("ARGON2_MEMORY_KIB", 19 * 1024)?,
            argon2_iterations: parsed("ARGON2_ITERATIONS", 2)?,
            argon2_parallelism: parsed("ARGON2_PARALLELISM", 1)?,
        })
    }
}
