//! Everything a users handler needs, built once at start-up and injected into the depot.

use access_token::AccessTokenKey;
use salvo::Depot;
use service_runtime::outbox::OutboxSignal;
use sqlx::PgPool;

use crate::config::UsersConfig;
use crate::credentials::PasswordHasherService;
use crate::error::UsersError;

#[derive(Clone)]
pub struct UsersApp {
    pub pool: PgPool,
    pub config: UsersConfig,
    pub tokens: AccessTokenKey,
    pub hasher: PasswordHasherService,
    pub outbox: OutboxSignal,
}

impl UsersApp {
    pub fn from_depot(depot: &Depot) -> Result<&Self, UsersError> {
        depot.get_typed::<Self>().map_err(|_| {
            UsersError::Internal(anyhow::anyhow!("users app state missing from the depot"))
        })
    }
}
