//! The salvo server every service runs: health probes, Prometheus metrics, the app API token
//! check, a tracing span and request metrics per request, problem+json for every error salvo
//! itself produces, and graceful shutdown.

use std::time::Duration;

use opentelemetry::propagation::Extractor;
use salvo::catcher::Catcher;
use salvo::http::StatusCode;
use salvo::http::header::HeaderMap;
use salvo::prelude::*;
use sqlx::PgPool;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::config::RuntimeConfig;
use crate::problem::{Problem, render_status_as_problem};
use crate::sidecar::Sidecar;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// The header daprd puts on every call into the app when `APP_API_TOKEN` is set.
pub const APP_API_TOKEN_HEADER: &str = "dapr-api-token";
/// How long in-flight requests get to finish after SIGTERM.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);

/// What `/readyz` checks: the sidecar, and the database where the service has one.
#[derive(Clone)]
pub struct Readiness {
    pub sidecar: Sidecar,
    pub database: Option<PgPool>,
}

/// Serves `router` until SIGTERM or Ctrl-C, then drains in-flight requests.
pub async fn serve(config: &RuntimeConfig, router: Router, readiness: Readiness) {
    let service = service(router, Some(readiness), config.app_api_token.clone());

    let acceptor = TcpListener::new(config.listen_addr).bind().await;
    let server = Server::new(acceptor);
    let handle = server.handle();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested; draining in-flight requests");
        handle.stop_graceful(DRAIN_TIMEOUT);
    });
    tracing::info!(addr = %config.listen_addr, service = %config.service_name, "listening");
    server.serve(service).await;
    tracing::info!("stopped");
}

/// The salvo service a shop service runs: its `router` behind the request span, the app API
/// token check and the problem+json catcher, with `/healthz`, `/metrics` and (given
/// `readiness`) `/readyz`.
/// The route tests build the same service, without a token, to exercise what clients get.
pub fn service(
    router: Router,
    readiness: Option<Readiness>,
    app_api_token: Option<String>,
) -> Service {
    let mut root = Router::new()
        .push(Router::with_path("healthz").get(healthz))
        .push(Router::with_path("metrics").get(metrics));
    if let Some(readiness) = readiness {
        root = root.push(
            Router::with_path("readyz")
                .hoop(salvo::affix_state::inject(readiness))
                .get(readyz),
        );
    }
    Service::new(root.push(router))
        .hoop(trace_request)
        .hoop(RequireAppToken(app_api_token))
        .catcher(Catcher::new(render_status_as_problem))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Liveness: the process is up and serving.
#[handler]
async fn healthz(res: &mut Response) {
    res.status_code(StatusCode::OK);
    res.render(Text::Plain("ok"));
}

/// Prometheus' scrape target (text exposition format 0.0.4).
#[handler]
async fn metrics(res: &mut Response) {
    res.headers_mut().insert(
        salvo::http::header::CONTENT_TYPE,
        salvo::http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res.body(crate::metrics::render());
}

/// Readiness: the sidecar and the database both answer.
#[handler]
async fn readyz(depot: &mut Depot, res: &mut Response) {
    let Ok(readiness) = depot.get_typed::<Readiness>() else {
        res.render(Problem::internal());
        return;
    };
    let sidecar = readiness.sidecar.is_ready().await;
    let database = match &readiness.database {
        Some(pool) => crate::database::is_ready(pool).await,
        None => true,
    };
    if sidecar && database {
        res.render(Json(
            serde_json::json!({ "sidecar": "ready", "database": "ready" }),
        ));
    } else {
        let state = |ok| if ok { "ready" } else { "unavailable" };
        res.render(
            Problem::unavailable("not ready to serve")
                .with_extension("sidecar", state(sidecar))
                .with_extension("database", state(database)),
        );
    }
}

/// Refuses calls that did not come through the sidecar. daprd adds `dapr-api-token` to every
/// call it makes into the app; a client that reaches the port directly does not know it.
/// The probes and `/metrics` are exempt: daprd's health probe comes without the token, and
/// Prometheus scrapes the app port directly (it holds no token, and the counters say nothing a
/// caller could use against the service; the gateway's public listener should not be reachable
/// at `/metrics` from outside, which an ingress rule, not the app, decides).
struct RequireAppToken(Option<String>);

#[async_trait]
impl Handler for RequireAppToken {
    async fn handle(
        &self,
        req: &mut Request,
        depot: &mut Depot,
        res: &mut Response,
        ctrl: &mut FlowCtrl,
    ) {
        let Some(expected) = &self.0 else { return };
        if POLLED_PATHS.contains(&req.uri().path()) {
            return;
        }
        let presented = req
            .headers()
            .get(APP_API_TOKEN_HEADER)
            .map(|v| v.as_bytes());
        if !presented.is_some_and(|token| constant_time_eq(token, expected.as_bytes())) {
            res.render(Problem::unauthorized(
                "this service only accepts calls through its Dapr sidecar",
            ));
            ctrl.skip_rest();
            return;
        }
        ctrl.call_next(req, depot, res).await;
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The paths machines poll every few seconds (daprd's health probe, Prometheus' scrape): no span
/// and no request metric for them, or every trace list and request rate would be mostly probes.
const POLLED_PATHS: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// One span per request, a child of the caller's W3C trace context, carrying the request id.
#[handler]
async fn trace_request(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
    ctrl: &mut FlowCtrl,
) {
    if POLLED_PATHS.contains(&req.uri().path()) {
        ctrl.call_next(req, depot, res).await;
        return;
    }
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        request_id = %request_id,
        status = tracing::field::Empty,
    );
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(req.headers()))
    });
    let _ = span.set_parent(parent);
    depot.insert(REQUEST_ID_HEADER, request_id.clone());

    let started = std::time::Instant::now();
    ctrl.call_next(req, depot, res)
        .instrument(span.clone())
        .await;
    let status = res.status_code.unwrap_or(StatusCode::OK);
    span.record("status", status.as_u16());
    crate::metrics::observe_request(
        req.method().as_str(),
        req.matched_path(),
        status.as_u16(),
        started.elapsed(),
    );
    if let Ok(value) = request_id.parse() {
        res.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    span.in_scope(|| {
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), elapsed_ms, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), elapsed_ms, "request served");
        }
    });
}

/// The request id of the current request, for handlers that log or forward it.
pub fn request_id(depot: &Depot) -> Option<&str> {
    depot
        .get::<String>(REQUEST_ID_HEADER)
        .ok()
        .map(String::as_str)
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn token_comparison_needs_equal_bytes_and_length() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret-longer"));
        assert!(!constant_time_eq(b"", b"x"));
    }
}
