//! The parameters of the orders API: how each is read, and how the document states its rule.
//!
//! Each type here reads a parameter the way the API always has (an order id that is not a UUID
//! names no order: 404; a bad filter is a 422 naming it) and states in the OpenAPI document the
//! rule the code enforces, from the definition the code uses.

use salvo::extract::Metadata;
use salvo::oapi::{
    Components, EndpointArgRegister, Object, Operation, Parameter, ParameterIn, RefOr, ToSchema,
    schema::{BasicType, Schema},
};
use salvo::{Depot, Extractible, Request};
use serde::Deserialize;
use service_runtime::{FieldError, Limit, Problem};
use uuid::Uuid;

use crate::domain::OrderStatus;
use crate::domain::request::IdempotencyKey;
use crate::error::OrdersError;
use crate::summaries::Cursor;

fn no_metadata() -> &'static Metadata {
    static METADATA: Metadata = Metadata::new("");
    &METADATA
}

/// An `{order_id}` path segment. The document declares it a UUID; a segment that is not one
/// names no order, so it is refused as an unknown order is (404), before any other check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderId(pub Uuid);

impl<'ex> Extractible<'ex> for OrderId {
    fn metadata() -> &'static Metadata {
        no_metadata()
    }

    #[allow(refining_impl_trait)]
    async fn extract(req: &'ex mut Request, depot: &'ex mut Depot) -> Result<Self, Problem> {
        Self::extract_with_arg(req, depot, "order_id").await
    }

    #[allow(refining_impl_trait)]
    async fn extract_with_arg(
        req: &'ex mut Request,
        _depot: &'ex mut Depot,
        arg: &str,
    ) -> Result<Self, Problem> {
        req.param::<String>(arg)
            .and_then(|raw| raw.parse().ok())
            .map(Self)
            .ok_or_else(|| OrdersError::NotFound.into())
    }
}

impl EndpointArgRegister for OrderId {
    fn register(components: &mut Components, operation: &mut Operation, arg: &str) {
        operation.parameters.insert(
            Parameter::new(arg)
                .location(ParameterIn::Path)
                .description("The order's id")
                .required(true)
                .schema(Uuid::to_schema(components)),
        );
    }
}

/// The optional `Idempotency-Key` header of a placement, parsed (1 to 255 visible ASCII
/// characters) before the body is read: a bad key is a 422 naming `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKeyHeader(pub Option<IdempotencyKey>);

impl IdempotencyKeyHeader {
    /// Visible ASCII (`!` to `~`), as `IdempotencyKey::parse` requires.
    const PATTERN: &'static str = "^[!-~]+$";

    fn parse(req: &Request) -> Result<Self, FieldError> {
        let Some(raw) = req.headers().get(IdempotencyKey::HEADER) else {
            return Ok(Self(None));
        };
        let raw = raw
            .to_str()
            .map_err(|_| FieldError::new("Idempotency-Key", "visible ASCII only"))?;
        IdempotencyKey::parse(raw).map(|key| Self(Some(key)))
    }
}

impl<'ex> Extractible<'ex> for IdempotencyKeyHeader {
    fn metadata() -> &'static Metadata {
        no_metadata()
    }

    #[allow(refining_impl_trait)]
    async fn extract(req: &'ex mut Request, _depot: &'ex mut Depot) -> Result<Self, Problem> {
        Self::parse(req).map_err(|error| OrdersError::Validation(vec![error]).into())
    }
}

impl EndpointArgRegister for IdempotencyKeyHeader {
    fn register(_components: &mut Components, operation: &mut Operation, _arg: &str) {
        let schema = Object::new()
            .schema_type(BasicType::String)
            .min_length(1)
            .max_length(IdempotencyKey::MAX_CHARS)
            .pattern(Self::PATTERN);
        operation.parameters.insert(
            Parameter::new("Idempotency-Key")
                .location(ParameterIn::Header)
                .description(
                    "Makes retries safe: a retry with the same key and body gets the same order \
                     (a UUID is a good key)",
                )
                .required(false)
                .schema(schema),
        );
    }
}

/// `?status=`: read as text, so that an unknown status is refused with a 422 naming `status`
/// (not silently dropped), and documented as the statuses there are.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct StatusParam(pub String);

impl ToSchema for StatusParam {
    fn to_schema(components: &mut Components) -> RefOr<Schema> {
        OrderStatus::to_schema(components)
    }
}

/// `?cursor=`: a `nextCursor` this API gave out, documented with the form it has.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct CursorParam(pub String);

impl ToSchema for CursorParam {
    fn to_schema(_components: &mut Components) -> RefOr<Schema> {
        Object::new()
            .schema_type(BasicType::String)
            .pattern(Cursor::PATTERN)
            .into()
    }
}

/// `?customer_id=`: read as text, so that one that is not a UUID is refused with a 422 naming
/// it, and documented as a UUID.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct UuidParam(pub String);

impl ToSchema for UuidParam {
    fn to_schema(components: &mut Components) -> RefOr<Schema> {
        Uuid::to_schema(components)
    }
}

pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;
/// `?limit=` of the lists: anything sent that is not 1 to 100 is refused, never replaced.
pub type PageLimit = Limit<DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE>;
