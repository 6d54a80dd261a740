//! Logs and traces. Logs always go to stdout (JSON with `LOG_FORMAT=json`, one object a line
//! with the `trace_id` and `span_id` of the span it was written in, so a log line leads to its
//! trace); spans are exported over OTLP/gRPC only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
//! W3C trace context is the propagation format, the same one Dapr uses, so a trace crosses
//! sidecars unbroken. Sampling follows the standard `OTEL_TRACES_SAMPLER`/`_ARG` variables,
//! which the SDK reads itself (dapr/dapr.yaml sets them beside daprd's own `samplingRate`).

use std::collections::HashMap;

use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{Format, FormatEvent, FormatFields, Json, Writer};
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
        tracing_subscriber::fmt::layer()
            .json()
            .event_format(JsonWithTraceIds(
                tracing_subscriber::fmt::format()
                    .json()
                    .with_current_span(true),
            ))
            .boxed()
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

/// tracing-subscriber's JSON lines, each with the OpenTelemetry `trace_id` and `span_id` of the
/// span the event was written in: the ids Zipkin shows, which `tracing`'s own span ids are not.
struct JsonWithTraceIds(Format<Json>);

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
        let ids = ctx
            .lookup_current()
            .and_then(|span| {
                tracing::dispatcher::get_default(|dispatch| {
                    tracing_opentelemetry::get_otel_context(&span.id(), dispatch)
                })
            })
            .map(|context| context.span().span_context().clone())
            .filter(opentelemetry::trace::SpanContext::is_valid);
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
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
