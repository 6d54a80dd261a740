//! The client of the running system (`./shop up`), shared by the end-to-end tests, the seed
//! tool (`./shop seed`) and the benchmarks (`./shop bench`): where the gateway, every app and
//! every sidecar listen, an HTTP client, the secrets `./shop up` generated, and accounts made
//! through the gateway.
//!
//! Its callers run against a local system to test or measure it, so a call that cannot go on
//! panics with what is missing (and usually the `./shop` command that fixes it) rather than
//! handing back an error each of them would only unwrap.

mod accounts;
mod addresses;
mod secrets;

use std::time::Duration;

pub use accounts::{RegisteredUser, access_token, admin_access_token, login, register_user};
pub use addresses::{
    APPS, GATEWAY, SIDECAR_GRPC_PORTS, SIDECAR_METRICS_PORTS, app_port, invoke_url, sidecar,
    sidecar_grpc_port,
};
pub use secrets::secret;

/// An HTTP client with a timeout, so that a hung service fails the caller instead of stalling it.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}
