//! Forwarding a client request to its service through the gateway's own sidecar
//! (`/v1.0/invoke/<app>/method/<path>`), keeping method, body, status and the headers that carry
//! meaning (content type, request id, W3C trace context, idempotency key).

use access_token::{AccessTokenKey, USER_ID_HEADER, USER_ROLES_HEADER};
use salvo::http::header::{self, HeaderName};
use salvo::http::{Method, ParseError, StatusCode};
use salvo::prelude::*;
use service_runtime::server::{REQUEST_ID_HEADER, request_id};
use service_runtime::{Problem, Sidecar};

use crate::auth::{self, Access};
use crate::config::GatewayConfig;

#[derive(Debug, Clone, Copy)]
pub struct Upstream {
    pub public_prefix: &'static str,
    pub app_id: &'static str,
    pub app_prefix: &'static str,
    /// What the route demands of the caller, by method and path below the prefix.
    pub access: fn(&Method, &str) -> Access,
}

const FORWARDED_REQUEST_HEADERS: &[&str] = &[
    "content-type",
    "accept",
    "traceparent",
    "tracestate",
    "idempotency-key",
    "if-match",
];
const FORWARDED_RESPONSE_HEADERS: &[&str] = &["content-type", "location", "etag", "retry-after"];

#[handler]
pub async fn forward(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let (Ok(sidecar), Ok(upstream), Ok(config), Ok(tokens)) = (
        depot.get_typed::<Sidecar>(),
        depot.get_typed::<Upstream>(),
        depot.get_typed::<GatewayConfig>(),
        depot.get_typed::<AccessTokenKey>(),
    ) else {
        tracing::error!("gateway state missing from depot");
        return Err(Problem::internal());
    };
    let rest: String = req.param("rest").unwrap_or_default();
    let caller = auth::authenticate(req, tokens)?;
    auth::authorize(&caller, (upstream.access)(req.method(), &rest))?;
    let mut path = format!("{}/{}", upstream.app_prefix, rest.trim_start_matches('/'));
    if let Some(query) = req.uri().query() {
        path = format!("{path}?{query}");
    }

    let body = req
        .payload_with_max_size(config.max_body_bytes)
        .await
        .map_err(|error| match error {
            ParseError::PayloadTooLarge => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "The request body is too large",
            )
            .with_detail(format!("the limit is {} bytes", config.max_body_bytes)),
            other => Problem::bad_request(other.to_string()),
        })?
        .clone();

    let mut request = sidecar
        .invoke(req.method().clone(), upstream.app_id, &path)
        .timeout(config.upstream_timeout)
        .body(body);
    // Identity headers are only ever the gateway's: whatever the client sent is not forwarded.
    if let Some(claims) = &caller.0 {
        request = request
            .header(USER_ID_HEADER, claims.sub.to_string())
            .header(USER_ROLES_HEADER, claims.roles.join(","));
    }
    for name in FORWARDED_REQUEST_HEADERS {
        if let Some(value) = req.headers().get(*name) {
            request = request.header(*name, value);
        }
    }
    if let Some(id) = request_id(depot) {
        request = request.header(REQUEST_ID_HEADER, id);
    }

    let response = request.send().await.map_err(|error| {
        tracing::warn!(%error, app = upstream.app_id, "service invocation failed");
        Problem::unavailable(format!(
            "the {} service did not answer",
            upstream.public_prefix
        ))
    })?;

    let status = response.status();
    // daprd answers for the target app when it cannot reach it (ERR_DIRECT_INVOKE); that is an
    // outage, not the app's answer, so it becomes a 503 problem.
    if status == StatusCode::INTERNAL_SERVER_ERROR
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
    {
        let bytes = response.bytes().await.unwrap_or_default();
        if bytes.windows(17).any(|w| w == b"ERR_DIRECT_INVOKE") {
            tracing::warn!(app = upstream.app_id, body = %String::from_utf8_lossy(&bytes), "target unavailable");
            return Err(Problem::unavailable(format!(
                "the {} service is unavailable",
                upstream.public_prefix
            )));
        }
        res.status_code(status);
        res.body(bytes.to_vec());
        return Ok(());
    }

    res.status_code(status);
    for name in FORWARDED_RESPONSE_HEADERS {
        if let Some(value) = response.headers().get(*name) {
            res.headers_mut()
                .insert(HeaderName::from_static(name), value.clone());
        }
    }
    let bytes = response.bytes().await.map_err(|error| {
        tracing::warn!(%error, "reading the upstream response failed");
        Problem::unavailable("the upstream response was cut off")
    })?;
    res.body(bytes.to_vec());
    Ok(())
}
