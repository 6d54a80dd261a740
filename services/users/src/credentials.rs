//! Password hashing (argon2id) and refresh tokens (random, stored hashed).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::config::UsersConfig;
use crate::domain::Password;

/// Hashes and verifies passwords. Cloning is cheap; hashing runs on the blocking pool because
/// argon2id is deliberately slow.
#[derive(Clone)]
pub struct PasswordHasherService {
    params: Params,
    /// The hash of a random password, verified against when the email is unknown, so that an
    /// unknown email and a wrong password take the same time and cannot be told apart.
    decoy_hash: String,
}

impl PasswordHasherService {
    pub fn new(config: &UsersConfig) -> anyhow::Result<Self> {
        let params = Params::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let mut decoy = [0u8; 32];
        OsRng.fill_bytes(&mut decoy);
        let decoy_hash = hash_with(&params, &URL_SAFE_NO_PAD.encode(decoy))?;
        Ok(Self { params, decoy_hash })
    }

    pub async fn hash(&self, password: &Password) -> anyhow::Result<String> {
        let params = self.params.clone();
        let password = password.expose().to_owned();
        tokio::task::spawn_blocking(move || hash_with(&params, &password)).await?
    }

    /// Verifies `password` against `stored_hash`, or against the decoy when there is no user.
    pub async fn verify(&self, password: &str, stored_hash: Option<&str>) -> anyhow::Result<bool> {
        let hash = stored_hash.unwrap_or(&self.decoy_hash).to_owned();
        let known = stored_hash.is_some();
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || -> anyhow::Result<bool> {
            let parsed = PasswordHash::new(&hash)
                .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
            Ok(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await??;
        Ok(known && matches)
    }
}

fn hash_with(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// A new opaque refresh token: 256 random bits, URL-safe.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for a refresh token: its SHA-256 (a fast hash is right here, unlike for
/// passwords, because the token is 256 random bits, not something guessable).
pub fn refresh_token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_unique_and_hash_deterministically() {
        let (a, b) = (new_refresh_token(), new_refresh_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(refresh_token_hash(&a), refresh_token_hash(&a));
        assert_ne!(refresh_token_hash(&a), refresh_token_hash(&b));
        assert_eq!(refresh_token_hash(&a).len(), 64);
    }
}
