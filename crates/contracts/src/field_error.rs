//! The one way a value type says "this input is not acceptable"; every service uses it, and a
//! validation problem (422) lists them in its `errors` member.

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

#[cfg(test)]
mod tests {
    use super::*;

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
