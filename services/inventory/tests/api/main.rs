//! The inventory's routes in process, against a real Postgres database per test (see
//! `helpers`): what clients and the order saga get, without a sidecar.

#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

mod admin_products;
mod catalog;
mod helpers;
mod openapi;
mod quotes;
mod reservations;
mod stock;
