//! Accounts: registering customers, the configured administrator, and what admins see.

use contracts::user::UserRegistered;
use uuid::Uuid;

use super::UsersApp;
use crate::domain::{Email, Password, Registration, Role};
use crate::error::UsersError;
use crate::events;
use crate::store::{self, UserSummary};

/// The account a registration created.
pub struct RegisteredAccount {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

impl UsersApp {
    /// Creates a customer account. The account and its `shop.user.registered.v1` event are
    /// written in one transaction; the outbox relay publishes the event.
    pub async fn register(
        &self,
        registration: Registration,
    ) -> Result<RegisteredAccount, UsersError> {
        let password_hash = self.hasher.hash(&registration.password).await?;
        let user_id = Uuid::now_v7();
        let roles = vec![Role::Customer];

        let mut tx = self.pool.begin().await?;
        store::insert_user(
            &mut tx,
            store::NewUser {
                user_id,
                email: &registration.email,
                display_name: &registration.display_name,
                password_hash: &password_hash,
                roles: &roles,
            },
        )
        .await?;
        let event = UserRegistered {
            user_id,
            email: registration.email.as_str().to_owned(),
            display_name: registration.display_name.as_str().to_owned(),
        };
        events::record_user_registered(&mut tx, &event)
            .await
            .map_err(anyhow::Error::from)?;
        tx.commit().await?;
        self.outbox.committed();
        tracing::info!(%user_id, "user registered");
        Ok(RegisteredAccount {
            user_id,
            email: event.email,
            display_name: event.display_name,
            roles,
        })
    }

    /// Makes sure the configured administrator exists, with the configured password and the
    /// admin role. The first administrator comes from configuration (the secret store), never
    /// from a public endpoint.
    pub async fn ensure_admin(&self, email: &str, password: String) -> anyhow::Result<()> {
        let email =
            Email::parse(email).map_err(|e| anyhow::anyhow!("admin-email: {}", e.message))?;
        let password = Password::parse(password, &email)
            .map_err(|e| anyhow::anyhow!("admin-password: {}", e.message))?;
        let hash = self.hasher.hash(&password).await?;
        store::upsert_admin(&self.pool, &email, "Administrator", &hash).await?;
        tracing::info!(admin = %email, "administrator account ensured");
        Ok(())
    }

    /// The newest `limit` accounts, newest first.
    pub async fn newest_users(&self, limit: u32) -> Result<Vec<UserSummary>, UsersError> {
        Ok(store::list_users(&self.pool, limit).await?)
    }

    pub async fn count_users(&self) -> Result<i64, UsersError> {
        Ok(store::count_users(&self.pool).await?)
    }
}
