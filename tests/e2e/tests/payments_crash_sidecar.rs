//! kill -9 the payments sidecar (daprd) in the middle of a burst of paid orders; after it is
//! restarted, every order is confirmed and captured once (or cancelled by its deadline with
//! nothing taken), no order has more than one PaymentIntent at the provider or more than one
//! authorize and one capture in the ledger, and the order events delivered again change
//! nothing. Its own test binary, so no other test runs while the sidecar is down.
#![allow(clippy::unwrap_used)]

use e2e::payments::{crash_and_restart_payments_sidecar, paid_burst_survives};

#[tokio::test]
async fn a_killed_payments_sidecar_loses_doubles_and_wrongly_charges_no_payment() {
    paid_burst_survives(crash_and_restart_payments_sidecar()).await;
}
