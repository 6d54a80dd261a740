//! Who may call what. The gateway verifies the access token once (signature, issuer, expiry)
//! and replaces any identity headers the client sent with the verified ones.

use access_token::{AccessClaims, AccessTokenKey, TokenError};
use salvo::http::Method;
use salvo::http::header::AUTHORIZATION;
use salvo::prelude::*;
use service_runtime::Problem;

/// What a route demands of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    SignedIn,
    Admin,
}

/// The verified caller of this request, if any.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<AccessClaims>);

/// Reads and verifies the bearer token. A request with a bad token is refused even on a public
/// route: the client believes it is signed in, and should learn that it is not.
pub fn authenticate(req: &Request, key: &AccessTokenKey) -> Result<Caller, Problem> {
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok(Caller(None));
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| {
            Problem::unauthorized("the Authorization header must be `Bearer <access token>`")
        })?;
    match key.verify(token.trim()) {
        Ok(claims) => Ok(Caller(Some(claims))),
        Err(TokenError::Expired) => Err(Problem::new(
            salvo::http::StatusCode::UNAUTHORIZED,
            "token-expired",
            "The access token has expired",
        )
        .with_detail("refresh it with POST /api/users/refresh")),
        Err(_) => Err(Problem::unauthorized("the access token is invalid")),
    }
}

pub fn authorize(caller: &Caller, access: Access) -> Result<(), Problem> {
    match (access, &caller.0) {
        (Access::Public, _) => Ok(()),
        (_, None) => Err(Problem::unauthorized("this route needs an access token")),
        (Access::SignedIn, Some(_)) => Ok(()),
        (Access::Admin, Some(claims)) if claims.has_role("admin") => Ok(()),
        (Access::Admin, Some(_)) => Err(Problem::forbidden("this route is for administrators")),
    }
}

/// `/api/users/...`: signing up and in is open, everything else is for signed-in users.
pub fn users_access(_method: &Method, rest: &str) -> Access {
    match rest.trim_end_matches('/') {
        "register" | "login" | "refresh" | "logout" | "stats" => Access::Public,
        _ => Access::SignedIn,
    }
}

/// `/api/catalog/...`: browsing is open; changes go through `/api/admin/catalog`.
pub fn catalog_access(_method: &Method, _rest: &str) -> Access {
    Access::Public
}

/// `/api/payments/...`: the provider's webhook is open (the provider is no user of ours; the
/// payments service checks its `Stripe-Signature`), everything else is for signed-in users.
pub fn payments_access(_method: &Method, rest: &str) -> Access {
    // Any method: the service answers what it does not serve there (405), not the gateway 401.
    match rest.trim_end_matches('/') {
        "webhooks/stripe" => Access::Public,
        _ => Access::SignedIn,
    }
}

pub fn public(_method: &Method, _rest: &str) -> Access {
    Access::Public
}

pub fn signed_in(_method: &Method, _rest: &str) -> Access {
    Access::SignedIn
}

pub fn admin(_method: &Method, _rest: &str) -> Access {
    Access::Admin
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn claims(roles: &[&str]) -> Caller {
        Caller(Some(AccessClaims {
            sub: Uuid::new_v4(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            iat: 0,
            exp: i64::MAX,
            jti: Uuid::new_v4(),
            iss: "shop-users".into(),
        }))
    }

    #[test]
    fn only_the_providers_webhook_is_open_among_payments() {
        assert_eq!(
            payments_access(&Method::POST, "webhooks/stripe"),
            Access::Public
        );
        assert_eq!(
            payments_access(&Method::PUT, "webhooks/stripe"),
            Access::Public
        );
        assert_eq!(
            payments_access(&Method::GET, "webhooks/stripe/x"),
            Access::SignedIn
        );
        assert_eq!(
            payments_access(&Method::GET, "orders/123"),
            Access::SignedIn
        );
    }

    #[test]
    fn admin_routes_need_the_admin_role() {
        assert_eq!(
            authorize(&claims(&["customer"]), Access::Admin)
                .unwrap_err()
                .status,
            403
        );
        assert_eq!(
            authorize(&Caller(None), Access::Admin).unwrap_err().status,
            401
        );
        assert!(authorize(&claims(&["customer", "admin"]), Access::Admin).is_ok());
    }

    #[test]
    fn user_routes_are_open_only_for_signing_up_and_in() {
        assert_eq!(users_access(&Method::POST, "login"), Access::Public);
        assert_eq!(users_access(&Method::POST, "register/"), Access::Public);
        assert_eq!(users_access(&Method::GET, "me"), Access::SignedIn);
        assert!(authorize(&Caller(None), Access::SignedIn).is_err());
        assert!(authorize(&Caller(None), Access::Public).is_ok());
    }
}
