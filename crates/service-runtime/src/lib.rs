//! The runtime every shop service shares.
//!
//! A service's `main` reads a [`RuntimeConfig`], initialises [`telemetry`], connects to its
//! [`Sidecar`] (and, if it keeps relational data, its own Postgres through [`database`]), builds
//! its salvo router and hands it to [`server::serve`], which adds health probes, the app API
//! token check and graceful shutdown. Nothing in here knows about a particular service.

pub mod caller;
pub mod cloudevent;
pub mod config;
pub mod database;
pub mod field_error;
pub mod intake;
pub mod metrics;
pub mod outbox;
pub mod problem;
pub mod pubsub;
pub mod request;
pub mod server;
pub mod sidecar;
pub mod startup;
pub mod telemetry;

pub use caller::{Admin, Customer};
pub use cloudevent::{DomainEvent, EventEnvelope};
pub use config::RuntimeConfig;
pub use field_error::FieldError;
pub use problem::Problem;
pub use request::{
    CursorParam, IdempotencyKey, IdempotencyKeyHeader, Limit, PageCursor, PathId, ValidJson,
};
pub use sidecar::{Sidecar, SidecarError};
pub use startup::StartedService;

/// What the runtime's macros expand to, so a service need not name these crates itself.
#[doc(hidden)]
pub mod reexport {
    pub use salvo;
}
