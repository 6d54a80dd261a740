mod forward;

use salvo::prelude::*;
use service_runtime::Sidecar;

use crate::config::GatewayConfig;
pub use forward::Upstream;

/// Public path prefix → (Dapr app id, path prefix on that app).
const UPSTREAMS: &[Upstream] = &[
    Upstream {
        public_prefix: "users",
        app_id: "users",
        app_prefix: "users",
    },
    Upstream {
        public_prefix: "catalog",
        app_id: "inventory",
        app_prefix: "catalog",
    },
    Upstream {
        public_prefix: "orders",
        app_id: "orders",
        app_prefix: "orders",
    },
];

pub fn router(sidecar: Sidecar, config: GatewayConfig) -> Router {
    let mut api = Router::with_path("api").hoop(salvo::affix_state::inject(sidecar).inject(config));
    for upstream in UPSTREAMS {
        api = api.push(
            Router::with_path(upstream.public_prefix)
                .hoop(salvo::affix_state::inject(*upstream))
                .push(Router::with_path("{**rest}").goal(forward::forward)),
        );
    }
    Router::new().push(api)
}
