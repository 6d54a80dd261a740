//! What a user is allowed to do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A user's role. Every registered user is a `Customer`; `Admin` may manage the catalogue and
/// other users.
///
/// The lowercase names (`"customer"`, `"admin"`) are the stored form (`users.roles TEXT[]`) and
/// the wire form in tokens and events, so they must not change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, salvo::oapi::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of ours, e.g. from a row written by a newer version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    /// Exact match only: the stored names are always lowercase, so anything else is a bug
    /// worth surfacing rather than a spelling to forgive.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "customer" => Ok(Self::Customer),
            "admin" => Ok(Self::Admin),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Role; 2] = [Role::Customer, Role::Admin];

    #[test]
    fn round_trips_through_its_name() {
        for role in ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
        }
    }

    #[test]
    fn round_trips_through_json_as_a_lowercase_string() {
        for role in ALL {
            let json = serde_json::to_string(&role).expect("a Role serializes");
            assert_eq!(json, format!("\"{}\"", role.as_str()));
            let back: Role = serde_json::from_str(&json).expect("a Role deserializes");
            assert_eq!(back, role);
        }
    }

    #[test]
    fn rejects_unknown_names() {
        assert_eq!(
            "superuser".parse::<Role>(),
            Err(UnknownRole("superuser".to_owned()))
        );
        assert!("Admin".parse::<Role>().is_err());
        assert!(serde_json::from_str::<Role>(r#""Admin""#).is_err());
    }
}
