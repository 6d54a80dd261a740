//! The parameters of the orders API: how each is read, and how the document states its rule.
//!
//! Each type here reads a parameter the way the API always has (an order id that is not a UUID
//! names no order: 404; a bad filter is a 422 naming it) and states in the OpenAPI document the
//! rule the code enforces, from the definition the code uses.

use salvo::oapi::{Components, RefOr, ToSchema, schema::Schema};
use serde::Deserialize;
use service_runtime::request::{IdempotentRequest, PathIdSegment};
use service_runtime::{Limit, PathId, Problem};
use uuid::Uuid;

use crate::domain::OrderStatus;
use crate::error::OrdersError;

/// The `{order_id}` of the orders routes: a segment that is not a UUID names no order, so it is
/// refused as an unknown order is (404), before any other check.
pub enum OrderIdSegment {}

impl PathIdSegment for OrderIdSegment {
    const ARG: &'static str = "order_id";
    const DESCRIPTION: &'static str = "The order's id";

    fn not_found() -> Problem {
        OrdersError::NotFound.into()
    }
}

pub type OrderId = PathId<OrderIdSegment>;

/// A placement under an `Idempotency-Key`: a retry gets the order the first attempt placed.
pub enum OrderPlacement {}

impl IdempotentRequest for OrderPlacement {
    const KEY_DESCRIPTION: &'static str = "Makes retries safe: a retry with the same key and \
                                           body gets the same order (a UUID is a good key)";
}

/// The optional `Idempotency-Key` header of a placement, parsed before the body is read: a bad
/// key is a 422 naming `Idempotency-Key`.
pub type IdempotencyKeyHeader = service_runtime::IdempotencyKeyHeader<OrderPlacement>;

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
