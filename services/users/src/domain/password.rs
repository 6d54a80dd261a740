//! A password the user chose, good enough to be hashed and stored.

use std::fmt;

use super::{Email, FieldError};

const FIELD: &str = "password";

/// Length is what makes a password hard to guess (NIST SP 800-63B §3.1.1.2), so we require a
/// generous minimum instead of composition rules ("one digit, one symbol").
pub const MIN_CHARS: usize = 12;

/// Hashing cost grows with input length; a cap stops a request from making the hasher do
/// unbounded work, and no password manager generates anything longer.
pub const MAX_CHARS: usize = 128;

/// A plaintext password that meets our rules.
///
/// It is kept exactly as typed (not trimmed, not normalised): the user must be able to type the
/// same thing again and get the same hash. Lengths count Unicode scalar values, not bytes, so
/// `éééééééééééé` is twelve characters, as the user sees it, not twenty-four.
///
/// The value is a secret: `Debug` prints `Password(<redacted>)`, and there is deliberately no
/// `Display`, `Serialize` or `Clone`, so it cannot leak into a log line, a response or an event
/// by accident. Only the hasher reads it, through [`Password::expose`].
pub struct Password(String);

impl Password {
    /// Checks `raw` against the rules. `email` is the account's address: a password equal to it,
    /// or to its local part, is the first thing an attacker tries.
    pub fn parse(raw: String, email: &Email) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(FieldError::new(
                FIELD,
                format!("must be at least {MIN_CHARS} characters"),
            ));
        }
        if chars > MAX_CHARS {
            return Err(FieldError::new(
                FIELD,
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        if raw.trim().is_empty() {
            return Err(FieldError::new(FIELD, "must not be only whitespace"));
        }
        // `Email` is stored lowercased and trimmed, so compare against the password in that form.
        let as_address = raw.trim().to_lowercase();
        if as_address == email.as_str() || as_address == email.local_part() {
            return Err(FieldError::new(
                FIELD,
                "must not be your email address or its part before the @",
            ));
        }
        Ok(Self(raw))
    }

    /// The plaintext, for the password hasher and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("jonathan.smith@example.com").expect("valid address")
    }

    #[test]
    fn accepts_12_characters_and_keeps_them_as_typed() {
        let password = Password::parse(" correct hor".to_owned(), &email()).expect("12 chars");
        assert_eq!(password.expose(), " correct hor");
    }

    #[test]
    fn rejects_11_characters() {
        let error = Password::parse("correct hor".to_owned(), &email()).expect_err("11 chars");
        assert_eq!(error.message, "must be at least 12 characters");
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 'é' is two bytes in UTF-8: 11 of them are 22 bytes but still only 11 characters.
        assert!(Password::parse("é".repeat(11), &email()).is_err());
        assert!(Password::parse("é".repeat(12), &email()).is_ok());
    }

    #[test]
    fn accepts_128_and_rejects_129_characters() {
        assert!(Password::parse("x".repeat(128), &email()).is_ok());
        let error = Password::parse("x".repeat(129), &email()).expect_err("129 chars");
        assert_eq!(error.message, "must be at most 128 characters");
    }

    #[test]
    fn max_length_counts_characters_not_bytes() {
        // 128 'é' are 256 bytes.
        assert!(Password::parse("é".repeat(128), &email()).is_ok());
    }

    #[test]
    fn rejects_only_whitespace() {
        let error = Password::parse(" \t".repeat(8), &email()).expect_err("blank");
        assert_eq!(error.message, "must not be only whitespace");
    }

    #[test]
    fn rejects_the_email_in_any_case() {
        for raw in [
            "Jonathan.Smith@EXAMPLE.com",
            "  jonathan.smith@example.com ",
        ] {
            assert!(Password::parse(raw.to_owned(), &email()).is_err(), "{raw}");
        }
    }

    #[test]
    fn rejects_the_local_part_in_any_case() {
        for raw in ["jonathan.smith", "JONATHAN.SMITH", " Jonathan.Smith "] {
            assert!(Password::parse(raw.to_owned(), &email()).is_err(), "{raw}");
        }
    }

    #[test]
    fn accepts_a_password_merely_containing_the_local_part() {
        assert!(Password::parse("jonathan.smith-2024".to_owned(), &email()).is_ok());
    }

    #[test]
    fn debug_does_not_print_the_password() {
        let password = Password::parse("hunter2hunter2".to_owned(), &email()).expect("valid");
        let debug = format!("{password:?}");
        assert_eq!(debug, "Password(<redacted>)");
        assert!(!debug.contains("hunter2"));
        // Nor when it sits inside something else that is logged.
        assert!(!format!("{:?}", Some(&password)).contains("hunter2"));
    }
}
