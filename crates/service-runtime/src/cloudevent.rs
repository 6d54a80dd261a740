//! CloudEvents 1.0 envelopes for domain events.
//!
//! We build the envelope ourselves (rather than letting Dapr wrap raw JSON) so that the event id,
//! versioned type, source and subject are ours and stable across redeliveries: consumers
//! deduplicate on the id. Dapr keeps a CloudEvent it is given and only adds its own extensions
//! (`traceparent`, `topic`, `pubsubname`).

use chrono::Utc;
use cloudevents::{AttributesReader, Data, Event, EventBuilder, EventBuilderV10};
use serde::de::DeserializeOwned;

pub const CONTENT_TYPE_CLOUDEVENT: &str = "application/cloudevents+json";

pub use contracts::DomainEvent;

#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("not a valid CloudEvent: {0}")]
    Malformed(String),
    #[error("expected an event of type {expected}, got {actual}")]
    UnexpectedType {
        expected: &'static str,
        actual: String,
    },
    #[error("the event carries no data")]
    MissingData,
    #[error("the event data does not match its contract: {0}")]
    Data(#[from] serde_json::Error),
}

/// A CloudEvent carrying one domain event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventEnvelope(Event);

impl EventEnvelope {
    /// Wraps `event` with a fresh, time-ordered id (UUIDv7).
    pub fn wrap<E: DomainEvent>(source: &str, event: &E) -> Result<Self, EnvelopeError> {
        Self::wrap_with_id(uuid::Uuid::now_v7().to_string(), source, event)
    }

    /// Wraps `event` under a given id: an event that is re-published (after a crash, say) must
    /// keep its id, so consumers can recognise it.
    pub fn wrap_with_id<E: DomainEvent>(
        id: String,
        source: &str,
        event: &E,
    ) -> Result<Self, EnvelopeError> {
        let data = serde_json::to_value(event)?;
        EventBuilderV10::new()
            .id(id)
            .ty(E::EVENT_TYPE)
            .source(source)
            .subject(event.aggregate_id())
            .time(Utc::now())
            .data("application/json", data)
            .build()
            .map(Self)
            .map_err(|e| EnvelopeError::Malformed(e.to_string()))
    }

    /// Parses a structured-mode CloudEvent as Dapr delivers it to a subscriber.
    pub fn from_json(body: &[u8]) -> Result<Self, EnvelopeError> {
        serde_json::from_slice(body)
            .map(Self)
            .map_err(|e| EnvelopeError::Malformed(e.to_string()))
    }

    pub fn to_json(&self) -> Result<Vec<u8>, EnvelopeError> {
        Ok(serde_json::to_vec(&self.0)?)
    }

    pub fn id(&self) -> &str {
        self.0.id()
    }

    pub fn event_type(&self) -> &str {
        self.0.ty()
    }

    /// When the event happened, as its producer wrote it (the CloudEvents `time`), if it did.
    pub fn time(&self) -> Option<chrono::DateTime<Utc>> {
        self.0.time().copied()
    }

    pub fn subject(&self) -> Option<&str> {
        self.0.subject()
    }

    pub fn source(&self) -> String {
        self.0.source().to_string()
    }

    /// A string extension attribute, e.g. the `traceparent` Dapr adds.
    pub fn extension(&self, name: &str) -> Option<String> {
        self.0.extension(name).map(|v| v.to_string())
    }

    pub fn set_extension(&mut self, name: &str, value: impl Into<String>) {
        self.0.set_extension(name, value.into());
    }

    /// The payload as the contract `E`, after checking that the type matches.
    pub fn data<E: DomainEvent>(&self) -> Result<E, EnvelopeError> {
        if self.event_type() != E::EVENT_TYPE {
            return Err(EnvelopeError::UnexpectedType {
                expected: E::EVENT_TYPE,
                actual: self.event_type().to_owned(),
            });
        }
        self.json_data()
    }

    /// The payload as any deserializable type, without a type check (for generic consumers such
    /// as analytics, which store every event).
    pub fn json_data<T: DeserializeOwned>(&self) -> Result<T, EnvelopeError> {
        match self.0.data() {
            Some(Data::Json(value)) => Ok(T::deserialize(value)?),
            Some(Data::String(text)) => Ok(serde_json::from_str(text)?),
            Some(Data::Binary(bytes)) => Ok(serde_json::from_slice(bytes)?),
            None => Err(EnvelopeError::MissingData),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Pinged {
        target: String,
    }

    impl DomainEvent for Pinged {
        const EVENT_TYPE: &'static str = "shop.test.pinged.v1";
        fn aggregate_id(&self) -> String {
            self.target.clone()
        }
    }

    #[test]
    fn round_trips_through_json_with_type_subject_and_data() {
        let event = Pinged {
            target: "t-1".into(),
        };
        let envelope = EventEnvelope::wrap("shop/test", &event).unwrap();
        let parsed = EventEnvelope::from_json(&envelope.to_json().unwrap()).unwrap();
        assert_eq!(parsed.event_type(), "shop.test.pinged.v1");
        assert_eq!(parsed.subject(), Some("t-1"));
        assert_eq!(parsed.id(), envelope.id());
        assert_eq!(parsed.data::<Pinged>().unwrap(), event);
    }

    #[test]
    fn refuses_data_of_another_contract() {
        let mut json: serde_json::Value = serde_json::from_slice(
            &EventEnvelope::wrap("shop/test", &Pinged { target: "x".into() })
                .unwrap()
                .to_json()
                .unwrap(),
        )
        .unwrap();
        json["type"] = "shop.test.other.v1".into();
        let parsed = EventEnvelope::from_json(json.to_string().as_bytes()).unwrap();
        assert!(matches!(
            parsed.data::<Pinged>(),
            Err(EnvelopeError::UnexpectedType { .. })
        ));
    }

    #[test]
    fn accepts_the_extensions_dapr_adds_on_delivery() {
        let mut json: serde_json::Value = serde_json::from_slice(
            &EventEnvelope::wrap("shop/test", &Pinged { target: "x".into() })
                .unwrap()
                .to_json()
                .unwrap(),
        )
        .unwrap();
        json["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into();
        json["topic"] = "pings".into();
        json["pubsubname"] = "events".into();
        let parsed = EventEnvelope::from_json(json.to_string().as_bytes()).unwrap();
        assert_eq!(parsed.extension("topic").as_deref(), Some("pings"));
        assert!(parsed.data::<Pinged>().is_ok());
    }
}
