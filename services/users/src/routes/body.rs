//! Reading JSON request bodies into DTOs checked with `validator`.

use salvo::prelude::*;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::{UsersError, field_errors};

/// The largest body any users endpoint accepts (the gateway enforces its own limit first).
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses the body as `T` (400 when it is not JSON of that shape) and validates it (422).
pub async fn parse_valid<T: DeserializeOwned + Validate>(
    req: &mut Request,
) -> Result<T, UsersError> {
    let bytes = req
        .payload_with_max_size(MAX_BODY_BYTES)
        .await
        .map_err(|e| UsersError::MalformedBody(e.to_string()))?;
    let value: T =
        serde_json::from_slice(bytes).map_err(|e| UsersError::MalformedBody(e.to_string()))?;
    value
        .validate()
        .map_err(|errors| UsersError::Validation(field_errors(&errors)))?;
    Ok(value)
}
