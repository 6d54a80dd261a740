//! The one way a value type says "this input is not acceptable"; every service uses it, and a
//! validation problem (422) lists them in its `errors` member. With it, the text rule several
//! services' value types share (names, address lines, shipment details).

use serde::Serialize;

/// Why one field of a request was rejected.
///
/// Parsing collects these instead of stopping at the first problem, so a 422 response can list
/// every invalid field and the client can fix its form in one round trip. `field` is the name the
/// client sent (camelCase, as in the JSON body or the query string), so the client can put the
/// message next to the right input; `message` is written for the person filling in that input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// A required, single-line piece of text: trimmed, 1 to `max_chars` characters (Unicode scalar
/// values, so every script gets the same room), no control characters.
///
/// Names and address lines end up in HTML, emails, labels and log lines; a newline or an escape
/// sequence in them could forge a log entry or a mail header, and PostgreSQL cannot store a NUL,
/// so control characters are refused rather than escaped at every use.
pub fn single_line_text(
    field: &'static str,
    raw: &str,
    max_chars: usize,
) -> Result<String, FieldError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters such as line breaks or tabs",
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(single_line_text("name", "  Ada  ", 3), Ok("Ada".to_owned()));
        assert_eq!(single_line_text("name", "ééé", 3), Ok("ééé".to_owned()));
        assert!(single_line_text("name", "   ", 3).is_err());
        assert!(single_line_text("name", "Adam", 3).is_err());
        assert!(single_line_text("name", "A\nB", 3).is_err());
    }

    #[test]
    fn serializes_field_and_message() {
        let error = FieldError::new("postalCode", "is required");
        let json = serde_json::to_value(&error).expect("a FieldError serializes");
        assert_eq!(
            json,
            serde_json::json!({ "field": "postalCode", "message": "is required" })
        );
    }

    #[test]
    fn displays_field_then_message() {
        let error = FieldError::new("email", "is required");
        assert_eq!(error.to_string(), "email: is required");
    }
}
