//! Calling an order's actor (`OrderActor`, hosted by this very service) the way the use cases
//! do: through Dapr, which places the actor and runs one call per actor at a time.

use service_runtime::Sidecar;
use uuid::Uuid;

use crate::actor::{ACTOR_TYPE, METHOD_CATCH_UP, METHOD_GET, METHOD_REPLAY};
use crate::domain::OrderView;

#[derive(Debug, thiserror::Error)]
pub enum ActorCallError {
    #[error("OrderActor {method}: {message}")]
    Unreachable {
        method: &'static str,
        message: String,
    },
    #[error("OrderActor {method} answered: {source}")]
    UnexpectedAnswer {
        method: &'static str,
        source: serde_json::Error,
    },
}

#[derive(Clone)]
pub struct OrderActorClient {
    sidecar: Sidecar,
}

impl OrderActorClient {
    pub fn new(sidecar: Sidecar) -> Self {
        Self { sidecar }
    }

    /// The order's view, as its actor holds it (projected on first read).
    pub async fn view(&self, order_id: Uuid) -> Result<Option<OrderView>, ActorCallError> {
        self.call(order_id, METHOD_GET).await
    }

    /// Asks the actor to catch up with the stream; returns its view.
    pub async fn catch_up(&self, order_id: Uuid) -> Result<Option<OrderView>, ActorCallError> {
        self.call(order_id, METHOD_CATCH_UP).await
    }

    /// Asks the actor to project the stream from its first event into both read models.
    pub async fn replay(&self, order_id: Uuid) -> Result<Option<OrderView>, ActorCallError> {
        self.call(order_id, METHOD_REPLAY).await
    }

    async fn call(
        &self,
        order_id: Uuid,
        method: &'static str,
    ) -> Result<Option<OrderView>, ActorCallError> {
        let answer = self
            .sidecar
            .invoke_actor(ACTOR_TYPE, &order_id.to_string(), method, Vec::new())
            .await
            .map_err(|e| ActorCallError::Unreachable {
                method,
                message: e.to_string(),
            })?;
        serde_json::from_slice(&answer)
            .map_err(|source| ActorCallError::UnexpectedAnswer { method, source })
    }
}
