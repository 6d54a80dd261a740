//! The code that identifies a product in the catalogue, on labels and in the warehouse. Inventory
//! owns the catalogue, orders takes SKUs from customers: both read them with this one rule.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::FieldError;

const FIELD: &str = "sku";

/// The rule as a pattern, for documents that cannot run [`Sku::parse`] (OpenAPI schemas).
// Lowercase is accepted (and uppercased), so the documented pattern admits it too: a schema
// stricter than the parser would call valid input invalid.
pub const PATTERN: &str = "^[A-Za-z0-9](-?[A-Za-z0-9])*-?$";

/// Short enough to print as a barcode caption and to type from a shelf label; long enough for
/// the structured codes suppliers use (`ACME-TSHIRT-BLK-XL-2024`).
pub const MIN_CHARS: usize = 3;
pub const MAX_CHARS: usize = 32;

/// A stock keeping unit: 3 to 32 of `A-Z`, `0-9` and `-`, starting with a letter or a digit,
/// with no two hyphens in a row (`TSHIRT-BLK-XL`).
///
/// SKUs are unique and people read them aloud and type them from labels, so there is one
/// spelling per SKU: input is trimmed and uppercased (`tshirt-blk` is `TSHIRT-BLK`). Only ASCII
/// is allowed because scanners, spreadsheets and carrier systems mangle anything else, and a
/// double hyphen is refused because it is nearly always a typo that would otherwise create a
/// second, almost identical SKU.
///
/// `Deserialize` goes through [`Sku::parse`], so a `Sku` read from JSON is as valid as one built
/// in code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, salvo_oapi::ToSchema)]
#[serde(try_from = "String")]
#[salvo(schema(
    name = "Sku",
    min_length = 3,
    max_length = 32,
    pattern = "^[A-Za-z0-9](-?[A-Za-z0-9])*-?$",
    example = "TSHIRT-BLK-XL"
))]
pub struct Sku(String);

impl Sku {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        // ASCII-only uppercasing: `ß` must be refused below, not turned into `SS`.
        let normalised = raw.trim().to_ascii_uppercase();
        if normalised.is_empty() {
            return Err(FieldError::new(FIELD, "is required"));
        }
        if !normalised
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(FieldError::new(
                FIELD,
                "may contain only letters A-Z, digits and hyphens",
            ));
        }
        // All ASCII from here on, so bytes and characters are the same count.
        if !(MIN_CHARS..=MAX_CHARS).contains(&normalised.len()) {
            return Err(FieldError::new(
                FIELD,
                format!("must be {MIN_CHARS} to {MAX_CHARS} characters"),
            ));
        }
        if normalised.starts_with('-') {
            return Err(FieldError::new(
                FIELD,
                "must start with a letter or a digit",
            ));
        }
        if normalised.contains("--") {
            return Err(FieldError::new(
                FIELD,
                "must not contain two hyphens in a row",
            ));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sku {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_pattern_is_the_one_used_by_the_schema() {
        let mut components = salvo_oapi::Components::new();
        let _ = <Sku as salvo_oapi::ToSchema>::to_schema(&mut components);
        let components = serde_json::to_value(components).expect("components serialize");
        let schema = &components["schemas"]["Sku"];
        assert_eq!(schema["pattern"], PATTERN, "{schema}");
        assert_eq!(schema["minLength"], MIN_CHARS);
        assert_eq!(schema["maxLength"], MAX_CHARS);
    }

    #[test]
    fn trims_and_uppercases() {
        let sku = Sku::parse("  tshirt-Blk-xl \n").expect("valid sku");
        assert_eq!(sku.as_str(), "TSHIRT-BLK-XL");
        assert_eq!(sku.to_string(), "TSHIRT-BLK-XL");
    }

    #[test]
    fn skus_differing_only_in_case_are_equal() {
        assert_eq!(
            Sku::parse("abc-1").expect("valid sku"),
            Sku::parse("ABC-1").expect("valid sku"),
        );
    }

    #[test]
    fn accepts_3_and_32_characters() {
        assert!(Sku::parse("AB1").is_ok());
        assert!(Sku::parse(&"A".repeat(32)).is_ok());
    }

    #[test]
    fn rejects_2_and_33_characters() {
        for raw in ["AB".to_owned(), "A".repeat(33)] {
            let error = Sku::parse(&raw).expect_err("wrong length");
            assert_eq!(error.message, "must be 3 to 32 characters", "{raw}");
        }
    }

    #[test]
    fn length_is_counted_after_trimming() {
        assert!(Sku::parse("  AB  ").is_err());
        assert!(Sku::parse(&format!(" {} ", "A".repeat(32))).is_ok());
    }

    #[test]
    fn may_start_with_a_digit() {
        assert_eq!(
            Sku::parse("123-abc").expect("valid sku").as_str(),
            "123-ABC"
        );
    }

    #[test]
    fn rejects_a_leading_hyphen() {
        let error = Sku::parse("-ABC").expect_err("leading hyphen");
        assert_eq!(error.message, "must start with a letter or a digit");
    }

    #[test]
    fn rejects_a_double_hyphen() {
        let error = Sku::parse("ABC--1").expect_err("double hyphen");
        assert_eq!(error.message, "must not contain two hyphens in a row");
    }

    #[test]
    fn rejects_other_characters() {
        for raw in [
            "ABC 123", "ABC_123", "ABC.1", "ÄBC", "STRAßE", "ABC/1", "A\tBC",
        ] {
            let error = Sku::parse(raw).expect_err("invalid character");
            assert_eq!(error.field, "sku", "{raw:?}");
        }
    }

    #[test]
    fn rejects_empty_and_blank() {
        for raw in ["", "   "] {
            assert_eq!(
                Sku::parse(raw).expect_err("blank"),
                FieldError::new("sku", "is required")
            );
        }
    }

    #[test]
    fn round_trips_through_json_as_a_plain_string() {
        let sku = Sku::parse("abc-1").expect("valid sku");
        let json = serde_json::to_string(&sku).expect("a Sku serializes");
        assert_eq!(json, r#""ABC-1""#);
        assert_eq!(serde_json::from_str::<Sku>(&json).expect("valid"), sku);
    }

    #[test]
    fn deserializing_applies_the_rules() {
        assert_eq!(
            serde_json::from_str::<Sku>(r#"" abc-1 ""#)
                .expect("valid sku")
                .as_str(),
            "ABC-1"
        );
        assert!(serde_json::from_str::<Sku>(r#""A--B""#).is_err());
    }
}
