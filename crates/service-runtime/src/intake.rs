//! Receiving CloudEvents from Dapr pub/sub, the one way every consumer does it.
//!
//! [`receive`] reads the delivered CloudEvent, opens an `event` span that continues the trace the
//! event carries (`traceparent`/`tracestate`, which the publisher put there and Dapr keeps),
//! runs the consumer inside it, and turns the consumer's answer into Dapr's SUCCESS, RETRY or
//! DROP. Delivery is at least once: consumers must be idempotent, and say so with
//! [`Consumed::AlreadyDone`] when they recognise a redelivery.

use std::future::Future;

use salvo::Request;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::cloudevent::{EnvelopeError, EventEnvelope};
use crate::pubsub::DeliveryOutcome;

/// What a consumer did with an event it could process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumed {
    /// The event changed something.
    Handled,
    /// A redelivery (or an answer that no longer applies): nothing to do again.
    AlreadyDone,
    /// An event type this consumer does not care about.
    Ignored,
}

impl Consumed {
    /// `Handled` when processing the event changed something, `AlreadyDone` when it found the
    /// change already made (a redelivery): what an idempotent write reports.
    pub fn from_change(changed: bool) -> Self {
        if changed {
            Self::Handled
        } else {
            Self::AlreadyDone
        }
    }
}

/// Why a consumer could not process an event.
#[derive(Debug, thiserror::Error)]
pub enum ConsumeError {
    /// The event breaks its contract (unknown shape, missing subject): it never will be
    /// processable, so it goes to the dead-letter topic instead of blocking the partition.
    #[error("the event breaks its contract: {0}")]
    BrokenContract(String),
    /// The message is understood but can never succeed (a provider refused it for good): it goes
    /// to the dead-letter topic at once instead of using up its retries.
    #[error("the message cannot succeed: {0}")]
    Undeliverable(String),
    /// Something this service depends on failed (its database, a sidecar call): try again.
    #[error(transparent)]
    Transient(#[from] anyhow::Error),
}

impl From<EnvelopeError> for ConsumeError {
    fn from(error: EnvelopeError) -> Self {
        Self::BrokenContract(error.to_string())
    }
}

impl From<sqlx::Error> for ConsumeError {
    fn from(error: sqlx::Error) -> Self {
        Self::Transient(error.into())
    }
}

impl ConsumeError {
    /// For a dependency the handler could not find in the depot, etc.
    pub fn transient(error: impl std::fmt::Display) -> Self {
        Self::Transient(anyhow::anyhow!("{error}"))
    }
}

/// Reads the CloudEvent of this delivery and hands it to `consume`, in a span that continues
/// the event's trace; answers Dapr with what should happen to the message.
pub async fn receive<F, Fut>(req: &mut Request, consume: F) -> DeliveryOutcome
where
    F: FnOnce(EventEnvelope) -> Fut,
    Fut: Future<Output = Result<Consumed, ConsumeError>>,
{
    let envelope = match req
        .payload()
        .await
        .map(|body| EventEnvelope::from_json(body))
    {
        Ok(Ok(envelope)) => envelope,
        Ok(Err(error)) => {
            tracing::warn!(%error, "dead-lettering a message that is not a CloudEvent");
            return DeliveryOutcome::Drop;
        }
        Err(error) => {
            tracing::warn!(%error, "could not read a delivered message");
            return DeliveryOutcome::Retry;
        }
    };
    let span = event_span(&envelope);
    let topic = envelope.extension("topic").unwrap_or_default();
    let event_type = envelope.event_type().to_owned();
    let time = envelope.time();
    // `.instrument`, not `span.enter()`: an entered guard held across `.await` leaks the span
    // into whatever else the thread runs meanwhile.
    async move {
        let outcome = consume(envelope).await;
        let answer = answer(&outcome);
        let age = time.and_then(|time| (chrono::Utc::now() - time).to_std().ok());
        crate::metrics::observe_consumed(&topic, &event_type, outcome_label(&outcome), age);
        match outcome {
            Ok(consumed) => tracing::info!(?consumed, "event consumed"),
            Err(ConsumeError::BrokenContract(error)) => {
                tracing::warn!(%error, "dead-lettering an event that breaks its contract");
            }
            Err(ConsumeError::Undeliverable(error)) => {
                tracing::warn!(%error, "dead-lettering a message that cannot succeed");
            }
            Err(ConsumeError::Transient(error)) => tracing::error!(
                error = format!("{error:#}"),
                "consuming an event failed; asking for redelivery"
            ),
        }
        answer
    }
    .instrument(span)
    .await
}

/// Dapr's answer for a consumer's outcome.
pub fn answer(outcome: &Result<Consumed, ConsumeError>) -> DeliveryOutcome {
    match outcome {
        Ok(_) => DeliveryOutcome::Success,
        Err(ConsumeError::BrokenContract(_) | ConsumeError::Undeliverable(_)) => {
            DeliveryOutcome::Drop
        }
        Err(ConsumeError::Transient(_)) => DeliveryOutcome::Retry,
    }
}

/// The `outcome` label of `events_consumed_total`.
fn outcome_label(outcome: &Result<Consumed, ConsumeError>) -> &'static str {
    match outcome {
        Ok(Consumed::Handled) => "handled",
        Ok(Consumed::AlreadyDone) => "already_done",
        Ok(Consumed::Ignored) => "ignored",
        Err(ConsumeError::BrokenContract(_) | ConsumeError::Undeliverable(_)) => "dead_lettered",
        Err(ConsumeError::Transient(_)) => "retried",
    }
}

/// A span for one delivered event, a child of the trace the event carries.
pub fn event_span(envelope: &EventEnvelope) -> tracing::Span {
    let span = tracing::info_span!(
        "event",
        id = envelope.id(),
        r#type = envelope.event_type(),
        subject = envelope.subject().unwrap_or_default(),
        topic = envelope.extension("topic").unwrap_or_default(),
    );
    let carrier = TraceCarrier {
        traceparent: envelope.extension("traceparent"),
        tracestate: envelope.extension("tracestate"),
    };
    let parent =
        opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(&carrier));
    let _ = span.set_parent(parent);
    span
}

struct TraceCarrier {
    traceparent: Option<String>,
    tracestate: Option<String>,
}

impl opentelemetry::propagation::Extractor for TraceCarrier {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            "traceparent" => self.traceparent.as_deref(),
            "tracestate" => self.tracestate.as_deref().filter(|s| !s.is_empty()),
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent", "tracestate"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_map_to_dapr_answers() {
        assert_eq!(answer(&Ok(Consumed::Handled)), DeliveryOutcome::Success);
        assert_eq!(answer(&Ok(Consumed::AlreadyDone)), DeliveryOutcome::Success);
        assert_eq!(answer(&Ok(Consumed::Ignored)), DeliveryOutcome::Success);
        assert_eq!(
            answer(&Err(ConsumeError::BrokenContract("no order id".into()))),
            DeliveryOutcome::Drop
        );
        assert_eq!(
            answer(&Err(ConsumeError::Undeliverable(
                "550 no such mailbox".into()
            ))),
            DeliveryOutcome::Drop
        );
        assert_eq!(
            answer(&Err(ConsumeError::transient("database down"))),
            DeliveryOutcome::Retry
        );
    }
}
