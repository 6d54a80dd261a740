//! The country part of an address.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;

const FIELD: &str = "country";

/// An ISO 3166-1 alpha-2 country code (`DE`, `US`), stored in upper case.
///
/// Only the shape is checked (two ASCII letters), not whether the code is assigned: the list
/// changes over time, and whether we ship to a country is a business rule for checkout, not a
/// property of the code. Upper case is the form carriers and tax tables use, so `de` becomes
/// `DE` on the way in.
///
/// `Deserialize` trusts its input; it exists to read back addresses we stored ourselves (see
/// [`super::ShippingAddress`]). Requests go through [`CountryCode::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, salvo::oapi::ToSchema)]
#[serde(transparent)]
#[salvo(schema(pattern = "^[A-Z]{2}$"))]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(FIELD, "is required"));
        }
        if trimmed.len() != 2 || !trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(FieldError::new(
                FIELD,
                "must be a two-letter ISO 3166-1 country code, e.g. DE",
            ));
        }
        Ok(Self(trimmed.to_ascii_uppercase()))
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uppercases() {
        for raw in ["de", "De", " DE "] {
            assert_eq!(
                CountryCode::parse(raw).expect("valid code").to_string(),
                "DE"
            );
        }
    }

    #[test]
    fn rejects_wrong_length() {
        for raw in ["", "D", "DEU", "Germany"] {
            assert!(CountryCode::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn rejects_non_letters() {
        // "ÄÖ" is two letters but four bytes, and not ASCII either way.
        for raw in ["D1", "4 ", "D-", "ÄÖ", "É"] {
            assert!(CountryCode::parse(raw).is_err(), "{raw:?}");
        }
    }
}
