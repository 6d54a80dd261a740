//! Reading JSON request bodies into DTOs checked with `validator`.

use salvo::prelude::*;
use serde::de::DeserializeOwned;
use service_runtime::request::{BodyError, field_errors, parse_valid_json};
use validator::Validate;

use crate::domain::FieldError;
use crate::error::InventoryError;

const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses the body as `T` (400 when it is not JSON of that shape) and validates it (422).
pub async fn parse_valid<T: DeserializeOwned + Validate>(
    req: &mut Request,
) -> Result<T, InventoryError> {
    parse_valid_json(req, MAX_BODY_BYTES)
        .await
        .map_err(|error| match error {
            BodyError::Malformed(detail) => InventoryError::MalformedBody(detail),
            BodyError::Invalid(errors) => InventoryError::Validation(field_errors(&errors)),
        })
}

/// Collects the outcome of parsing one field, remembering its error.
pub fn keep<T>(parsed: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    parsed.map_err(|e| errors.push(e)).ok()
}
