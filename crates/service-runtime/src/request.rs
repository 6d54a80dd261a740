//! What every service reads from a request the same way: JSON bodies into DTOs checked with
//! `validator`, page sizes, UUID path ids and the `Idempotency-Key` header. Each type reads its
//! value by a rule and states that rule in the OpenAPI document from the same constants.

use std::marker::PhantomData;

use salvo::extract::Metadata;
use salvo::oapi::schema::BasicType;
use salvo::oapi::{Components, EndpointArgRegister, Object, Operation, Parameter, ParameterIn};
use salvo::{Depot, Extractible, Request};
use serde::de::DeserializeOwned;
use uuid::Uuid;
use validator::{Validate, ValidationErrors};

use crate::field_error::FieldError;
use crate::problem::Problem;

/// Metadata for the extractors here, which read the request themselves.
fn no_metadata() -> &'static Metadata {
    static METADATA: Metadata = Metadata::new("");
    &METADATA
}

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
    // Every body of this API is a JSON object. serde's derived `Deserialize` would also read an
    // array as the struct's fields in order (`["token"]` as `{"refreshToken": "token"}`), which
    // the document does not allow: refuse anything but an object first.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(BodyError::Malformed(
            "the request body must be a JSON object".into(),
        ));
    }
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
    fn metadata() -> &'static Metadata {
        no_metadata()
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

/// What a [`PathId`] names: the path argument it is read from, how the document describes it,
/// and what the service answers for an id that names nothing of its kind.
pub trait PathIdSegment {
    /// The argument of the route's path: `order_id` for `/orders/{order_id}`.
    const ARG: &'static str;
    /// The parameter's description in the document ("The order's id").
    const DESCRIPTION: &'static str;
    /// The service's answer for an unknown id (its 404 problem).
    fn not_found() -> Problem;
}

/// A UUID path segment, named by `S`. The document declares it a required UUID; a segment that
/// is not one names nothing, so it is refused as an unknown id is (`S::not_found`), before any
/// other check: a client cannot tell a malformed id from a missing resource, and need not.
///
/// A service names its segments once: `pub type OrderId = PathId<OrderIdSegment>;`.
pub struct PathId<S>(pub Uuid, PhantomData<fn() -> S>);

impl<S: PathIdSegment> PathId<S> {
    /// The id in `S::ARG`, whatever the handler calls its argument: the route names the
    /// segment, and the document must name the same one.
    pub fn from_request(req: &Request) -> Result<Self, Problem> {
        req.param::<String>(S::ARG)
            .and_then(|raw| raw.parse().ok())
            .map(|id| Self(id, PhantomData))
            .ok_or_else(S::not_found)
    }
}

// By hand: derived, these would ask `S`, which is only a name, for the same traits.
impl<S> Clone for PathId<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for PathId<S> {}

impl<S> PartialEq for PathId<S> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<S> Eq for PathId<S> {}

impl<S> std::fmt::Debug for PathId<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PathId").field(&self.0).finish()
    }
}

impl<'ex, S: PathIdSegment> Extractible<'ex> for PathId<S> {
    fn metadata() -> &'static Metadata {
        no_metadata()
    }

    #[allow(refining_impl_trait)]
    async fn extract(req: &'ex mut Request, _depot: &'ex mut Depot) -> Result<Self, Problem> {
        Self::from_request(req)
    }
}

impl<S: PathIdSegment> EndpointArgRegister for PathId<S> {
    fn register(components: &mut Components, operation: &mut Operation, _arg: &str) {
        use salvo::oapi::ToSchema;
        operation.parameters.insert(
            Parameter::new(S::ARG)
                .location(ParameterIn::Path)
                .description(S::DESCRIPTION)
                .required(true)
                .schema(Uuid::to_schema(components)),
        );
    }
}

/// A client's `Idempotency-Key`: 1 to 255 visible ASCII characters (a UUID, typically). The
/// rule is the header's, the same in every service; what a repeat under one key does is each
/// route's (see [`IdempotentRequest`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The header's name, as clients send it and field errors name it.
    pub const HEADER: &'static str = "Idempotency-Key";
    pub const MAX_CHARS: usize = 255;
    /// Visible ASCII (`!` to `~`), as [`IdempotencyKey::parse`] requires.
    pub const PATTERN: &'static str = "^[!-~]+$";

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.is_empty()
            || raw.len() > Self::MAX_CHARS
            || !raw.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(Self::invalid());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn invalid() -> FieldError {
        FieldError::new(
            Self::HEADER,
            format!("1 to {} visible ASCII characters", Self::MAX_CHARS),
        )
    }
}

/// A request that a client may repeat under one `Idempotency-Key`: what the document tells
/// clients such a repeat does.
pub trait IdempotentRequest {
    /// The header's description in the document.
    const KEY_DESCRIPTION: &'static str;
}

/// The optional `Idempotency-Key` header of an `R`, parsed before the body is read: a key that
/// breaks [`IdempotencyKey`]'s rule is a 422 naming `Idempotency-Key`. The document states the
/// same rule (length and pattern) and `R`'s description.
pub struct IdempotencyKeyHeader<R>(pub Option<IdempotencyKey>, PhantomData<fn() -> R>);

impl<R> IdempotencyKeyHeader<R> {
    pub fn from_request(req: &Request) -> Result<Self, FieldError> {
        let Some(raw) = req.headers().get(IdempotencyKey::HEADER) else {
            return Ok(Self(None, PhantomData));
        };
        // Not text at all (bytes outside visible ASCII): refused by the same rule.
        let raw = raw.to_str().map_err(|_| IdempotencyKey::invalid())?;
        IdempotencyKey::parse(raw).map(|key| Self(Some(key), PhantomData))
    }
}

impl<R> Clone for IdempotencyKeyHeader<R> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<R> PartialEq for IdempotencyKeyHeader<R> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<R> Eq for IdempotencyKeyHeader<R> {}

impl<R> std::fmt::Debug for IdempotencyKeyHeader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("IdempotencyKeyHeader")
            .field(&self.0)
            .finish()
    }
}

impl<'ex, R> Extractible<'ex> for IdempotencyKeyHeader<R> {
    fn metadata() -> &'static Metadata {
        no_metadata()
    }

    #[allow(refining_impl_trait)]
    async fn extract(req: &'ex mut Request, _depot: &'ex mut Depot) -> Result<Self, Problem> {
        Self::from_request(req).map_err(|error| Problem::validation(vec![error]))
    }
}

impl<R: IdempotentRequest> EndpointArgRegister for IdempotencyKeyHeader<R> {
    fn register(_components: &mut Components, operation: &mut Operation, _arg: &str) {
        let schema = Object::new()
            .schema_type(BasicType::String)
            .min_length(1)
            .max_length(IdempotencyKey::MAX_CHARS)
            .pattern(IdempotencyKey::PATTERN);
        operation.parameters.insert(
            Parameter::new(IdempotencyKey::HEADER)
                .location(ParameterIn::Header)
                .description(R::KEY_DESCRIPTION)
                .required(false)
                .schema(schema),
        );
    }
}

/// Where a page of a newest-first list ends: the last row's time and id (keyset pagination,
/// so pages stay right while rows are added). Given out as `nextCursor`, taken back as
/// `?cursor=`; opaque to clients, but its form is documented ([`PageCursor::PATTERN`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCursor {
    pub at: chrono::DateTime<chrono::Utc>,
    pub id: Uuid,
}

impl PageCursor {
    /// What [`PageCursor::encode`] writes (microseconds, `_`, the id without hyphens). Sixteen
    /// digits of microseconds reach the year 2286.
    pub const PATTERN: &'static str = "^-?[0-9]{1,16}_[0-9a-fA-F]{32}$";

    pub fn encode(&self) -> String {
        format!("{}_{}", self.at.timestamp_micros(), self.id.simple())
    }

    /// Surrounding whitespace is ignored: Python's `$` (which API test tools generate and check
    /// patterns with) also admits a final newline, and every value the document admits must be
    /// read.
    pub fn parse(raw: &str) -> Option<Self> {
        let (micros, id) = raw.trim().split_once('_')?;
        Some(Self {
            at: chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: Uuid::try_parse(id).ok()?,
        })
    }
}

/// `?cursor=`: a `nextCursor` this API gave out, read as text (a service refuses one it cannot
/// parse with a 422 naming `cursor`) and documented with the form it has.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct CursorParam(pub String);

impl CursorParam {
    pub fn parse(raw: Option<Self>) -> Result<Option<PageCursor>, FieldError> {
        raw.map(|Self(text)| {
            PageCursor::parse(&text)
                .ok_or_else(|| FieldError::new("cursor", "not a cursor this list gave out"))
        })
        .transpose()
    }
}

impl salvo::oapi::ToSchema for CursorParam {
    fn to_schema(_components: &mut Components) -> salvo::oapi::RefOr<salvo::oapi::schema::Schema> {
        Object::new()
            .schema_type(BasicType::String)
            .pattern(PageCursor::PATTERN)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use salvo::oapi::ToSchema;
    use salvo::test::TestClient;

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

    enum OrderIdSegment {}

    impl PathIdSegment for OrderIdSegment {
        const ARG: &'static str = "order_id";
        const DESCRIPTION: &'static str = "The order's id";
        fn not_found() -> Problem {
            Problem::not_found("no such order")
        }
    }

    type OrderId = PathId<OrderIdSegment>;

    enum Placement {}

    impl IdempotentRequest for Placement {
        const KEY_DESCRIPTION: &'static str = "Makes retries safe";
    }

    type PlacementKey = IdempotencyKeyHeader<Placement>;

    fn with_order_id(segment: &str) -> Request {
        let mut req = TestClient::get("http://127.0.0.1/orders/x").build();
        req.params_mut().insert("order_id", segment.to_owned());
        req
    }

    fn with_key(key: Option<&str>) -> Request {
        let mut builder = TestClient::post("http://127.0.0.1/orders");
        if let Some(key) = key {
            builder = builder.add_header("idempotency-key", key, true);
        }
        builder.build()
    }

    fn documented<T: EndpointArgRegister>(arg: &str) -> serde_json::Value {
        let mut components = Components::new();
        let mut operation = Operation::new();
        T::register(&mut components, &mut operation, arg);
        let operation = serde_json::to_value(&operation).expect("an operation serializes");
        operation["parameters"][0].clone()
    }

    #[test]
    fn a_path_id_is_the_uuid_in_its_segment() {
        let id = Uuid::new_v4();
        assert_eq!(
            OrderId::from_request(&with_order_id(&id.to_string())).map(|o| o.0),
            Ok(id)
        );
    }

    #[test]
    fn a_path_id_that_is_not_a_uuid_is_the_services_not_found() {
        for segment in ["not-a-uuid", "42", ""] {
            let problem = OrderId::from_request(&with_order_id(segment)).expect_err(segment);
            assert_eq!(problem, Problem::not_found("no such order"), "{segment:?}");
        }
        let no_segment = TestClient::get("http://127.0.0.1/orders").build();
        assert_eq!(
            OrderId::from_request(&no_segment)
                .map(|o| o.0)
                .expect_err("404")
                .status,
            404
        );
    }

    #[test]
    fn a_path_id_is_documented_as_a_required_uuid_in_its_segment() {
        // Named by its segment, not by the handler's argument.
        let parameter = documented::<OrderId>("id");
        assert_eq!(parameter["name"], "order_id");
        assert_eq!(parameter["in"], "path");
        assert_eq!(parameter["required"], true);
        assert_eq!(parameter["description"], "The order's id");
        assert_eq!(parameter["schema"]["format"], "uuid", "{parameter}");
    }

    #[test]
    fn idempotency_keys_are_1_to_255_visible_ascii_characters() {
        let uuid = "6f1c0a52-7d1e-4d7e-9a55-3c8d1f0b9e21";
        assert_eq!(
            IdempotencyKey::parse(uuid).map(|k| k.as_str().to_owned()),
            Ok(uuid.into())
        );
        assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
        for refused in [
            String::new(),
            "has space".into(),
            "k".repeat(256),
            "tab\there".into(),
            "é".into(),
        ] {
            assert_eq!(
                IdempotencyKey::parse(&refused),
                Err(FieldError::new(
                    "Idempotency-Key",
                    "1 to 255 visible ASCII characters"
                )),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn the_header_is_optional_and_a_bad_one_is_a_field_error_naming_it() {
        assert_eq!(
            PlacementKey::from_request(&with_key(None)).map(|h| h.0),
            Ok(None)
        );
        let key = PlacementKey::from_request(&with_key(Some("retry-1"))).expect("a key");
        assert_eq!(key.0.as_ref().map(IdempotencyKey::as_str), Some("retry-1"));

        for refused in ["has spaces in it", ""] {
            let error = PlacementKey::from_request(&with_key(Some(refused))).expect_err(refused);
            assert_eq!(error.field, "Idempotency-Key", "{refused:?}");
        }
        // Bytes that are not text at all break the same rule, with the same message.
        let mut req = with_key(None);
        req.headers_mut().insert(
            "idempotency-key",
            salvo::http::HeaderValue::from_bytes(b"caf\xe9").expect("obs-text is a header value"),
        );
        assert_eq!(
            PlacementKey::from_request(&req).map(|h| h.0),
            Err(FieldError::new(
                "Idempotency-Key",
                "1 to 255 visible ASCII characters"
            ))
        );
    }

    #[tokio::test]
    async fn as_extractors_they_answer_with_the_services_404_and_a_422() {
        let mut depot = Depot::new();
        let problem = OrderId::extract(&mut with_order_id("42"), &mut depot)
            .await
            .expect_err("404");
        assert_eq!(problem, Problem::not_found("no such order"));

        let problem = PlacementKey::extract(&mut with_key(Some("has space")), &mut depot)
            .await
            .expect_err("422");
        let problem = serde_json::to_value(&problem).expect("a problem serializes");
        assert_eq!(problem["status"], 422);
        assert_eq!(problem["type"], "/problems/validation-error");
        assert_eq!(
            problem["errors"][0]["field"], "Idempotency-Key",
            "{problem}"
        );
    }

    #[test]
    fn the_header_is_documented_with_the_rule_it_is_read_by() {
        let parameter = documented::<PlacementKey>("idempotency_key");
        assert_eq!(parameter["name"], "Idempotency-Key");
        assert_eq!(parameter["in"], "header");
        assert_eq!(parameter["required"], false);
        assert_eq!(parameter["description"], "Makes retries safe");
        let schema = &parameter["schema"];
        assert_eq!(schema["type"], "string", "{schema}");
        assert_eq!(schema["minLength"], 1);
        assert_eq!(schema["maxLength"], IdempotencyKey::MAX_CHARS);
        assert_eq!(schema["pattern"], IdempotencyKey::PATTERN);
    }

    #[test]
    fn page_cursors_read_back_what_they_write_and_nothing_else() {
        let cursor = PageCursor {
            at: chrono::DateTime::from_timestamp_micros(1_795_867_259_123_456).expect("a time"),
            id: Uuid::new_v4(),
        };
        assert_eq!(PageCursor::parse(&cursor.encode()), Some(cursor));
        assert_eq!(
            PageCursor::parse(&format!("{}\n", cursor.encode())),
            Some(cursor)
        );
        for bad in [
            "nonsense",
            "12_not-a-uuid",
            "x_00000000000000000000000000000000",
        ] {
            assert_eq!(PageCursor::parse(bad), None, "{bad}");
        }
        assert!(CursorParam::parse(Some(CursorParam("nonsense".into()))).is_err());
        assert_eq!(CursorParam::parse(None), Ok(None));
    }

    #[derive(Debug, serde::Deserialize, Validate)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Token {
        #[validate(length(min = 1))]
        refresh_token: String,
    }

    async fn parse_body(body: &str) -> Result<Token, BodyError> {
        let mut req = TestClient::post("http://127.0.0.1/logout")
            .raw_json(body.to_owned())
            .build();
        parse_valid_json::<Token>(&mut req, MAX_JSON_BODY_BYTES).await
    }

    #[tokio::test]
    async fn a_body_must_be_a_json_object_not_the_fields_in_an_array() {
        let token = parse_body(" {\"refreshToken\": \"t\"}")
            .await
            .expect("an object");
        assert_eq!(token.refresh_token, "t");
        // serde alone would read this array as the struct's fields in order.
        for body in ["[\"t\"]", " [\"t\"]", "\"t\"", "1", "null", ""] {
            assert!(
                matches!(parse_body(body).await, Err(BodyError::Malformed(_))),
                "{body:?} is not an object"
            );
        }
        assert!(matches!(
            parse_body("{\"refreshToken\": \"\"}").await,
            Err(BodyError::Invalid(_))
        ));
    }
}
