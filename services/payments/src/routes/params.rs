//! The parameters of the payments API: how each is read, and how the document states its rule.

use salvo::oapi::{
    Components, Object, RefOr, ToSchema,
    schema::{BasicType, Schema},
};
use serde::Deserialize;
use service_runtime::request::{IdempotentRequest, PathIdSegment};
use service_runtime::{FieldError, Limit, PathId, Problem};
use uuid::Uuid;

use crate::domain::PaymentStatus;
use crate::error::PaymentsError;

/// The `{order_id}` of the payments routes: a payment is the order's, so it is named by the
/// order id. A segment that is not a UUID names no payment: 404, as an unknown one is.
pub enum OrderIdSegment {}

impl PathIdSegment for OrderIdSegment {
    const ARG: &'static str = "order_id";
    const DESCRIPTION: &'static str = "The order the payment is for";

    fn not_found() -> Problem {
        PaymentsError::NotFound.into()
    }
}

pub type OrderId = PathId<OrderIdSegment>;

/// A refund under an `Idempotency-Key`: a repeat answers the first refund.
pub enum PaymentRefund {}

impl IdempotentRequest for PaymentRefund {
    const KEY_DESCRIPTION: &'static str = "Names the refund: a repeat with the same key refunds \
                                           nothing more. Without one, the same amount and reason \
                                           are the same refund";
}

/// The optional `Idempotency-Key` header of a refund: 1 to 255 visible ASCII characters.
pub type IdempotencyKeyHeader = service_runtime::IdempotencyKeyHeader<PaymentRefund>;

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
