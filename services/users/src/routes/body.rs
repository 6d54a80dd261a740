//! Reading JSON request bodies into DTOs checked with `validator`.

use salvo::prelude::*;
use serde::de::DeserializeOwned;
use service_runtime::request::{BodyError, field_errors, parse_valid_json};
use validator::Validate;

use crate::error::UsersError;

/// The largest body any users endpoint accepts (the gateway enforces its own limit first).
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses the body as `T` (400 when it is not JSON of that shape) and validates it (422).
pub async fn parse_valid<T: DeserializeOwned + Validate>(
    req: &mut Request,
) -> Result<T, UsersError> {
    parse_valid_json(req, MAX_BODY_BYTES)
        .await
        .map_err(|error| match error {
            BodyError::Malformed(detail) => UsersError::MalformedBody(detail),
            BodyError::Invalid(errors) => UsersError::Validation(field_errors(&errors)),
        })
}
