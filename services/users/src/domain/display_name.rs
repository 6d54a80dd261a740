//! The name other people see for a user.

use std::fmt;

use serde::Serialize;

use super::FieldError;
use contracts::single_line_text;

const FIELD: &str = "displayName";

/// Long enough for any real name, short enough to fit a header, an order confirmation or an
/// email greeting without breaking the layout.
pub const MAX_CHARS: usize = 80;

/// A user's chosen name, trimmed, 1 to 80 characters, with no control characters.
///
/// The name ends up in HTML, in emails and in log lines; a newline or an escape sequence in it
/// could forge a log entry or a mail header, so control characters are refused rather than
/// escaped at every place the name is used. Lengths count Unicode scalar values, so names in
/// non-Latin scripts get the same room as Latin ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        single_line_text(FIELD, raw, MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_surrounding_whitespace() {
        let name = DisplayName::parse("  Ann Example \n").expect("valid name");
        assert_eq!(name.as_str(), "Ann Example");
        assert_eq!(name.to_string(), "Ann Example");
    }

    #[test]
    fn rejects_empty_and_blank() {
        for raw in ["", " \t\n "] {
            let error = DisplayName::parse(raw).expect_err("blank");
            assert_eq!(error, FieldError::new("displayName", "is required"));
        }
    }

    #[test]
    fn accepts_80_and_rejects_81_characters() {
        assert!(DisplayName::parse(&"a".repeat(80)).is_ok());
        assert!(DisplayName::parse(&"a".repeat(81)).is_err());
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 80 three-byte characters.
        assert!(DisplayName::parse(&"名".repeat(80)).is_ok());
    }

    #[test]
    fn rejects_control_characters_inside() {
        for raw in [
            "Ann\nExample",
            "Ann\tExample",
            "Ann\u{1b}[31mExample",
            "Ann\0",
        ] {
            assert!(DisplayName::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn serializes_as_a_plain_string() {
        let name = DisplayName::parse("Ann").expect("valid name");
        let json = serde_json::to_string(&name).expect("a DisplayName serializes");
        assert_eq!(json, r#""Ann""#);
    }
}
