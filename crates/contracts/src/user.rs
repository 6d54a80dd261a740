//! Events about users, on the `user-events` topic.

use serde::{Deserialize, Serialize};
use service_runtime::DomainEvent;
use uuid::Uuid;

/// `shop.user.registered.v1`: a new customer account exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRegistered {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
}

impl DomainEvent for UserRegistered {
    const EVENT_TYPE: &'static str = "shop.user.registered.v1";
    fn aggregate_id(&self) -> String {
        self.user_id.to_string()
    }
}
