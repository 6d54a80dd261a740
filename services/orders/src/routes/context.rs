//! What handlers take from a request: the service, the caller, and the metadata every event
//! they cause carries.

use access_token::{USER_ID_HEADER, USER_ROLES_HEADER, roles_header_grants};
use salvo::prelude::*;
use service_runtime::server::request_id;
use uuid::Uuid;

use crate::app::Orders;
use crate::error::OrdersError;
use crate::event_store::EventMetadata;

pub fn orders(depot: &Depot) -> Result<&Orders, OrdersError> {
    depot
        .get_typed::<Orders>()
        .map_err(|_| OrdersError::Internal(anyhow::anyhow!("Orders missing from the depot")))
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The signed-in user, as the gateway vouches for it (services trust these headers only on
/// calls that carry the app API token, which `service_runtime::server` checks).
pub fn customer_id(req: &Request) -> Result<Uuid, OrdersError> {
    header(req, USER_ID_HEADER)
        .and_then(|id| id.parse().ok())
        .ok_or(OrdersError::Unauthenticated)
}

/// The administrator's id. The gateway admits only admins to these routes; the role is checked
/// again here, so the rule holds for a call that reached the service another way.
pub fn require_admin(req: &Request) -> Result<Uuid, OrdersError> {
    if !roles_header_grants(header(req, USER_ROLES_HEADER), "admin") {
        return Err(OrdersError::Forbidden);
    }
    customer_id(req)
}

/// The events a request causes are caused by the request (its id) and share its trace.
pub fn command_metadata(req: &Request, depot: &Depot) -> EventMetadata {
    EventMetadata {
        causation_id: request_id(depot).map(|id| format!("request:{id}")),
        traceparent: header(req, "traceparent").map(str::to_owned),
        tracestate: header(req, "tracestate").map(str::to_owned),
    }
}

/// The `{order_id}` of a path. An id that is not a UUID names no order: 404, as for any
/// unknown order.
pub fn parse_order_id(raw: &str) -> Result<Uuid, OrdersError> {
    raw.parse().map_err(|_| OrdersError::NotFound)
}
