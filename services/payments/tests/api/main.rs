//! The payments service in process, through salvo's test client, on a database of its own per
//! test (`sqlx::test`), with no sidecar: the provider (Stripe, behind the sidecar's binding) is
//! out of reach, so every provider call fails as unavailable. These tests cover what the service
//! decides without the provider: the callers and parameters it refuses, the events it takes in,
//! what the processor does on its own or while it waits, refunds recorded and checked, webhooks
//! authenticated and counted once. What the provider answers is tested end to end against
//! localstripe, in `tests/e2e`.

#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

mod admin;
mod callers;
mod customers;
mod events;
mod helpers;
mod openapi;
mod payment_methods;
mod processor;
mod refunds;
mod webhooks;
