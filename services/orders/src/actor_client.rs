//! Calling an order's actor (`OrderActor`, hosted by this very service) the way the use cases
//! and the consumers do: through Dapr, which places the actor and runs one call per actor at a
//! time. Every write of an order goes this way.

use serde::de::DeserializeOwned;
use service_runtime::Sidecar;
use uuid::Uuid;

use crate::actor::{
    ACTOR_TYPE, ExecuteAnswer, ExecuteRequest, METHOD_EXECUTE, METHOD_GET, METHOD_SYNC,
};
use crate::domain::{Command, OrderView};
use crate::event_store::EventMetadata;

#[derive(Debug, thiserror::Error)]
pub enum ActorCallError {
    /// The actor could not be reached or failed: placement down, the sidecar or the store
    /// unavailable. Worth a retry.
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

    /// Has the order's actor decide and store `command`.
    pub async fn execute(
        &self,
        order_id: Uuid,
        command: Command,
        metadata: EventMetadata,
    ) -> Result<ExecuteAnswer, ActorCallError> {
        let body = ExecuteRequest { command, metadata };
        self.call(order_id, METHOD_EXECUTE, &body).await
    }

    /// The order's view, as its actor holds it.
    pub async fn view(&self, order_id: Uuid) -> Result<Option<OrderView>, ActorCallError> {
        self.call(order_id, METHOD_GET, &()).await
    }

    /// Has the actor fold its stream again and bring the query row and its reminder up to it.
    pub async fn sync(&self, order_id: Uuid) -> Result<Option<OrderView>, ActorCallError> {
        self.call(order_id, METHOD_SYNC, &()).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        order_id: Uuid,
        method: &'static str,
        body: &impl serde::Serialize,
    ) -> Result<T, ActorCallError> {
        let data = serde_json::to_vec(body)
            .map_err(|source| ActorCallError::UnexpectedAnswer { method, source })?;
        let answer = self
            .sidecar
            .invoke_actor(ACTOR_TYPE, &order_id.to_string(), method, data)
            .await
            .map_err(|e| ActorCallError::Unreachable {
                method,
                message: e.to_string(),
            })?;
        serde_json::from_slice(&answer)
            .map_err(|source| ActorCallError::UnexpectedAnswer { method, source })
    }
}
