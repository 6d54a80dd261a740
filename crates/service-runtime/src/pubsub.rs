//! Subscribing through Dapr: the programmatic subscription list daprd reads from
//! `GET /dapr/subscribe`, and the answers that tell it what to do with a delivered message.
//!
//! Delivery is at least once, so every handler must be idempotent; the answer decides whether
//! daprd acknowledges (`Success`), redelivers (`Retry`) or dead-letters (`Drop`).

use salvo::prelude::*;
use serde::Serialize;

/// One entry of the `GET /dapr/subscribe` answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub pubsubname: &'static str,
    pub topic: &'static str,
    pub route: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_topic: Option<&'static str>,
}

impl Subscription {
    pub fn new(pubsubname: &'static str, topic: &'static str, route: &'static str) -> Self {
        Self {
            pubsubname,
            topic,
            route,
            dead_letter_topic: None,
        }
    }

    pub fn with_dead_letter_topic(mut self, topic: &'static str) -> Self {
        self.dead_letter_topic = Some(topic);
        self
    }
}

/// A salvo handler answering `GET /dapr/subscribe` with a fixed list.
pub struct SubscriptionList(pub Vec<Subscription>);

#[async_trait]
impl Handler for SubscriptionList {
    async fn handle(
        &self,
        _req: &mut Request,
        _depot: &mut Depot,
        res: &mut Response,
        _ctrl: &mut FlowCtrl,
    ) {
        res.render(Json(&self.0));
    }
}

/// What the app tells daprd about one delivered message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Processed (or already processed before): acknowledge.
    Success,
    /// A transient failure (database down, say): deliver again later.
    Retry,
    /// The message can never be processed (malformed, unknown contract): dead-letter it.
    Drop,
}

impl Scribe for DeliveryOutcome {
    fn render(self, res: &mut Response) {
        let status = match self {
            Self::Success => "SUCCESS",
            Self::Retry => "RETRY",
            Self::Drop => "DROP",
        };
        res.render(Json(serde_json::json!({ "status": status })));
    }
}
