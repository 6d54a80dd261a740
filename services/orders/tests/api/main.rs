//! The orders service in process, through salvo's test client, on a database of its own per test
//! (`sqlx::test`). Orders keeps its order streams and actors behind its sidecar, prices through
//! inventory's and checks payment methods through payments'; none runs here, so these tests
//! cover what needs neither: the callers and the parameters refused before any of that, what a
//! placement answers when the sidecar is out of reach, the lists (the query table is in
//! Postgres), and the consumers' answers to deliveries they can decide without the sidecar. What
//! needs it is tested end to end, in `tests/e2e/tests/orders*.rs`.

#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

mod callers;
mod events;
mod helpers;
mod lists;
mod openapi;
mod place_order;
