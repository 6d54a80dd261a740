//! The text that tells a shopper what a product is.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;

const FIELD: &str = "description";

/// A few screens of text: enough for materials, sizes and care instructions, small enough to
/// send with every product in a catalogue page.
const MAX_CHARS: usize = 5000;

/// A product's description: trimmed, 0 to 5000 characters. Empty means "no description".
///
/// Unlike a name it is multi-line text, so line breaks (`\n`, `\r`) and tabs are kept. Every
/// other control character is refused: PostgreSQL cannot store a NUL, and escape sequences have
/// no business in a shop page. Lengths count Unicode scalar values. `Deserialize` goes through
/// [`ProductDescription::parse`].
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, salvo::oapi::ToSchema,
)]
#[serde(try_from = "String")]
#[salvo(schema(
    max_length = 5000,
    // No control characters but line breaks and tabs, as `parse` says.
    pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$",
    example = "100% organic cotton.\nMachine wash at 30 °C."
))]
pub struct ProductDescription(String);

impl ProductDescription {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > MAX_CHARS {
            return Err(FieldError::new(
                FIELD,
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(FieldError::new(
                FIELD,
                "must not contain control characters other than line breaks and tabs",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProductDescription {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl fmt::Display for ProductDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_are_no_description() {
        for raw in ["", "  \n\t "] {
            let description = ProductDescription::parse(raw).expect("valid description");
            assert_eq!(description.as_str(), "", "{raw:?}");
            assert_eq!(description, ProductDescription::default());
        }
    }

    #[test]
    fn trims_but_keeps_inner_line_breaks_and_tabs() {
        let description =
            ProductDescription::parse("\n Soft.\r\n\tWarm.\n ").expect("valid description");
        assert_eq!(description.as_str(), "Soft.\r\n\tWarm.");
    }

    #[test]
    fn accepts_5000_and_rejects_5001_characters() {
        assert!(ProductDescription::parse(&"é".repeat(5000)).is_ok());
        let error = ProductDescription::parse(&"é".repeat(5001)).expect_err("too long");
        assert_eq!(
            error,
            FieldError::new("description", "must be at most 5000 characters")
        );
    }

    #[test]
    fn rejects_other_control_characters() {
        for raw in ["Soft\0", "Soft\u{1b}[31m", "Soft\u{7f}"] {
            let error = ProductDescription::parse(raw).expect_err("control character");
            assert_eq!(error.field, "description", "{raw:?}");
        }
    }

    #[test]
    fn round_trips_through_json_as_a_plain_string() {
        let description = ProductDescription::parse("Soft.\nWarm.").expect("valid");
        let json = serde_json::to_string(&description).expect("serializes");
        assert_eq!(json, r#""Soft.\nWarm.""#);
        let back: ProductDescription = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, description);
        assert!(serde_json::from_str::<ProductDescription>(r#""\u0000""#).is_err());
    }
}
