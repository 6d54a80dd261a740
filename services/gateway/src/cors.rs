//! CORS for browser clients, with salvo's CORS handler: allowed origins from configuration
//! (`GATEWAY_CORS_ORIGINS`), preflights answered here.
//!
//! salvo's handler runs the rest of the chain first and adds its headers afterwards, preflight
//! or not; [`answer_preflight`], placed behind it, ends the chain for a preflight so that it
//! reaches neither the rate limiter nor a service.

use salvo::cors::{Cors, CorsHandler};
use salvo::http::header::{self, HeaderName};
use salvo::http::{Method, StatusCode};
use salvo::prelude::*;

use crate::config::CorsOrigins;

const ALLOWED_METHODS: [Method; 6] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];
const ALLOWED_HEADERS: [HeaderName; 6] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    HeaderName::from_static("idempotency-key"),
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("traceparent"),
    HeaderName::from_static("tracestate"),
];
const EXPOSED_HEADERS: [HeaderName; 4] = [
    HeaderName::from_static("x-request-id"),
    header::RETRY_AFTER,
    header::LOCATION,
    header::ETAG,
];
/// How long a browser may reuse a preflight answer.
const MAX_AGE_SECONDS: u64 = 600;

pub fn cors(origins: &CorsOrigins) -> CorsHandler {
    Cors::new()
        .allow_origin(origins.0.clone())
        .allow_methods(ALLOWED_METHODS.to_vec())
        .allow_headers(ALLOWED_HEADERS)
        .expose_headers(EXPOSED_HEADERS)
        .max_age(MAX_AGE_SECONDS)
        // The answer depends on the origin only: the allowed methods and headers are fixed.
        .vary([header::ORIGIN])
        .into_handler()
}

/// Ends the chain for a CORS preflight (as the Fetch standard defines it, the same test salvo's
/// handler applies), with 204; salvo's handler, in front, then adds the CORS headers.
#[handler]
pub async fn answer_preflight(req: &mut Request, res: &mut Response, ctrl: &mut FlowCtrl) {
    let headers = req.headers();
    if req.method() == Method::OPTIONS
        && headers.contains_key(header::ORIGIN)
        && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        res.status_code(StatusCode::NO_CONTENT);
        ctrl.skip_rest();
    }
}
