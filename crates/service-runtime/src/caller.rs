//! Who is calling: the signed-in customer or administrator, as salvo extractors.
//!
//! The gateway verifies the access token once and forwards the caller as `x-user-id` and
//! `x-user-roles` (after dropping whatever the client sent under those names). A service trusts
//! them because [`crate::server`] refuses every call that does not carry the app API token, i.e.
//! that did not come through its own sidecar. A handler names the caller it needs in its
//! signature (`customer: Customer`, `admin: Admin`); the extractor refuses the request before
//! the handler runs, and registers the bearer security requirement and the 401/403 problems in
//! the endpoint's OpenAPI operation, so the document cannot forget them.

use access_token::{USER_ID_HEADER, USER_ROLES_HEADER, roles_header_grants};
use salvo::extract::Metadata;
use salvo::oapi::security::SecurityRequirement;
use salvo::oapi::{Components, EndpointArgRegister, Operation};
use salvo::{Depot, Extractible, Request};
use uuid::Uuid;

use crate::problem::{Problem, register_problem_responses};

/// The name of the security scheme the gateway's document declares (JWT bearer tokens).
pub const BEARER_SCHEME: &str = "bearer";
pub const ADMIN_ROLE: &str = "admin";

/// A signed-in user (customer or administrator) making the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: Uuid,
    pub is_admin: bool,
}

/// A signed-in administrator. The gateway admits only admins to `/api/admin/*`; the role is
/// checked again here, so the rule also holds for a call that reached the service another way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admin {
    pub id: Uuid,
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

impl Customer {
    pub fn from_request(req: &Request) -> Result<Self, Problem> {
        let id = header(req, USER_ID_HEADER)
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| Problem::unauthorized("sign in first: send a valid access token"))?;
        let is_admin = roles_header_grants(header(req, USER_ROLES_HEADER), ADMIN_ROLE);
        Ok(Self { id, is_admin })
    }
}

impl Admin {
    pub fn from_request(req: &Request) -> Result<Self, Problem> {
        let customer = Customer::from_request(req)?;
        if !customer.is_admin {
            return Err(Problem::forbidden("this is for administrators"));
        }
        Ok(Self { id: customer.id })
    }
}

fn static_metadata() -> &'static Metadata {
    static METADATA: Metadata = Metadata::new("");
    &METADATA
}

impl<'ex> Extractible<'ex> for Customer {
    fn metadata() -> &'static Metadata {
        static_metadata()
    }

    #[allow(refining_impl_trait)]
    async fn extract(req: &'ex mut Request, _depot: &'ex mut Depot) -> Result<Self, Problem> {
        Self::from_request(req)
    }
}

impl<'ex> Extractible<'ex> for Admin {
    fn metadata() -> &'static Metadata {
        static_metadata()
    }

    #[allow(refining_impl_trait)]
    async fn extract(req: &'ex mut Request, _depot: &'ex mut Depot) -> Result<Self, Problem> {
        Self::from_request(req)
    }
}

fn require_bearer(operation: &mut Operation) {
    let securities = operation.securities.get_or_insert_default();
    if !securities.iter().any(|s| {
        serde_json::to_value(s)
            .ok()
            .is_some_and(|v| v.get(BEARER_SCHEME).is_some())
    }) {
        securities.push(SecurityRequirement::new(
            BEARER_SCHEME,
            Vec::<String>::new(),
        ));
    }
}

impl EndpointArgRegister for Customer {
    fn register(components: &mut Components, operation: &mut Operation, _arg: &str) {
        require_bearer(operation);
        register_problem_responses(
            components,
            operation,
            &[(401, "No valid access token was sent")],
        );
    }
}

impl EndpointArgRegister for Admin {
    fn register(components: &mut Components, operation: &mut Operation, _arg: &str) {
        require_bearer(operation);
        register_problem_responses(
            components,
            operation,
            &[
                (401, "No valid access token was sent"),
                (403, "The caller is not an administrator"),
            ],
        );
    }
}

#[cfg(test)]
mod tests {
    use salvo::test::TestClient;

    use super::*;

    fn request(id: Option<&str>, roles: Option<&str>) -> Request {
        let mut builder = TestClient::get("http://127.0.0.1/x");
        if let Some(id) = id {
            builder = builder.add_header(USER_ID_HEADER, id, true);
        }
        if let Some(roles) = roles {
            builder = builder.add_header(USER_ROLES_HEADER, roles, true);
        }
        builder.build()
    }

    #[test]
    fn a_customer_is_the_user_the_gateway_vouches_for() {
        let id = Uuid::new_v4();
        let customer = Customer::from_request(&request(Some(&id.to_string()), Some("customer")))
            .expect("a signed-in customer");
        assert_eq!(
            customer,
            Customer {
                id,
                is_admin: false
            }
        );
    }

    #[test]
    fn no_or_a_malformed_user_id_is_unauthenticated() {
        for id in [None, Some("not-a-uuid"), Some("")] {
            let problem = Customer::from_request(&request(id, Some("admin"))).expect_err("401");
            assert_eq!(problem.status, 401, "{id:?}");
        }
    }

    #[test]
    fn an_admin_needs_the_admin_role() {
        let id = Uuid::new_v4().to_string();
        let problem = Admin::from_request(&request(Some(&id), Some("customer"))).expect_err("403");
        assert_eq!(problem.status, 403);
        let admin = Admin::from_request(&request(Some(&id), Some("customer,admin"))).expect("ok");
        assert_eq!(admin.id.to_string(), id);
        assert_eq!(
            Admin::from_request(&request(None, Some("admin")))
                .expect_err("401")
                .status,
            401
        );
    }

    #[test]
    fn the_extractors_document_bearer_security_and_their_problems() {
        let mut components = Components::new();
        let mut operation = Operation::new();
        Admin::register(&mut components, &mut operation, "admin");
        Customer::register(&mut components, &mut operation, "customer");
        let json = serde_json::to_value(&operation).expect("an operation serializes");
        assert_eq!(json["security"], serde_json::json!([{ "bearer": [] }]));
        for status in ["401", "403"] {
            assert!(
                json["responses"][status]["content"]["application/problem+json"].is_object(),
                "{status}: {json}"
            );
        }
    }
}
