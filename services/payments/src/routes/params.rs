//! The parameters of the payments API: how each is read, and how the document states its rule.

use salvo::extract::Metadata;
use salvo::oapi::{
    Components, EndpointArgRegister, Object, Operation, Parameter, ParameterIn, RefOr, ToSchema,
    schema::{BasicType, Schema},
};
use salvo::{Depot, Extractible, Request};
use serde::Deserialize;
use service_runtime::{FieldError, Limit, Problem};
use uuid::Uuid;

use crate::domain::PaymentStatus;
use crate::error::PaymentsError;

fn no_metadata() -> &'static Metadata {
    static METADATA: Metadata = Metadata::new("");
    &METADATA
}

/// An `{order_id}` path segment: a payment is the order's, so it is named by the order id. A
/// segment that is not a UUID names no payment: 404, as an unknown one is.
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
            .ok_or_else(|| PaymentsError::NotFound.into())
    }
}

impl EndpointArgRegister for OrderId {
    fn register(components: &mut Components, operation: &mut Operation, arg: &str) {
        operation.parameters.insert(
            Parameter::new(arg)
                .location(ParameterIn::Path)
                .description("The order the payment is for")
                .required(true)
                .schema(Uuid::to_schema(components)),
        );
    }
}

/// The optional `Idempotency-Key` header of a refund: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKeyHeader(pub Option<String>);

impl IdempotencyKeyHeader {
    const HEADER: &'static str = "idempotency-key";
    const MAX_CHARS: usize = 255;
    const PATTERN: &'static str = "^[!-~]+$";

    fn parse(req: &Request) -> Result<Self, FieldError> {
        let Some(raw) = req.headers().get(Self::HEADER) else {
            return Ok(Self(None));
        };
        let invalid = || {
            FieldError::new(
                "Idempotency-Key",
                format!("1 to {} visible ASCII characters", Self::MAX_CHARS),
            )
        };
        let raw = raw.to_str().map_err(|_| invalid())?;
        if raw.is_empty()
            || raw.len() > Self::MAX_CHARS
            || !raw.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(invalid());
        }
        Ok(Self(Some(raw.to_owned())))
    }
}

impl<'ex> Extractible<'ex> for IdempotencyKeyHeader {
    fn metadata() -> &'static Metadata {
        no_metadata()
    }

    #[allow(refining_impl_trait)]
    async fn extract(req: &'ex mut Request, _depot: &'ex mut Depot) -> Result<Self, Problem> {
        Self::parse(req).map_err(|error| PaymentsError::Validation(vec![error]).into())
    }
}

impl EndpointArgRegister for IdempotencyKeyHeader {
    fn register(_components: &mut Components, operation: &mut Operation, _arg: &str) {
        let schema = Object::new()
            .schema_type(BasicType::String)
            .min_length(1)
            .max_length(Self::MAX_CHARS)
            .pattern(Self::PATTERN);
        operation.parameters.insert(
            Parameter::new("Idempotency-Key")
                .location(ParameterIn::Header)
                .description(
                    "Names the refund: a repeat with the same key refunds nothing more. Without \
                     one, the same amount and reason are the same refund",
                )
                .required(false)
                .schema(schema),
        );
    }
}

/// `?status=`: read as text, so that an unknown status is a 422 naming `status`.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct StatusParam(pub String);

impl StatusParam {
    pub fn parse(raw: Option<Self>) -> Result<Option<PaymentStatus>, FieldError> {
        raw.map(|Self(text)| {
            PaymentStatus::parse(text.trim()).ok_or_else(|| {
                FieldError::new(
                    "status",
                    format!(
                        "one of {}",
                        PaymentStatus::ALL.map(PaymentStatus::as_str).join(", ")
                    ),
                )
            })
        })
        .transpose()
    }
}

impl ToSchema for StatusParam {
    fn to_schema(_components: &mut Components) -> RefOr<Schema> {
        Object::new()
            .schema_type(BasicType::String)
            .enum_values(PaymentStatus::ALL.map(PaymentStatus::as_str))
            .into()
    }
}

/// `?customer_id=`: read as text, so that one that is not a UUID is a 422 naming it.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct UuidParam(pub String);

impl UuidParam {
    pub fn parse(raw: Option<Self>, field: &'static str) -> Result<Option<Uuid>, FieldError> {
        raw.map(|Self(text)| {
            text.trim()
                .parse()
                .map_err(|_| FieldError::new(field, "not a user id (UUID)"))
        })
        .transpose()
    }
}

impl ToSchema for UuidParam {
    fn to_schema(components: &mut Components) -> RefOr<Schema> {
        Uuid::to_schema(components)
    }
}

pub type PageLimit = Limit<20, 100>;
