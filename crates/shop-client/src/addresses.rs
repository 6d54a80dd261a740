//! Where things listen. The one place the ports are written down is `dapr/dapr.yaml`, the run
//! file `dapr run -f` starts the system from; `build.rs` turns its table into the constants
//! below, and `scripts/lib/apps.sh` reads the same file.

mod run_file {
    include!(concat!(env!("OUT_DIR"), "/run_file.rs"));
}

/// App id -> (app port, Dapr HTTP port), for every app of `dapr/dapr.yaml`.
pub const APPS: &[(&str, u16, u16)] = run_file::APPS;

/// The gateway's base URL: the only address the shop's clients use.
pub const GATEWAY: &str = run_file::GATEWAY;

fn ports(app: &str) -> (u16, u16) {
    APPS.iter()
        .find(|(id, _, _)| *id == app)
        .map(|(_, app_port, sidecar_port)| (*app_port, *sidecar_port))
        .unwrap_or_else(|| panic!("no app `{app}` in dapr/dapr.yaml"))
}

/// The port `app` itself listens on (reached directly, it expects what its sidecar adds).
pub fn app_port(app: &str) -> u16 {
    ports(app).0
}

/// The base URL of `app`'s sidecar HTTP API.
pub fn sidecar(app: &str) -> String {
    format!("http://127.0.0.1:{}", ports(app).1)
}

/// App id -> Dapr gRPC port, for every app of `dapr/dapr.yaml`.
pub const SIDECAR_GRPC_PORTS: &[(&str, u16)] = run_file::SIDECAR_GRPC_PORTS;

/// Each sidecar's Prometheus metrics port, by app id (`metricsPort` in the run file).
pub const SIDECAR_METRICS_PORTS: &[(&str, u16)] = run_file::SIDECAR_METRICS_PORTS;

/// The port of `app`'s sidecar gRPC API (what a service's own `Sidecar` client talks to, e.g.
/// for output bindings).
pub fn sidecar_grpc_port(app: &str) -> u16 {
    SIDECAR_GRPC_PORTS
        .iter()
        .find(|(id, _)| *id == app)
        .map(|(_, port)| *port)
        .unwrap_or_else(|| panic!("no app `{app}` in dapr/dapr.yaml"))
}

/// Calls `method_path` on `app` through the gateway's sidecar (Dapr service invocation).
pub fn invoke_url(app: &str, method_path: &str) -> String {
    format!(
        "{}/v1.0/invoke/{app}/method/{}",
        sidecar("gateway"),
        method_path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// The services of the workspace: `services/<name>` in the root `Cargo.toml`'s members.
    fn workspace_services() -> Vec<&'static str> {
        include_str!("../../../Cargo.toml")
            .lines()
            .filter_map(|line| {
                line.trim()
                    .trim_end_matches(',')
                    .trim_matches('"')
                    .strip_prefix("services/")
            })
            .collect()
    }

    #[test]
    fn every_workspace_service_is_in_the_run_file() {
        let services = workspace_services();
        assert!(
            services.len() >= 7,
            "the workspace members were not read: {services:?}"
        );
        for service in services {
            assert!(
                APPS.iter().any(|(id, _, _)| *id == service),
                "{service} is a workspace member but dapr/dapr.yaml does not run it"
            );
        }
    }

    #[test]
    fn no_two_apps_or_sidecars_share_a_port() {
        let mut seen = HashSet::new();
        for (app, app_port, sidecar_port) in APPS {
            assert!(
                seen.insert(*app_port),
                "{app}'s port {app_port} is taken twice"
            );
            assert!(
                seen.insert(*sidecar_port),
                "{app}'s Dapr HTTP port {sidecar_port} is taken twice"
            );
            let grpc_port = sidecar_grpc_port(app);
            assert!(
                seen.insert(grpc_port),
                "{app}'s Dapr gRPC port {grpc_port} is taken twice"
            );
        }
    }

    #[test]
    fn the_gateway_url_is_the_gateway_app() {
        assert_eq!(GATEWAY, format!("http://127.0.0.1:{}", app_port("gateway")));
    }

    #[test]
    fn invocation_goes_through_the_gateway_sidecar() {
        assert_eq!(
            invoke_url("orders", "/internal/streams/order-1"),
            format!(
                "{}/v1.0/invoke/orders/method/internal/streams/order-1",
                sidecar("gateway")
            )
        );
    }
}
