//! The gateway in process, through salvo's test client: what it answers itself (CORS
//! preflights, rate-limit refusals, unacceptable paths), which needs no sidecar.
//!
//! Each test gets its own gateway whose sidecar address is a loopback port where nothing
//! listens. A request the gateway passes on therefore fails with its 503
//! `dependency-unavailable` problem, and any other answer shows the gateway answered itself
//! and forwarded nothing. What a forwarded request becomes (its path through daprd, the
//! service's own answer) is tested end to end against real sidecars, in
//! `tests/e2e/tests/gateway_paths.rs`.

#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use access_token::AccessTokenKey;
use gateway::config::{CorsOrigins, GatewayConfig};
use route_testing::{problem, unreachable_sidecar};
use salvo::catcher::Catcher;
use salvo::http::header::{self, HeaderMap};
use salvo::http::uri::Uri;
use salvo::http::{Method, StatusCode};
use salvo::prelude::*;
use salvo::test::{RequestBuilder, ResponseExt};
use service_runtime::problem::render_status_as_problem;

const ALLOWED_ORIGIN: &str = "http://localhost:3000";
const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
const OTHER_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 8));

struct TestGateway {
    service: Service,
    tokens: AccessTokenKey,
}

fn config(rate_limit_per_second: f64, rate_limit_burst: f64) -> GatewayConfig {
    GatewayConfig {
        max_body_bytes: 1024 * 1024,
        upstream_timeout: Duration::from_secs(5),
        rate_limit_per_second,
        rate_limit_burst,
        cors_origins: ALLOWED_ORIGIN.parse::<CorsOrigins>().unwrap(),
    }
}

/// The default rate limit (100/s, bursts of 200), as `GatewayConfig::from_env` has it.
fn default_config() -> GatewayConfig {
    config(100.0, 200.0)
}

fn spawn_gateway(config: GatewayConfig) -> TestGateway {
    // A request the gateway forwards is refused at once, which it answers with its 503 problem.
    let sidecar = unreachable_sidecar();
    let tokens = AccessTokenKey::from_secret(b"a test signing key, long enough for HS256");
    let router = gateway::router(sidecar, config, tokens.clone());
    // service_runtime::server::serve wraps the router the same way in production: salvo's
    // own errors (an unknown route) become problem+json.
    let service = Service::new(router).catcher(Catcher::new(render_status_as_problem));
    TestGateway { service, tokens }
}

impl TestGateway {
    /// Sends `target` exactly as written (no client-side normalization of `..` or `%2e`, as
    /// curl --path-as-is or a hand-written client would send it) from `client`.
    async fn send(
        &self,
        method: Method,
        target: &str,
        headers: &[(&'static str, &str)],
        client: IpAddr,
    ) -> salvo::Response {
        let mut req = RequestBuilder::new("http://gateway.test/", method).build();
        req.set_uri(Uri::try_from(target).expect("a valid request target"));
        *req.remote_addr_mut() = SocketAddr::new(client, 40_000).into();
        for (name, value) in headers {
            req.headers_mut()
                .insert(*name, value.parse().expect("a valid header value"));
        }
        self.service.handle(req).await
    }

    fn admin_token(&self) -> String {
        let roles = vec!["customer".to_owned(), "admin".to_owned()];
        let (token, _) = self
            .tokens
            .issue(uuid::Uuid::new_v4(), roles, Duration::from_secs(600))
            .unwrap();
        format!("Bearer {token}")
    }
}

/// The comma-separated tokens of every `name` header, lowercased.
fn list_header(headers: &HeaderMap, name: header::HeaderName) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|value| {
            value
                .to_str()
                .unwrap()
                .split(',')
                .map(|token| token.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .collect()
}

// CORS

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered_by_the_gateway() {
    let gateway = spawn_gateway(default_config());
    let mut res = gateway
        .send(
            Method::OPTIONS,
            "/api/orders/0193a4c2-0000-7000-8000-000000000000",
            &[
                ("origin", ALLOWED_ORIGIN),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization, content-type",
                ),
            ],
            CLIENT,
        )
        .await;

    // Forwarded, it would have met the closed sidecar port: 503.
    assert_eq!(res.status_code, Some(StatusCode::NO_CONTENT));
    let headers = res.headers().clone();
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], ALLOWED_ORIGIN);
    assert_eq!(
        list_header(&headers, header::ACCESS_CONTROL_ALLOW_METHODS),
        ["get", "post", "put", "patch", "delete", "options"]
    );
    assert_eq!(
        list_header(&headers, header::ACCESS_CONTROL_ALLOW_HEADERS),
        [
            "authorization",
            "content-type",
            "idempotency-key",
            "x-request-id",
            "traceparent",
            "tracestate"
        ]
    );
    assert_eq!(headers[header::ACCESS_CONTROL_MAX_AGE], "600");
    assert!(list_header(&headers, header::VARY).contains(&"origin".to_owned()));
    assert!(res.take_bytes(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_preflight_from_another_origin_gets_no_allow_origin() {
    let gateway = spawn_gateway(default_config());
    let res = gateway
        .send(
            Method::OPTIONS,
            "/api/users/login",
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "POST"),
            ],
            CLIENT,
        )
        .await;

    // Answered here all the same (a forward would be a 503), without the allow-origin header.
    assert_eq!(res.status_code, Some(StatusCode::NO_CONTENT));
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[tokio::test]
async fn answers_to_an_allowed_origin_carry_allow_origin_and_exposed_headers() {
    let gateway = spawn_gateway(default_config());
    // Answered by the gateway itself (401: no token), after CORS.
    let res = gateway
        .send(
            Method::GET,
            "/api/orders/mine",
            &[("origin", ALLOWED_ORIGIN)],
            CLIENT,
        )
        .await;
    assert_eq!(res.status_code, Some(StatusCode::UNAUTHORIZED));
    assert_eq!(
        res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        ALLOWED_ORIGIN
    );
    assert_eq!(
        list_header(res.headers(), header::ACCESS_CONTROL_EXPOSE_HEADERS),
        ["x-request-id", "retry-after", "location", "etag"]
    );

    let res = gateway
        .send(
            Method::GET,
            "/api/orders/mine",
            &[("origin", "https://evil.example")],
            CLIENT,
        )
        .await;
    assert_eq!(res.status_code, Some(StatusCode::UNAUTHORIZED));
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[tokio::test]
async fn a_503_for_a_service_out_of_reach_carries_the_cors_headers_too() {
    let gateway = spawn_gateway(default_config());
    // Public, so it is forwarded, and the sidecar port is closed.
    let mut res = gateway
        .send(
            Method::GET,
            "/api/catalog/products",
            &[("origin", ALLOWED_ORIGIN)],
            CLIENT,
        )
        .await;
    assert_eq!(res.status_code, Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        ALLOWED_ORIGIN
    );
    assert_eq!(
        list_header(res.headers(), header::ACCESS_CONTROL_EXPOSE_HEADERS),
        ["x-request-id", "retry-after", "location", "etag"]
    );
    assert!(list_header(res.headers(), header::VARY).contains(&"origin".to_owned()));
    let problem = problem(&mut res, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(problem["type"], "/problems/dependency-unavailable");
    assert_eq!(problem["status"], 503);

    let res = gateway
        .send(
            Method::GET,
            "/api/catalog/products",
            &[("origin", "https://evil.example")],
            CLIENT,
        )
        .await;
    assert_eq!(res.status_code, Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(
        res.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[tokio::test]
async fn preflights_do_not_count_against_the_rate_limit() {
    // One token, coming back every 100 s.
    let gateway = spawn_gateway(config(0.01, 1.0));
    for _ in 0..5 {
        let res = gateway
            .send(
                Method::OPTIONS,
                "/api/orders/mine",
                &[
                    ("origin", ALLOWED_ORIGIN),
                    ("access-control-request-method", "GET"),
                ],
                CLIENT,
            )
            .await;
        assert_eq!(res.status_code, Some(StatusCode::NO_CONTENT));
    }
    let first = gateway
        .send(Method::GET, "/api/orders/mine", &[], CLIENT)
        .await;
    assert_eq!(first.status_code, Some(StatusCode::UNAUTHORIZED));
    let second = gateway
        .send(Method::GET, "/api/orders/mine", &[], CLIENT)
        .await;
    assert_eq!(second.status_code, Some(StatusCode::TOO_MANY_REQUESTS));
}

// Rate limit

#[tokio::test]
async fn a_client_past_its_burst_gets_429_with_retry_after_and_a_problem() {
    let gateway = spawn_gateway(default_config());
    // A route the gateway answers itself (401: no token), so nothing waits on a service.
    for n in 0..200 {
        let res = gateway
            .send(Method::GET, "/api/orders/mine", &[], CLIENT)
            .await;
        assert_eq!(
            res.status_code,
            Some(StatusCode::UNAUTHORIZED),
            "request {n} is within the burst of 200"
        );
    }
    // Tokens come back at 100/s; in-process requests arrive much faster than that.
    let mut limited = None;
    for _ in 0..2_000 {
        let res = gateway
            .send(Method::GET, "/api/orders/mine", &[], CLIENT)
            .await;
        if res.status_code == Some(StatusCode::TOO_MANY_REQUESTS) {
            limited = Some(res);
            break;
        }
    }
    let mut res = limited.expect("a 429 once the burst is spent");
    assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    let problem = problem(&mut res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(problem["type"], "/problems/rate-limited");
    assert_eq!(problem["status"], 429);

    let other = gateway
        .send(Method::GET, "/api/orders/mine", &[], OTHER_CLIENT)
        .await;
    assert_eq!(
        other.status_code,
        Some(StatusCode::UNAUTHORIZED),
        "each client has a bucket of its own"
    );
}

#[tokio::test]
async fn retry_after_says_how_long_a_token_takes_to_come_back() {
    // Two tokens, one coming back every 4 s.
    let gateway = spawn_gateway(config(0.25, 2.0));
    for _ in 0..2 {
        let res = gateway
            .send(Method::GET, "/api/orders/mine", &[], CLIENT)
            .await;
        assert_eq!(res.status_code, Some(StatusCode::UNAUTHORIZED));
    }
    let res = gateway
        .send(Method::GET, "/api/orders/mine", &[], CLIENT)
        .await;
    assert_eq!(res.status_code, Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(res.headers()[header::RETRY_AFTER], "4");
}

// Paths

/// Paths that daprd (or the URL of the invocation) would turn into another path. Each would
/// be forwarded if the gateway did not refuse it: the token is an admin's, so authorization
/// does not stop any of them.
const UNACCEPTABLE_PATHS: &[&str] = &[
    "/api/orders/..%2f..%2fusers%2fme",
    "/api/orders/..%2F..%2Fusers%2Fme",
    "/api/catalog/products/%2F",
    "/api/catalog/products/%2f",
    "/api/catalog/products/a%2Fb",
    "/api/orders/%2e%2e",
    "/api/orders/%2E%2E/users/me",
    "/api/orders/.%2e",
    "/api/orders/..",
    "/api/orders/../users/me",
    "/api/users/me/..",
    "/api/users/me/.",
    "/api/catalog/./products",
    "/api/admin/users/..%2f..%2forders",
    "/api/catalog/products/%5C..%5Cusers",
    // The http crate, like hyper on the wire, accepts a raw backslash in a path.
    "/api/catalog/products\\..\\..\\users",
    "/api/catalog/products/a%3Fb",
    "/api/catalog/products/a%23b",
    "/api/catalog/products/a%25b",
    "/api/catalog/products/a%2",
    "/api/catalog/products/a%00b",
    "/api/catalog/products/%FF",
    // Not even a route once decoded: salvo's 404.
    "/api/orders%2f..%2fusers%2fme",
];

#[tokio::test]
async fn paths_that_would_change_meaning_downstream_are_refused_without_a_call() {
    let gateway = spawn_gateway(default_config());
    let token = gateway.admin_token();
    for path in UNACCEPTABLE_PATHS {
        let mut res = gateway
            .send(Method::GET, path, &[("authorization", &token)], CLIENT)
            .await;
        // A forwarded request would have met the closed sidecar port and come back as 503.
        let status = res.status_code.unwrap();
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
            "{path}: {status}"
        );
        let problem = problem(&mut res, status).await;
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(problem["type"], "/problems/bad-request", "{path}");
            let detail = problem["detail"].as_str().unwrap();
            assert!(
                detail.starts_with("the path is not acceptable"),
                "{path}: {detail}"
            );
        }
    }
}

#[tokio::test]
async fn ordinary_paths_are_passed_on_not_refused() {
    let gateway = spawn_gateway(default_config());
    // Percent-encoded ordinary characters, empty segments, a trailing slash, dots inside a
    // segment: nothing downstream reads these as another path, so they go to the sidecar, whose
    // port is closed here. Where they land is tested end to end (tests/e2e/tests/gateway_paths.rs).
    for path in [
        "/api/catalog/products/caf%C3%A9%20noir?limit=5",
        "/api/catalog//products/",
        "/api/catalog/products/v1.2...",
    ] {
        let mut res = gateway.send(Method::GET, path, &[], CLIENT).await;
        assert_eq!(
            res.status_code,
            Some(StatusCode::SERVICE_UNAVAILABLE),
            "{path}"
        );
        let problem = problem(&mut res, StatusCode::SERVICE_UNAVAILABLE).await;
        assert_eq!(
            problem["type"], "/problems/dependency-unavailable",
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_method_dapr_cannot_carry_is_refused_with_405_and_allow() {
    let gateway = spawn_gateway(default_config());
    let query = Method::from_bytes(b"QUERY").expect("a method token");
    let mut res = gateway.send(query, "/api/users/login", &[], CLIENT).await;
    assert_eq!(res.status_code, Some(StatusCode::METHOD_NOT_ALLOWED));
    let allow = list_header(res.headers(), header::ALLOW);
    assert!(
        allow.iter().any(|m| m.eq_ignore_ascii_case("POST"))
            && !allow.iter().any(|m| m.eq_ignore_ascii_case("QUERY")),
        "{allow:?}"
    );
    let problem = problem(&mut res, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(problem["status"], 405);
}

#[tokio::test]
async fn a_header_value_dapr_cannot_carry_is_refused_not_forwarded() {
    let gateway = spawn_gateway(default_config());
    // A public route: nothing but the header decides the answer.
    let mut req = RequestBuilder::new("http://gateway.test/", Method::POST).build();
    req.set_uri(Uri::try_from("/api/users/register").expect("a valid request target"));
    *req.remote_addr_mut() = SocketAddr::new(CLIENT, 40_000).into();
    // Opaque bytes (obs-text) are a legal HTTP header value, but not one Dapr carries.
    req.headers_mut().insert(
        "idempotency-key",
        salvo::http::HeaderValue::from_bytes(b"\xc3\x97\xc3\xb8\xc2\x9b").expect("obs-text"),
    );
    let mut res = gateway.service.handle(req).await;
    assert_eq!(res.status_code, Some(StatusCode::BAD_REQUEST));
    let problem = problem(&mut res, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["type"], "/problems/bad-request");
}
