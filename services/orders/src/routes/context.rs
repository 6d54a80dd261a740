//! What handlers take from the depot and the request besides the caller (`Customer`, `Admin`)
//! and the parameters: the service, and the metadata every event they cause carries.

use salvo::prelude::*;
use service_runtime::server::request_id;

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

/// The events a request causes are caused by the request (its id) and share its trace.
pub fn command_metadata(req: &Request, depot: &Depot) -> EventMetadata {
    EventMetadata {
        causation_id: request_id(depot).map(|id| format!("request:{id}")),
        traceparent: header(req, "traceparent").map(str::to_owned),
        tracestate: header(req, "tracestate").map(str::to_owned),
    }
}
