//! What a product is called in the catalogue.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;
use contracts::single_line_text;

const FIELD: &str = "name";

/// Room for a long descriptive title (brand, model, size, colour) while still fitting a search
/// result, a cart line and an invoice line.
const MAX_CHARS: usize = 200;

/// A product's name: trimmed, 1 to 200 characters, with no control characters.
///
/// The name is printed on one line everywhere (cart, invoice, emails, logs): a line break in it
/// would break that layout or forge a log line, and PostgreSQL cannot store a NUL at all, so
/// control characters are refused rather than escaped at every use. Lengths count Unicode
/// scalar values, so names in any script get the same room. `Deserialize` goes through
/// [`ProductName::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, salvo::oapi::ToSchema)]
#[serde(try_from = "String")]
#[salvo(schema(
    min_length = 1,
    max_length = 200,
    // The single-line rule (some visible character, no control characters) as a pattern.
    pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$",
    example = "Organic cotton T-shirt, black, XL"
))]
pub struct ProductName(String);

impl ProductName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        single_line_text(FIELD, raw, MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProductName {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl fmt::Display for ProductName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_surrounding_whitespace() {
        let name = ProductName::parse("  Black T-shirt \n").expect("valid name");
        assert_eq!(name.as_str(), "Black T-shirt");
        assert_eq!(name.to_string(), "Black T-shirt");
    }

    #[test]
    fn keeps_the_case_as_typed() {
        assert_eq!(
            ProductName::parse("iPhone case")
                .expect("valid name")
                .as_str(),
            "iPhone case"
        );
    }

    #[test]
    fn rejects_empty_and_blank() {
        for raw in ["", " \t\n "] {
            assert_eq!(
                ProductName::parse(raw),
                Err(FieldError::new("name", "is required"))
            );
        }
    }

    #[test]
    fn accepts_200_and_rejects_201_characters() {
        assert!(ProductName::parse(&"a".repeat(200)).is_ok());
        let error = ProductName::parse(&"a".repeat(201)).expect_err("too long");
        assert_eq!(error.message, "must be at most 200 characters");
    }

    #[test]
    fn counts_characters_not_bytes_after_trimming() {
        // 200 three-byte characters, plus whitespace that does not count.
        assert!(ProductName::parse(&format!(" {} ", "茶".repeat(200))).is_ok());
    }

    #[test]
    fn rejects_control_characters_inside() {
        for raw in [
            "Black\nT-shirt",
            "Black\tT-shirt",
            "Black\u{1b}[31m",
            "Black\0",
        ] {
            assert!(ProductName::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn round_trips_through_json_as_a_plain_string() {
        let name = ProductName::parse(" Black T-shirt ").expect("valid name");
        let json = serde_json::to_string(&name).expect("serializes");
        assert_eq!(json, r#""Black T-shirt""#);
        assert_eq!(
            serde_json::from_str::<ProductName>(&json).expect("valid"),
            name
        );
        assert!(serde_json::from_str::<ProductName>(r#""""#).is_err());
    }
}
