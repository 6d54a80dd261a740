//! A syntactically valid email address, in the one form we store and compare.

use std::fmt;

use serde::Serialize;
use validator::ValidateEmail;

use super::FieldError;

const FIELD: &str = "email";

/// RFC 5321 limits a forward path to 256 octets including the angle brackets, which leaves 254
/// for the address itself; a longer one cannot be delivered, so accepting it would only create
/// an account that never receives its mail.
pub const MAX_CHARS: usize = 254;

/// An email address that has been trimmed, lowercased and checked for syntax.
///
/// Addresses are unique case-insensitively (`Ann@Example.com` and `ann@example.com` are one
/// account; the `users.email` column is `CITEXT`), so we normalise on the way in and only ever
/// store, compare and display the normalised form. Strictly the local part may be
/// case-sensitive (RFC 5321 §2.4), but no mail provider our customers use treats it so, and
/// letting two accounts differ only by case would invite impersonation.
///
/// Only [`Email::parse`] creates one, so holding an `Email` means the address was checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let normalised = raw.trim().to_lowercase();
        if normalised.is_empty() {
            return Err(FieldError::new(FIELD, "is required"));
        }
        // Checked before the syntax so an absurdly long input costs no regex work.
        if normalised.chars().count() > MAX_CHARS {
            return Err(FieldError::new(
                FIELD,
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        if !normalised.validate_email() {
            return Err(FieldError::new(FIELD, "is not a valid email address"));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`: what a person is most likely to reuse as a password.
    pub fn local_part(&self) -> &str {
        // A parsed address contains exactly one `@` (the local part may not contain one), so
        // the fallback is never taken.
        self.0
            .split_once('@')
            .map_or(self.0.as_str(), |(local, _domain)| local)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A syntactically valid address of exactly `len` characters (`len` between 130 and 256),
    /// with the longest local part and domain labels the syntax allows.
    fn email_of_length(len: usize) -> String {
        let local = "a".repeat(64);
        let label = "b".repeat(63);
        let last_label = "c".repeat(len - local.len() - 1 - 2 * (label.len() + 1));
        format!("{local}@{label}.{label}.{last_label}")
    }

    #[test]
    fn trims_and_lowercases() {
        let email = Email::parse("  Ann.Example@Example.COM \n").expect("valid address");
        assert_eq!(email.as_str(), "ann.example@example.com");
        assert_eq!(email.to_string(), "ann.example@example.com");
    }

    #[test]
    fn addresses_differing_only_in_case_are_equal() {
        assert_eq!(
            Email::parse("ANN@example.com").expect("valid address"),
            Email::parse("ann@EXAMPLE.com").expect("valid address"),
        );
    }

    #[test]
    fn local_part_is_before_the_at() {
        let email = Email::parse("Ann.Example+shop@example.com").expect("valid address");
        assert_eq!(email.local_part(), "ann.example+shop");
    }

    #[test]
    fn rejects_empty_and_blank() {
        for raw in ["", "   "] {
            let error = Email::parse(raw).expect_err("blank is not an address");
            assert_eq!(error, FieldError::new("email", "is required"));
        }
    }

    #[test]
    fn rejects_missing_at() {
        assert!(Email::parse("ann.example.com").is_err());
    }

    #[test]
    fn rejects_two_ats() {
        assert!(Email::parse("ann@home@example.com").is_err());
    }

    #[test]
    fn rejects_missing_local_part_or_domain() {
        assert!(Email::parse("@example.com").is_err());
        assert!(Email::parse("ann@").is_err());
    }

    #[test]
    fn accepts_254_characters() {
        let raw = email_of_length(254);
        assert_eq!(raw.len(), 254);
        assert!(Email::parse(&raw).is_ok());
    }

    #[test]
    fn rejects_255_characters() {
        let raw = email_of_length(255);
        assert_eq!(raw.len(), 255);
        let error = Email::parse(&raw).expect_err("too long");
        assert_eq!(error.message, "must be at most 254 characters");
    }

    #[test]
    fn serializes_as_a_plain_string() {
        let email = Email::parse("Ann@Example.com").expect("valid address");
        let json = serde_json::to_string(&email).expect("an Email serializes");
        assert_eq!(json, r#""ann@example.com""#);
    }
}
