//! The signed-in user's own profile.

use uuid::Uuid;

use super::UsersApp;
use crate::domain::ProfileChanges;
use crate::error::UsersError;
use crate::store::{self, Profile};

impl UsersApp {
    pub async fn profile(&self, user_id: Uuid) -> Result<Profile, UsersError> {
        store::find_profile(&self.pool, user_id)
            .await?
            .ok_or(UsersError::UserNotFound)
    }

    pub async fn update_profile(
        &self,
        user_id: Uuid,
        changes: ProfileChanges,
    ) -> Result<Profile, UsersError> {
        store::update_profile(&self.pool, user_id, changes)
            .await?
            .ok_or(UsersError::UserNotFound)
    }
}
