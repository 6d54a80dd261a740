//! `GET /internal/users/{id}/contact` (Dapr service invocation only; the gateway routes nothing
//! under `/internal`): how to reach a user, for notifications.

use contracts::user::UserContact;
use salvo::prelude::*;
use uuid::Uuid;

use crate::app::UsersApp;
use crate::error::UsersError;

#[handler]
pub async fn get_contact(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<UserContact>, UsersError> {
    // Not a UUID names no user: the same 404 as an unknown one.
    let user_id: Uuid = req
        .param::<String>("id")
        .and_then(|raw| raw.parse().ok())
        .ok_or(UsersError::UserNotFound)?;
    let profile = UsersApp::from_depot(depot)?.profile(user_id).await?;
    Ok(Json(UserContact {
        user_id: profile.user_id,
        email: profile.email,
        display_name: profile.display_name,
        phone: profile.phone,
    }))
}
