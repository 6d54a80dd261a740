//! A sidecar client for tests that run no sidecar.

use std::net::TcpListener;

use service_runtime::Sidecar;
use service_runtime::config::SidecarConfig;

/// A loopback port where nothing listens: bound by the system, then released. A request sent
/// there is refused at once, never served by a sidecar of the running stack.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("a bound address").port()
}

/// A sidecar client whose HTTP and gRPC ports are a [`closed_port`]. Constructing it connects
/// nothing (gRPC connects lazily); what a service sends through it is refused, which the
/// service answers as it would a sidecar out of reach (503, or RETRY to daprd).
pub fn unreachable_sidecar() -> Sidecar {
    let port = closed_port();
    Sidecar::new(&SidecarConfig {
        http_port: port,
        grpc_port: port,
        secret_store: "secretstore".into(),
    })
    .expect("a sidecar client for a loopback port")
}
