//! How to reach a customer, from users by Dapr service invocation
//! (`GET /internal/users/{id}/contact`, answered with `contracts::user::UserContact`). Asked when
//! an event becomes messages, so they go to the address and phone the customer has then.

use contracts::user::{CONTACT_METHOD, UserContact};
use reqwest::StatusCode;
use service_runtime::Sidecar;
use uuid::Uuid;

/// The app id users runs under (dapr/dapr.yaml).
const USERS_APP_ID: &str = "users";

#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    /// Users knows no such user: there is nobody to write to.
    #[error("users knows no user {0}")]
    UnknownUser(Uuid),
    #[error("users could not say how to reach the user: {0}")]
    Unavailable(String),
}

pub async fn look_up(sidecar: &Sidecar, user_id: Uuid) -> Result<UserContact, ContactError> {
    let response = sidecar
        .invoke(
            reqwest::Method::GET,
            USERS_APP_ID,
            &format!("{CONTACT_METHOD}/{user_id}/contact"),
        )
        .send()
        .await
        .map_err(|e| ContactError::Unavailable(e.to_string()))?;
    match response.status() {
        status if status.is_success() => response
            .json()
            .await
            .map_err(|e| ContactError::Unavailable(format!("unexpected contact: {e}"))),
        StatusCode::NOT_FOUND => Err(ContactError::UnknownUser(user_id)),
        status => Err(ContactError::Unavailable(format!(
            "users answered {status}: {}",
            response.text().await.unwrap_or_default()
        ))),
    }
}
