//! The users application: the use cases the routes call, over the domain and the store. Built
//! once at start-up and injected into the depot; the route tests build it the same way.

mod accounts;
mod profiles;
mod sessions;

use access_token::AccessTokenKey;
use salvo::Depot;
use service_runtime::outbox::OutboxSignal;
use sqlx::PgPool;

use crate::config::UsersConfig;
use crate::credentials::PasswordHasherService;
use crate::error::UsersError;

pub use accounts::RegisteredAccount;
pub use sessions::IssuedTokens;

#[derive(Clone)]
pub struct UsersApp {
    pool: PgPool,
    config: UsersConfig,
    tokens: AccessTokenKey,
    hasher: PasswordHasherService,
    outbox: OutboxSignal,
}

impl UsersApp {
    /// `outbox` wakes the relay that publishes what registrations write to the outbox
    /// ([`service_runtime::outbox::spawn_relay`]); without a relay the events just wait in the
    /// table, which is what the route tests want.
    pub fn new(
        pool: PgPool,
        config: UsersConfig,
        tokens: AccessTokenKey,
        outbox: OutboxSignal,
    ) -> anyhow::Result<Self> {
        let hasher = PasswordHasherService::new(&config)?;
        Ok(Self {
            pool,
            config,
            tokens,
            hasher,
            outbox,
        })
    }

    pub fn from_depot(depot: &Depot) -> Result<&Self, UsersError> {
        depot.get_typed::<Self>().map_err(|_| {
            UsersError::Internal(anyhow::anyhow!("users app state missing from the depot"))
        })
    }
}
