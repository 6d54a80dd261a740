//! What the services' in-process route tests share: who calls, how an answer is read, and how
//! their OpenAPI document is looked into.
//!
//! A service's tests build its router as `main` does and send it requests through salvo's test
//! client. What differs between services (building the app, seeding its data) stays in each
//! service's tests; what is the same everywhere is here: the identity headers the gateway
//! forwards, the RFC 9457 problem+json every service answers a refusal with, and a sidecar
//! address where nothing listens.
//!
//! A dev-dependency only: the helpers panic, which is how a test fails.

mod answer;
mod caller;
pub mod openapi;
mod sidecar;

pub use answer::{PROBLEM_JSON, fields, json_body, messages, problem};
pub use caller::{Caller, WithCaller};
pub use sidecar::{closed_port, unreachable_sidecar};
