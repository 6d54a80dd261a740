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
use crate::domain::ResourcePath;

#[derive(Debug, Clone, Copy)]
pub struct Upstream {
    /// The path prefix clients use, without the leading `/`: `api/orders`, `dashboard`.
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
    // The payment provider's webhook signature, checked by payments over the raw body (which
    // is forwarded byte for byte).
    "stripe-signature",
];
/// `allow` must come with a 405 and `www-authenticate` with a 401 (RFC 9110 §15.5.6, §15.5.2);
/// the caching headers keep their meaning only if they arrive together.
const FORWARDED_RESPONSE_HEADERS: &[&str] = &[
    "content-type",
    "location",
    "etag",
    "last-modified",
    "cache-control",
    "vary",
    "retry-after",
    "allow",
    "www-authenticate",
    // A report exported as CSV names its file.
    "content-disposition",
    "idempotent-replayed",
];

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
    // Dapr's service invocation carries the standard methods only: daprd turns any other verb
    // (`QUERY`, `PROPFIND`...) into a POST, which would reach a handler that never allowed it.
    if !CARRIED_METHODS.contains(req.method()) {
        return Err(method_not_carried(res));
    }
    // From the raw request path, not salvo's decoded `{**rest}`: the decoding is what hides an
    // encoded `/` or `..` that daprd would act on.
    let rest = ResourcePath::parse(req.uri().path(), upstream.public_prefix)
        .map_err(|reason| Problem::bad_request(reason.to_string()))?;
    let caller = auth::authenticate(req, tokens)?;
    auth::authorize(&caller, (upstream.access)(req.method(), rest.decoded()))?;
    let mut path = format!("{}/{}", upstream.app_prefix, rest.encoded());
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
    // When the gateway traces, the sidecar client sends the context of this request's span (a
    // child of the client's): passing the client's on as well would send two `traceparent`s.
    let traced = !service_runtime::telemetry::current_trace_headers().is_empty();
    for name in FORWARDED_REQUEST_HEADERS {
        if traced && matches!(*name, "traceparent" | "tracestate") {
            continue;
        }
        if let Some(value) = req.headers().get(*name) {
            // HTTP allows opaque bytes in a header value; Dapr's invocation does not carry
            // them (the call fails, which would read as the service being down). None of the
            // headers we pass on has a meaning outside visible ASCII.
            if value.to_str().is_err() {
                return Err(Problem::bad_request(format!(
                    "the {name} header must be visible ASCII"
                )));
            }
            request = request.header(*name, value);
        }
    }
    if let Some(id) = request_id(depot) {
        request = request.header(REQUEST_ID_HEADER, id);
    }

    let response = request.send().await.map_err(|error| {
        tracing::warn!(%error, app = upstream.app_id, "service invocation failed");
        Problem::unavailable(format!("the {} service did not answer", upstream.app_id))
    })?;

    let status = response.status();
    // daprd answers for the target app when it cannot reach it (`ERR_DIRECT_INVOKE`, plain JSON
    // rather than problem+json); that is an outage, not the app's answer: a 503 problem.
    if status.is_client_error() || status.is_server_error() {
        let from_app = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| !v.as_bytes().starts_with(b"application/json"));
        if from_app {
            return copy_response(response, res).await;
        }
        let bytes = response.bytes().await.unwrap_or_default();
        if bytes.windows(17).any(|w| w == b"ERR_DIRECT_INVOKE") {
            tracing::warn!(app = upstream.app_id, body = %String::from_utf8_lossy(&bytes), "target unavailable");
            return Err(Problem::unavailable(format!(
                "the {} service is unavailable",
                upstream.app_id
            )));
        }
        res.status_code(status);
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
        res.body(bytes.to_vec());
        return Ok(());
    }

    copy_response(response, res).await
}

/// Copies status, the meaningful headers and the body of the service's answer.
async fn copy_response(response: reqwest::Response, res: &mut Response) -> Result<(), Problem> {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.map_err(|error| {
        tracing::warn!(%error, "reading the upstream response failed");
        Problem::unavailable("the upstream response was cut off")
    })?;
    // A service that dies while answering can leave a success status with a truncated body:
    // daprd has already sent the status and ends the chunked body cleanly. Every answer of ours
    // is JSON, so a JSON answer that does not parse is an outage, not a success to pass on.
    let says_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if status.is_success()
        && status != reqwest::StatusCode::NO_CONTENT
        && says_json
        && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err()
    {
        tracing::warn!(
            status = status.as_u16(),
            bytes = bytes.len(),
            "a success answer with a broken JSON body; answering 503"
        );
        return Err(Problem::unavailable("the upstream response was cut off"));
    }
    res.status_code(status);
    for name in FORWARDED_RESPONSE_HEADERS {
        let name = HeaderName::from_static(name);
        // All values: `vary`, `cache-control` and `www-authenticate` may come as several lines.
        for value in headers.get_all(&name) {
            res.headers_mut().append(name.clone(), value.clone());
        }
    }
    res.body(bytes.to_vec());
    Ok(())
}

/// The methods the gateway forwards: those Dapr's service invocation maps one to one.
const CARRIED_METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// 405 for a method no route behind the gateway can have; `Allow` lists what it carries at all
/// (RFC 9110 §15.5.6 requires the header on every 405).
fn method_not_carried(res: &mut Response) -> Problem {
    let allow = CARRIED_METHODS
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = salvo::http::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(salvo::http::header::ALLOW, value);
    }
    Problem::from_status(StatusCode::METHOD_NOT_ALLOWED)
        .with_detail("the gateway does not carry this method to any service")
}

#[cfg(test)]
mod tests {
    use super::copy_response;

    fn upstream(status: u16, content_type: &str, body: &'static str) -> reqwest::Response {
        reqwest::Response::from(
            http::Response::builder()
                .status(status)
                .header("content-type", content_type)
                .header("location", "/api/orders/1")
                .body(body)
                .unwrap(),
        )
    }

    #[tokio::test]
    async fn a_success_with_a_cut_off_json_body_is_an_outage_not_a_success() {
        let mut res = salvo::Response::new();
        let error = copy_response(upstream(201, "application/json", ""), &mut res)
            .await
            .unwrap_err();
        assert_eq!(error.status_code().as_u16(), 503);
        assert!(res.headers().get("location").is_none());

        let mut res = salvo::Response::new();
        copy_response(
            upstream(201, "application/json", "{\"orderId\":\"1\"}"),
            &mut res,
        )
        .await
        .unwrap();
        assert_eq!(res.status_code.map(|s| s.as_u16()), Some(201));
        assert_eq!(res.headers()["location"], "/api/orders/1");

        // Answers without a JSON body stay as they are.
        let mut res = salvo::Response::new();
        copy_response(upstream(204, "application/json", ""), &mut res)
            .await
            .unwrap();
        assert_eq!(res.status_code.map(|s| s.as_u16()), Some(204));
    }
}
