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

/// The method path on the `users` app that answers how to reach a user
/// (`GET /internal/users/{id}/contact`, Dapr service invocation only; the gateway does not route
/// here). Notifications asks it when an event becomes messages, so a message goes to the address
/// and phone the customer has at that moment.
pub const CONTACT_METHOD: &str = "internal/users";

/// How to reach a user: what notifications needs to address an email or a text message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserContact {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    /// E.164 (`+4915112345678`), when the profile has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}
