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

/// The largest JSON body a service reads (the gateway enforces its own 1 MiB limit first).
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// A JSON body of type `T`, checked with `validator`: the extractor every endpoint with a body
/// uses. A body that is not JSON of this shape is refused with 400, one whose fields break their
/// rules with 422 listing every field; both as problem+json, before the handler runs. The OpenAPI
/// operation gets `T` as its required request body and those two problems.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<T> ValidJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl From<BodyError> for crate::Problem {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::Malformed(detail) => crate::Problem::bad_request(detail),
            BodyError::Invalid(errors) => crate::Problem::validation(field_errors(&errors)),
        }
    }
}

impl<'ex, T> salvo::Extractible<'ex> for ValidJson<T>
where
    T: DeserializeOwned + Validate + Send,
{
    fn metadata() -> &'static salvo::extract::Metadata {
        static METADATA: salvo::extract::Metadata = salvo::extract::Metadata::new("");
        &METADATA
    }

    #[allow(refining_impl_trait)]
    async fn extract(
        req: &'ex mut Request,
        _depot: &'ex mut salvo::Depot,
    ) -> Result<Self, crate::Problem> {
        parse_valid_json(req, MAX_JSON_BODY_BYTES)
            .await
            .map(Self)
            .map_err(crate::Problem::from)
    }
}

impl<T: salvo::oapi::ToSchema> salvo::oapi::EndpointArgRegister for ValidJson<T> {
    fn register(
        components: &mut salvo::oapi::Components,
        operation: &mut salvo::oapi::Operation,
        _arg: &str,
    ) {
        let schema = T::to_schema(components);
        operation.request_body = Some(
            salvo::oapi::RequestBody::new()
                .required(salvo::oapi::Required::True)
                .add_content("application/json", salvo::oapi::Content::new(schema)),
        );
        crate::problem::register_problem_responses(
            components,
            operation,
            &[
                (400, "The body is not JSON of this shape"),
                (422, "Some fields are invalid; `errors` names each one"),
            ],
        );
    }
}

/// A page size in the query string (`?limit=`): 1 to `MAX`, `DEFAULT` when absent.
///
/// Out-of-range values are refused, never silently replaced: a client that asks for 1000 rows
/// and gets 100 would think it had them all. The OpenAPI schema carries the same bounds and
/// default, from these two constants. The raw text is kept so that anything sent (`-5`, `ten`,
/// `1.5`, a number too large for any integer type) reaches [`Limit::get`] and is refused with a
/// field error naming `limit`: salvo's optional `QueryParam` would otherwise turn a value it
/// cannot parse into "absent", and the client would silently get the default page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Limit<const DEFAULT: u32, const MAX: u32>(String);

impl<const DEFAULT: u32, const MAX: u32> Limit<DEFAULT, MAX> {
    /// The page size asked for, or the default when `raw` is absent.
    pub fn get(raw: Option<Self>) -> Result<u32, FieldError> {
        match raw {
            None => Ok(DEFAULT),
            Some(Self(text)) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|limit| (1..=MAX).contains(limit))
                .ok_or_else(|| {
                    FieldError::new("limit", format!("a whole number between 1 and {MAX}"))
                }),
        }
    }
}

impl<const DEFAULT: u32, const MAX: u32> salvo::oapi::ToSchema for Limit<DEFAULT, MAX> {
    fn to_schema(
        _components: &mut salvo::oapi::Components,
    ) -> salvo::oapi::RefOr<salvo::oapi::schema::Schema> {
        salvo::oapi::Object::new()
            .schema_type(salvo::oapi::schema::BasicType::Integer)
            .minimum(1)
            .maximum(MAX)
            .default_value(serde_json::json!(DEFAULT))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use salvo::oapi::ToSchema;

    use super::*;

    type OrdersLimit = Limit<20, 100>;

    fn limit(raw: &str) -> Option<OrdersLimit> {
        Some(Limit(raw.to_owned()))
    }

    #[test]
    fn a_limit_in_range_is_taken_and_none_is_the_default() {
        assert_eq!(OrdersLimit::get(None), Ok(20));
        assert_eq!(OrdersLimit::get(limit("1")), Ok(1));
        assert_eq!(OrdersLimit::get(limit("100")), Ok(100));
    }

    #[test]
    fn a_limit_out_of_range_or_not_a_number_is_refused_not_replaced() {
        for raw in [
            "0",
            "-121",
            "101",
            "-31697551720803008512",
            "ten",
            "1.5",
            "",
        ] {
            let error = OrdersLimit::get(limit(raw)).expect_err("refused");
            assert_eq!(
                error,
                FieldError::new("limit", "a whole number between 1 and 100"),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn the_schema_states_the_bounds_and_default() {
        let schema =
            serde_json::to_value(OrdersLimit::to_schema(&mut salvo::oapi::Components::new()))
                .expect("a schema serializes");
        assert_eq!(schema["minimum"], 1);
        assert_eq!(schema["maximum"], 100);
        assert_eq!(schema["default"], 20);
    }
}
