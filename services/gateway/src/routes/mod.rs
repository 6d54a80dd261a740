mod forward;
mod openapi;

use access_token::AccessTokenKey;
use salvo::prelude::*;
use service_runtime::Sidecar;

use crate::auth;
use crate::config::GatewayConfig;
use crate::cors;
use crate::rate_limit::ClientRateLimit;
pub use forward::Upstream;

/// Public path prefix under `/api` → the Dapr app that owns it, the path prefix on that app,
/// and what the route demands of the caller.
const UPSTREAMS: &[Upstream] = &[
    Upstream {
        public_prefix: "users",
        app_id: "users",
        app_prefix: "users",
        access: auth::users_access,
    },
    Upstream {
        public_prefix: "catalog",
        app_id: "inventory",
        app_prefix: "catalog",
        access: auth::catalog_access,
    },
    Upstream {
        public_prefix: "orders",
        app_id: "orders",
        app_prefix: "orders",
        access: auth::signed_in,
    },
    Upstream {
        public_prefix: "payments",
        app_id: "payments",
        app_prefix: "payments",
        access: auth::payments_access,
    },
    Upstream {
        public_prefix: "notifications",
        app_id: "notifications",
        app_prefix: "notifications",
        access: auth::signed_in,
    },
    Upstream {
        public_prefix: "admin/users",
        app_id: "users",
        app_prefix: "admin/users",
        access: auth::admin,
    },
    Upstream {
        public_prefix: "admin/catalog",
        app_id: "inventory",
        app_prefix: "admin/catalog",
        access: auth::admin,
    },
    Upstream {
        public_prefix: "admin/orders",
        app_id: "orders",
        app_prefix: "admin/orders",
        access: auth::admin,
    },
    Upstream {
        public_prefix: "admin/payments",
        app_id: "payments",
        app_prefix: "admin/payments",
        access: auth::admin,
    },
    Upstream {
        public_prefix: "admin/notifications",
        app_id: "notifications",
        app_prefix: "admin/notifications",
        access: auth::admin,
    },
];

/// The whole gateway: CORS, then the rate limit, then the routes to the services, the merged
/// OpenAPI document and its interactive page.
pub fn router(sidecar: Sidecar, config: GatewayConfig, tokens: AccessTokenKey) -> Router {
    let rate_limit = ClientRateLimit::new(config.rate_limit_per_second, config.rate_limit_burst);
    let mut api = Router::with_path("api")
        .hoop(cors::cors(&config.cors_origins))
        .hoop(cors::answer_preflight)
        .hoop(rate_limit)
        .hoop(
            salvo::affix_state::inject(sidecar)
                .inject(config)
                .inject(tokens),
        );
    for upstream in UPSTREAMS {
        api = api.push(
            Router::with_path(upstream.public_prefix)
                .hoop(salvo::affix_state::inject(*upstream))
                .push(Router::with_path("{**rest}").goal(forward::forward)),
        );
    }
    let docs =
        salvo_oapi::swagger_ui::SwaggerUi::new(openapi::DOCUMENT_PATH).into_router("api/docs");
    api = api.push(Router::with_path("openapi.json").get(openapi::api_document));
    Router::new().push(docs).push(api)
}
