//! The client for a service's own Dapr sidecar.
//!
//! State, pub/sub, secrets and actors go over Dapr's gRPC API with the generated client from the
//! `dapr` crate (its convenience wrapper lacks state transactions, which event sourcing needs).
//! Service invocation goes over the sidecar's HTTP API instead: that keeps REST semantics (status
//! codes, headers, problem bodies) intact from caller to callee.

use std::collections::HashMap;
use std::time::Duration;

use dapr::dapr::proto::common::v1 as common_v1;
use dapr::dapr::proto::runtime::v1 as dapr_v1;
use tonic::transport::{Channel, Endpoint};

use crate::cloudevent::{CONTENT_TYPE_CLOUDEVENT, EventEnvelope};
use crate::config::SidecarConfig;

type GrpcClient = dapr_v1::dapr_client::DaprClient<Channel>;

#[derive(Debug, thiserror::Error)]
pub enum SidecarError {
    #[error("the Dapr sidecar is unreachable: {0}")]
    Unreachable(String),
    /// Optimistic concurrency: the ETag given no longer matches the stored one.
    #[error("ETag mismatch: the state changed since it was read")]
    EtagMismatch,
    #[error("Dapr refused the call ({code:?}): {message}")]
    Rejected { code: tonic::Code, message: String },
    #[error("secret {0:?} is not in the secret store")]
    MissingSecret(String),
    #[error("could not encode the request: {0}")]
    Encoding(String),
}

impl From<tonic::Status> for SidecarError {
    fn from(status: tonic::Status) -> Self {
        let message = status.message().to_owned();
        // daprd reports a stale ETag as Aborted on a single write, but as Internal with "possible
        // etag mismatch" in the message when it happens inside a transaction; a first-write
        // insert that finds its key taken fails the transaction with "no item was updated"
        // (components-contrib state/postgresql/v2). All of them mean "someone else wrote first".
        let lowered = message.to_ascii_lowercase();
        if status.code() == tonic::Code::Aborted
            || lowered.contains("etag mismatch")
            || lowered.contains("no item was updated")
        {
            return SidecarError::EtagMismatch;
        }
        if status.code() == tonic::Code::Unavailable {
            return SidecarError::Unreachable(message);
        }
        SidecarError::Rejected {
            code: status.code(),
            message,
        }
    }
}

/// `message` as a gRPC request carrying the current span's W3C trace context: daprd reads
/// `traceparent` from the metadata when there is no `grpc-trace-bin` (dapr
/// pkg/diagnostics/grpc_tracing.go), so its span for the call joins the caller's trace.
fn traced<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    for (name, value) in crate::telemetry::current_trace_headers() {
        if let (Ok(name), Ok(value)) = (
            tonic::metadata::MetadataKey::from_bytes(name.as_bytes()),
            value.parse(),
        ) {
            request.metadata_mut().insert(name, value);
        }
    }
    request
}

/// `request` with the current span's W3C trace context as headers.
fn with_trace_headers(mut request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    for (name, value) in crate::telemetry::current_trace_headers() {
        request = request.header(name, value);
    }
    request
}

/// Gives an event that belongs to no trace yet the current span's, under the names daprd keeps:
/// `traceparent` and `traceid` (the same value; daprd looks at `traceid`), and `tracestate`.
pub fn with_current_trace(envelope: &mut EventEnvelope) {
    if envelope.extension("traceid").is_some() {
        return;
    }
    let headers = crate::telemetry::current_trace_headers();
    let Some(traceparent) = headers.get("traceparent") else {
        return;
    };
    envelope.set_extension("traceparent", traceparent.clone());
    envelope.set_extension("traceid", traceparent.clone());
    if let Some(tracestate) = headers.get("tracestate") {
        envelope.set_extension("tracestate", tracestate.clone());
    }
}

/// One operation of a state transaction.
#[derive(Debug, Clone)]
pub enum StateOperation {
    /// Write `value` under `key` unconditionally.
    Upsert {
        key: String,
        value: Vec<u8>,
        metadata: HashMap<String, String>,
    },
    /// Write `value` under `key` only if the stored ETag still matches `etag`.
    Replace {
        key: String,
        value: Vec<u8>,
        etag: String,
        metadata: HashMap<String, String>,
    },
    /// Write `value` under `key` only if the key does not exist yet (first-write concurrency
    /// without an ETag), which fails the whole transaction otherwise.
    Create {
        key: String,
        value: Vec<u8>,
        metadata: HashMap<String, String>,
    },
    Delete {
        key: String,
        etag: Option<String>,
    },
}

impl StateOperation {
    fn into_proto(self) -> dapr_v1::TransactionalStateOperation {
        use common_v1::state_options::{StateConcurrency, StateConsistency};
        let first_write = Some(common_v1::StateOptions {
            concurrency: StateConcurrency::ConcurrencyFirstWrite as i32,
            consistency: StateConsistency::ConsistencyStrong as i32,
        });
        let (operation_type, key, value, etag, metadata, options) = match self {
            Self::Upsert {
                key,
                value,
                metadata,
            } => ("upsert", key, value, None, metadata, None),
            Self::Replace {
                key,
                value,
                etag,
                metadata,
            } => ("upsert", key, value, Some(etag), metadata, first_write),
            Self::Create {
                key,
                value,
                metadata,
            } => ("upsert", key, value, None, metadata, first_write),
            Self::Delete { key, etag } => ("delete", key, Vec::new(), etag, HashMap::new(), None),
        };
        dapr_v1::TransactionalStateOperation {
            operation_type: operation_type.into(),
            request: Some(common_v1::StateItem {
                key,
                value,
                etag: etag.map(|value| common_v1::Etag { value }),
                metadata,
                options,
            }),
        }
    }
}

/// A value read from a state store, with the ETag to write it back under.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredState {
    pub value: Vec<u8>,
    pub etag: String,
}

/// What an output binding answered.
#[derive(Debug, Clone)]
pub struct BindingResponse {
    pub data: Vec<u8>,
    pub metadata: HashMap<String, String>,
}

#[derive(Clone)]
pub struct Sidecar {
    grpc: GrpcClient,
    http: reqwest::Client,
    http_base: String,
    secret_store: String,
}

impl Sidecar {
    /// Prepares a client for the sidecar. The gRPC channel connects lazily, so a service can
    /// start before its sidecar is up; [`Sidecar::wait_until_ready`] waits for it.
    pub fn new(config: &SidecarConfig) -> Result<Self, SidecarError> {
        let channel = Endpoint::from_shared(format!("http://127.0.0.1:{}", config.grpc_port))
            .map_err(|e| SidecarError::Unreachable(e.to_string()))?
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .connect_lazy();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| SidecarError::Unreachable(e.to_string()))?;
        Ok(Self {
            grpc: GrpcClient::new(channel),
            http,
            http_base: format!("http://127.0.0.1:{}", config.http_port),
            secret_store: config.secret_store.clone(),
        })
    }

    /// True once the sidecar has loaded its components and can serve outbound calls.
    /// (`/v1.0/healthz` would also wait for this app, which is what is asking.)
    pub async fn is_ready(&self) -> bool {
        let url = format!("{}/v1.0/healthz/outbound", self.http_base);
        matches!(self.http.get(url).send().await, Ok(r) if r.status().is_success())
    }

    pub async fn wait_until_ready(&self, timeout: Duration) -> Result<(), SidecarError> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !self.is_ready().await {
            if tokio::time::Instant::now() >= deadline {
                return Err(SidecarError::Unreachable(format!(
                    "no ready sidecar at {} after {timeout:?}",
                    self.http_base
                )));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }

    /// Reads one secret from the configured secret store.
    pub async fn secret(&self, key: &str) -> Result<String, SidecarError> {
        let response = self
            .grpc
            .clone()
            .get_secret(dapr_v1::GetSecretRequest {
                store_name: self.secret_store.clone(),
                key: key.into(),
                metadata: HashMap::new(),
            })
            .await?
            .into_inner();
        response
            .data
            .get(key)
            .cloned()
            .ok_or_else(|| SidecarError::MissingSecret(key.into()))
    }

    /// Publishes a CloudEvent. `partition_key` keeps the events of one aggregate in order on
    /// brokers that partition (Kafka).
    ///
    /// The event carries the trace it belongs to: the one it was written in (an outbox row keeps
    /// it from the transaction that wrote it), else the current span's. daprd keeps a CloudEvent's
    /// own `traceid`/`traceparent` (components-contrib `pubsub.FromCloudEvent` only fills them in
    /// when `traceid` is absent), so the consumer's span is a child of the span that produced the
    /// event, however late the relay publishes it; the same context goes with the gRPC call, so
    /// daprd's publish span joins that trace too.
    pub async fn publish(
        &self,
        pubsub: &str,
        topic: &str,
        envelope: &EventEnvelope,
        partition_key: Option<&str>,
    ) -> Result<(), SidecarError> {
        let mut envelope = envelope.clone();
        with_current_trace(&mut envelope);
        let data = envelope
            .to_json()
            .map_err(|e| SidecarError::Encoding(e.to_string()))?;
        let mut metadata = HashMap::new();
        if let Some(key) = partition_key {
            metadata.insert("partitionKey".to_owned(), key.to_owned());
        }
        let mut request = tonic::Request::new(dapr_v1::PublishEventRequest {
            pubsub_name: pubsub.into(),
            topic: topic.into(),
            data,
            data_content_type: CONTENT_TYPE_CLOUDEVENT.into(),
            metadata,
        });
        for name in ["traceparent", "tracestate"] {
            if let Some(value) = envelope.extension(name).and_then(|v| v.parse().ok()) {
                request.metadata_mut().insert(name, value);
            }
        }
        self.grpc.clone().publish_event(request).await?;
        Ok(())
    }

    pub async fn get_state(
        &self,
        store: &str,
        key: &str,
    ) -> Result<Option<StoredState>, SidecarError> {
        let response = self
            .grpc
            .clone()
            .get_state(traced(dapr_v1::GetStateRequest {
                store_name: store.into(),
                key: key.into(),
                consistency: common_v1::state_options::StateConsistency::ConsistencyStrong as i32,
                metadata: HashMap::new(),
            }))
            .await?
            .into_inner();
        // Dapr answers a missing key with an empty value and no ETag.
        if response.etag.is_empty() && response.data.is_empty() {
            return Ok(None);
        }
        Ok(Some(StoredState {
            value: response.data,
            etag: response.etag,
        }))
    }

    /// Reads many keys in one call; missing keys are left out of the answer.
    pub async fn get_bulk_state(
        &self,
        store: &str,
        keys: Vec<String>,
    ) -> Result<HashMap<String, StoredState>, SidecarError> {
        let response = self
            .grpc
            .clone()
            .get_bulk_state(traced(dapr_v1::GetBulkStateRequest {
                store_name: store.into(),
                keys,
                parallelism: 8,
                metadata: HashMap::new(),
            }))
            .await?
            .into_inner();
        let mut found = HashMap::with_capacity(response.items.len());
        for item in response.items {
            if !item.error.is_empty() {
                return Err(SidecarError::Rejected {
                    code: tonic::Code::Internal,
                    message: item.error,
                });
            }
            if !item.data.is_empty() || !item.etag.is_empty() {
                found.insert(
                    item.key,
                    StoredState {
                        value: item.data,
                        etag: item.etag,
                    },
                );
            }
        }
        Ok(found)
    }

    /// Applies all operations atomically, or none of them.
    pub async fn transact(
        &self,
        store: &str,
        operations: Vec<StateOperation>,
        metadata: HashMap<String, String>,
    ) -> Result<(), SidecarError> {
        self.grpc
            .clone()
            .execute_state_transaction(traced(dapr_v1::ExecuteStateTransactionRequest {
                store_name: store.into(),
                operations: operations
                    .into_iter()
                    .map(StateOperation::into_proto)
                    .collect(),
                metadata,
            }))
            .await?;
        Ok(())
    }

    /// Calls a method on a Dapr actor and returns its raw response.
    pub async fn invoke_actor(
        &self,
        actor_type: &str,
        actor_id: &str,
        method: &str,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, SidecarError> {
        let response = self
            .grpc
            .clone()
            .invoke_actor(traced(dapr_v1::InvokeActorRequest {
                actor_type: actor_type.into(),
                actor_id: actor_id.into(),
                method: method.into(),
                data,
                metadata: HashMap::new(),
            }))
            .await?
            .into_inner();
        Ok(response.data)
    }

    /// Invokes an output binding over gRPC: `operation` on component `name` with `data` as the
    /// raw request body and `metadata` as the binding's request metadata. Answers the response
    /// body and metadata. gRPC, not the HTTP API: the HTTP API takes `data` as JSON and would
    /// hand a form-encoded body to the binding as a quoted JSON string.
    pub async fn invoke_binding(
        &self,
        name: &str,
        operation: &str,
        data: Vec<u8>,
        metadata: HashMap<String, String>,
    ) -> Result<BindingResponse, SidecarError> {
        let response = self
            .grpc
            .clone()
            .invoke_binding(traced(dapr_v1::InvokeBindingRequest {
                name: name.into(),
                data,
                metadata,
                operation: operation.into(),
            }))
            .await?
            .into_inner();
        Ok(BindingResponse {
            data: response.data,
            metadata: response.metadata,
        })
    }

    /// An HTTP request to `method_path` on app `app_id`, through Dapr service invocation,
    /// carrying the current span's trace context (the callee's spans join this trace).
    pub fn invoke(
        &self,
        http_method: reqwest::Method,
        app_id: &str,
        method_path: &str,
    ) -> reqwest::RequestBuilder {
        let path = method_path.trim_start_matches('/');
        with_trace_headers(self.http.request(
            http_method,
            format!("{}/v1.0/invoke/{app_id}/method/{path}", self.http_base),
        ))
    }

    /// The sidecar's HTTP API, for building blocks not wrapped here (actor state and reminders),
    /// carrying the current span's trace context.
    pub fn http_api(&self, http_method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        with_trace_headers(self.http.request(
            http_method,
            format!("{}/{}", self.http_base, path.trim_start_matches('/')),
        ))
    }

    /// The generated gRPC client, for the rest of Dapr's API.
    pub fn grpc(&self) -> GrpcClient {
        self.grpc.clone()
    }
}
