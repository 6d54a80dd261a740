//! What makes a payload a domain event: a versioned CloudEvents type and the aggregate it is
//! about. The envelope itself (CloudEvents, trace context) is the runtime's business; a contract
//! only says what it carries.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A domain event contract: a payload with a versioned CloudEvents type.
pub trait DomainEvent: Serialize + DeserializeOwned {
    /// The CloudEvents `type`, versioned in its name, e.g. `shop.order.placed.v1`.
    const EVENT_TYPE: &'static str;

    /// The id of the aggregate the event is about. It becomes the CloudEvents `subject` and the
    /// Kafka partition key, so all events of one aggregate stay in order.
    fn aggregate_id(&self) -> String;
}
