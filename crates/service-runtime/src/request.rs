//! Reading JSON request bodies into DTOs checked with `validator`, the same way in every service.

use salvo::Request;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors};

use crate::field_error::FieldError;

/// Why a body could not become a `T`.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Not JSON, not this shape, or larger than allowed: the service answers 400 (or 413).
    #[error("the request body is not valid JSON of the expected shape: {0}")]
    Malformed(String),
    /// JSON of the right shape whose fields break their rules: the service answers 422.
    #[error("invalid fields")]
    Invalid(ValidationErrors),
}

/// Parses the body as `T`, at most `max_bytes` long, and validates it.
pub async fn parse_valid_json<T: DeserializeOwned + Validate>(
    req: &mut Request,
    max_bytes: usize,
) -> Result<T, BodyError> {
    let bytes = req
        .payload_with_max_size(max_bytes)
        .await
        .map_err(|e| BodyError::Malformed(e.to_string()))?;
    let value: T =
        serde_json::from_slice(bytes).map_err(|e| BodyError::Malformed(e.to_string()))?;
    value.validate().map_err(BodyError::Invalid)?;
    Ok(value)
}

/// `validator`'s report as field errors, sorted by field. Field names come from the derive,
/// which names fields with string literals.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut fields: Vec<FieldError> = errors
        .field_errors()
        .into_iter()
        .flat_map(|(field, errors)| {
            let field: &'static str = match field {
                std::borrow::Cow::Borrowed(name) => name,
                std::borrow::Cow::Owned(_) => "body",
            };
            errors.iter().map(move |error| {
                let message = error
                    .message
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| error.code.to_string());
                FieldError::new(field, message)
            })
        })
        .collect();
    fields.sort_by(|a, b| (a.field, &a.message).cmp(&(b.field, &b.message)));
    fields
}
