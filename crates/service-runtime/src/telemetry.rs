//! Logs and traces. Logs always go to stdout (JSON with `LOG_FORMAT=json`, one object a line
//! with the `trace_id` and `span_id` of the span it was written in, so a log line leads to its
//! trace); spans are exported over OTLP/gRPC only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
//! W3C trace context is the propagation format, the same one Dapr uses, so a trace crosses
//! sidecars unbroken. Sampling follows the standard `OTEL_TRACES_SAMPLER`/`_ARG` variables,
//! which the SDK reads itself (dapr/dapr.yaml sets them beside daprd's own `samplingRate`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::dispatcher::WeakDispatch;
use tracing::{Dispatch, Subscriber};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::fmt::format::{Format, FormatEvent, FormatFields, Json, Writer};
use tracing_subscriber::fmt::{FmtContext, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{RuntimeConfig, optional};

/// Flushes pending spans when dropped at the end of `main`.
pub struct TelemetryGuard(Option<SdkTracerProvider>);

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.0.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("could not flush traces: {error}");
        }
    }
}

pub fn init(config: &RuntimeConfig) -> anyhow::Result<TelemetryGuard> {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,h2=warn,tower=warn,hyper=warn"));
    let fmt = if optional("LOG_FORMAT").as_deref() == Some("json") {
        json_lines_to(std::io::stdout).boxed()
    } else {
        tracing_subscriber::fmt::layer().compact().boxed()
    };

    let provider = match &config.otlp_endpoint {
        None => None,
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint.clone())
                .build()?;
            Some(
                SdkTracerProvider::builder()
                    .with_batch_exporter(exporter)
                    .with_resource(
                        Resource::builder()
                            .with_service_name(config.service_name.clone())
                            .build(),
                    )
                    .build(),
            )
        }
    };
    let otel = provider.as_ref().map(|provider| {
        opentelemetry::global::set_tracer_provider(provider.clone());
        tracing_opentelemetry::layer().with_tracer(provider.tracer(config.service_name.clone()))
    });

    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init()?;
    Ok(TelemetryGuard(provider))
}

/// The W3C trace context of the current span (`traceparent`, and `tracestate` when there is
/// one), to send with a call or an event so that the callee's spans join this trace. Empty when
/// the current span belongs to no trace (no exporter, or outside any span).
pub fn current_trace_headers() -> HashMap<String, String> {
    let context = tracing::Span::current().context();
    let mut headers = HashMap::new();
    if context.span().span_context().is_valid() {
        opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.inject_context(&context, &mut headers);
        });
    }
    headers.retain(|_, value| !value.is_empty());
    headers
}

/// JSON log lines to `writer`, one object a line, with the trace and span ids of the span each
/// was written in (see [`JsonWithTraceIds`]).
fn json_lines_to<S, W>(writer: W) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let dispatch = DispatchCell::default();
    tracing_subscriber::fmt::layer()
        .json()
        .event_format(JsonWithTraceIds {
            format: tracing_subscriber::fmt::format()
                .json()
                .with_current_span(true),
            dispatch: dispatch.clone(),
        })
        .with_writer(writer)
        .and_then(dispatch)
}

/// The dispatcher the subscriber was registered in, remembered at registration. The formatter
/// needs it to ask the OpenTelemetry layer for a span's context, and cannot ask
/// `tracing::dispatcher::get_default` while an event is being dispatched: under a scoped
/// dispatcher (`with_default`, as in tests) that call is re-entry, answered with no subscriber.
#[derive(Clone, Default)]
struct DispatchCell(Arc<OnceLock<WeakDispatch>>);

impl<S: Subscriber> Layer<S> for DispatchCell {
    fn on_register_dispatch(&self, dispatch: &Dispatch) {
        let _ = self.0.set(dispatch.downgrade());
    }
}

/// tracing-subscriber's JSON lines, each with the OpenTelemetry `trace_id` and `span_id` of the
/// span the event was written in: the ids Zipkin shows, which `tracing`'s own span ids are not.
struct JsonWithTraceIds {
    format: Format<Json>,
    dispatch: DispatchCell,
}

impl<S, N> FormatEvent<S, N> for JsonWithTraceIds
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        // Read before formatting: the formatter holds the span's extensions while it writes, and
        // the OpenTelemetry layer needs them to hand out the context.
        let dispatch = self.dispatch.0.get().and_then(WeakDispatch::upgrade);
        let ids = ctx
            .lookup_current()
            .zip(dispatch)
            .and_then(|(span, dispatch)| {
                tracing_opentelemetry::get_otel_context(&span.id(), &dispatch)
            })
            .map(|context| context.span().span_context().clone())
            .filter(opentelemetry::trace::SpanContext::is_valid);
        let mut line = String::new();
        self.format
            .format_event(ctx, Writer::new(&mut line), event)?;
        let object = line.trim_end();
        match (ids, object.strip_suffix('}')) {
            (Some(ids), Some(fields)) => writeln!(
                writer,
                r#"{fields},"trace_id":"{}","span_id":"{}"}}"#,
                ids.trace_id(),
                ids.span_id()
            ),
            _ => writer.write_str(&line),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Collects what the fmt layer writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn json_lines_in_a_span_carry_its_trace_and_span_id_and_others_none() {
        let captured = Captured::default();
        let writer = captured.clone();
        // A provider with no exporter: spans are sampled and get real ids, nothing is sent.
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
            .with(json_lines_to(move || writer.clone()));
        let expected = tracing::subscriber::with_default(subscriber, || {
            tracing::info!("outside any span");
            let span = tracing::info_span!("request", path = "/orders");
            let context = span.context();
            span.in_scope(|| tracing::info!(order = 7, "inside"));
            context.span().span_context().clone()
        });

        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].get("trace_id").is_none(), "{}", lines[0]);
        assert_eq!(lines[1]["fields"]["message"], "inside");
        assert_eq!(lines[1]["span"]["path"], "/orders");
        assert_eq!(lines[1]["trace_id"], expected.trace_id().to_string());
        assert_eq!(lines[1]["span_id"], expected.span_id().to_string());
    }
}
