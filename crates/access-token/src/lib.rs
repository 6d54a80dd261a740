//! Access tokens: short-lived JWTs that `users` issues at login and the gateway verifies once per
//! request, and the identity headers the gateway then forwards to the services.
//!
//! Tokens are signed with HS256 and a key both sides read from the Dapr secret store
//! (`jwt-signing-key`). A service behind the gateway never sees a token: it trusts the
//! identity headers only because the call reached it through its sidecar carrying the app API
//! token, which the gateway strips and re-sets on every request.

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The caller's user id, set by the gateway after verifying the token.
pub const USER_ID_HEADER: &str = "x-user-id";
/// The caller's roles, comma-separated, set by the gateway after verifying the token.
pub const USER_ROLES_HEADER: &str = "x-user-roles";

const ISSUER: &str = "shop-users";

/// Whether the roles header the gateway set (comma-separated) grants `role`. Services check
/// admin routes with it again, so the rule holds even for a call that reached them another way
/// through Dapr.
pub fn roles_header_grants(header: Option<&str>, role: &str) -> bool {
    header.is_some_and(|roles| roles.split(',').any(|r| r.trim() == role))
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id.
    pub sub: Uuid,
    pub roles: Vec<String>,
    pub iat: i64,
    pub exp: i64,
    /// A unique id per token, for audit logs and revocation lists.
    pub jti: Uuid,
    pub iss: String,
}

impl AccessClaims {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is invalid")]
    Invalid,
    #[error("could not sign the token")]
    Signing,
}

/// Signs and verifies access tokens with one shared key.
#[derive(Clone)]
pub struct AccessTokenKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for AccessTokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessTokenKey(<redacted>)")
    }
}

impl AccessTokenKey {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    /// Issues a token for `user_id` with `roles`, valid for `ttl`.
    pub fn issue(
        &self,
        user_id: Uuid,
        roles: Vec<String>,
        ttl: Duration,
    ) -> Result<(String, AccessClaims), TokenError> {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: user_id,
            roles,
            iat: now,
            exp: now + ttl.as_secs() as i64,
            jti: Uuid::new_v4(),
            iss: ISSUER.into(),
        };
        self.sign(&claims).map(|token| (token, claims))
    }

    /// Signs arbitrary claims (tests use it to make expired tokens).
    pub fn sign(&self, claims: &AccessClaims) -> Result<String, TokenError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|_| TokenError::Signing)
    }

    /// Checks signature, algorithm, issuer and expiry (no leeway: a token is short-lived anyway).
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AccessTokenKey {
        AccessTokenKey::from_secret(b"test-key-of-a-reasonable-length-0123456789")
    }

    #[test]
    fn roles_header_is_matched_exactly() {
        assert!(roles_header_grants(Some("customer, admin"), "admin"));
        assert!(!roles_header_grants(
            Some("customer,administrator"),
            "admin"
        ));
        assert!(!roles_header_grants(None, "admin"));
    }

    #[test]
    fn issued_tokens_verify_with_their_claims() {
        let user = Uuid::new_v4();
        let (token, claims) = key()
            .issue(user, vec!["customer".into()], Duration::from_secs(60))
            .unwrap();
        let verified = key().verify(&token).unwrap();
        assert_eq!(verified, claims);
        assert_eq!(verified.sub, user);
        assert!(verified.has_role("customer") && !verified.has_role("admin"));
    }

    #[test]
    fn expired_tokens_are_refused_as_expired() {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: Uuid::new_v4(),
            roles: vec![],
            iat: now - 120,
            exp: now - 60,
            jti: Uuid::new_v4(),
            iss: ISSUER.into(),
        };
        let token = key().sign(&claims).unwrap();
        assert_eq!(key().verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn tampered_or_foreign_tokens_are_invalid() {
        let (token, _) = key()
            .issue(
                Uuid::new_v4(),
                vec!["customer".into()],
                Duration::from_secs(60),
            )
            .unwrap();
        let other = AccessTokenKey::from_secret(b"another-key-another-key-another-key-0000");
        assert_eq!(other.verify(&token), Err(TokenError::Invalid));

        // Swap the payload for one that claims admin, keeping the original signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let (forged, _) = other
            .issue(
                Uuid::new_v4(),
                vec!["admin".into()],
                Duration::from_secs(60),
            )
            .unwrap();
        let forged_payload = forged.split('.').nth(1).unwrap().to_owned();
        parts[1] = &forged_payload;
        assert_eq!(key().verify(&parts.join(".")), Err(TokenError::Invalid));
        assert_eq!(key().verify("not-a-jwt"), Err(TokenError::Invalid));
    }
}
