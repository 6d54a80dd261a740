//! A phone number we can send text messages to.

use std::fmt;

use serde::Serialize;

use super::FieldError;

/// The JSON field of the profile API (`"phone"`), so the client can show the message next to it.
const FIELD: &str = "phone";

/// Characters people type to group digits; they carry no meaning and are dropped.
const SEPARATORS: [char; 5] = [' ', '-', '.', '(', ')'];

/// E.164 allows at most 15 digits including the country code; fewer than 8 is shorter than any
/// real subscriber number with its country code.
const MIN_DIGITS: usize = 8;
const MAX_DIGITS: usize = 15;

/// A phone number in E.164 form: `+`, the country code and the number, digits only
/// (`+4915112345678`).
///
/// SMS providers expect exactly this form, so we normalise once on the way in and store it;
/// comparing two numbers is then a string comparison. Users may type the number the way it is
/// printed (`+49 (151) 123-456.78`): spaces, hyphens, dots and parentheses are removed. A
/// national form without the country code (`0151 …`, or `0049 …`) is refused rather than
/// guessed, because guessing the country sends the code to a stranger.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let normalised: String = raw
            .trim()
            .chars()
            .filter(|c| !SEPARATORS.contains(c))
            .collect();
        if normalised.is_empty() {
            return Err(FieldError::new(FIELD, "is required"));
        }
        let Some(digits) = normalised.strip_prefix('+') else {
            return Err(FieldError::new(
                FIELD,
                "must start with + and the country code, e.g. +49 151 12345678",
            ));
        };
        // `is_ascii_digit`, not `is_numeric`: an SMS gateway does not understand '٣'.
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(
                FIELD,
                "may contain only digits after the +, apart from spaces, hyphens, dots and parentheses",
            ));
        }
        if digits.starts_with('0') {
            return Err(FieldError::new(
                FIELD,
                "must continue with the country code after the +, which never starts with 0",
            ));
        }
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
            return Err(FieldError::new(
                FIELD,
                format!("must have {MIN_DIGITS} to {MAX_DIGITS} digits including the country code"),
            ));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_separators() {
        for raw in [
            "+4915112345678",
            " +49 151 12345678 ",
            "+49-151-123-456-78",
            "+49.151.123.456.78",
            "+49 (151) 123-456.78",
        ] {
            let phone = PhoneNumber::parse(raw).expect("valid number");
            assert_eq!(phone.as_str(), "+4915112345678", "{raw}");
        }
    }

    #[test]
    fn accepts_8_and_15_digits() {
        assert!(PhoneNumber::parse("+12345678").is_ok());
        assert!(PhoneNumber::parse("+123456789012345").is_ok());
    }

    #[test]
    fn rejects_7_digits() {
        assert!(PhoneNumber::parse("+1234567").is_err());
    }

    #[test]
    fn rejects_16_digits() {
        assert!(PhoneNumber::parse("+1234567890123456").is_err());
    }

    #[test]
    fn rejects_zero_after_plus() {
        assert!(PhoneNumber::parse("+0151 12345678").is_err());
    }

    #[test]
    fn rejects_missing_plus() {
        for raw in ["4915112345678", "0151 12345678", "0049 151 12345678"] {
            assert!(PhoneNumber::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn rejects_letters_and_other_symbols() {
        for raw in [
            "+49 151 CALL-NOW",
            "+49151123456x8",
            "+49/151/12345678",
            "+49+15112345678",
        ] {
            assert!(PhoneNumber::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn rejects_non_ascii_digits() {
        assert!(PhoneNumber::parse("+٤٩١٥١١٢٣٤٥٦٧٨").is_err());
    }

    #[test]
    fn names_the_phone_field() {
        let error = PhoneNumber::parse("123").expect_err("missing +");
        assert_eq!(error.field, "phone");
    }

    #[test]
    fn rejects_empty_and_plus_alone() {
        assert!(PhoneNumber::parse("  ").is_err());
        assert!(PhoneNumber::parse("+").is_err());
        assert!(PhoneNumber::parse("+ ( ) - .").is_err());
    }

    #[test]
    fn serializes_the_normalised_form() {
        let phone = PhoneNumber::parse("+49 151 12345678").expect("valid number");
        assert_eq!(phone.to_string(), "+4915112345678");
        let json = serde_json::to_string(&phone).expect("a PhoneNumber serializes");
        assert_eq!(json, r#""+4915112345678""#);
    }
}
