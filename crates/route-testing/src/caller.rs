//! Who calls: the identity headers the gateway forwards after checking an access token.

use access_token::{USER_ID_HEADER, USER_ROLES_HEADER};
use salvo::test::RequestBuilder;
use uuid::Uuid;

/// Who the gateway says is calling.
#[derive(Debug, Clone, Copy)]
pub enum Caller {
    /// No token: the gateway forwards no identity headers.
    Anonymous,
    Customer(Uuid),
    /// An admin is a customer too, as the users service issues the roles.
    Admin(Uuid),
}

/// Sends a test request as a [`Caller`].
pub trait WithCaller {
    fn with_caller(self, caller: Caller) -> Self;
}

impl WithCaller for RequestBuilder {
    fn with_caller(self, caller: Caller) -> Self {
        match caller {
            Caller::Anonymous => self,
            Caller::Customer(id) => self
                .add_header(USER_ID_HEADER, id.to_string(), true)
                .add_header(USER_ROLES_HEADER, "customer", true),
            Caller::Admin(id) => self
                .add_header(USER_ID_HEADER, id.to_string(), true)
                .add_header(USER_ROLES_HEADER, "customer,admin", true),
        }
    }
}
