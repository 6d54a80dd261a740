//! Events about users, on the `user-events` topic.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `shop.user.registered.v1`: a new customer account exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRegistered {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
}

domain_event!(UserRegistered, "shop.user.registered.v1", user_id);
