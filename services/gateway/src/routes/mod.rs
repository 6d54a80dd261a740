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

/// Public path prefix → the Dapr app that owns it, the path prefix on that app,
/// and what the route demands of the caller.
const UPSTREAMS: &[Upstream] = &[
    Upstream {
        public_prefix: "api/users",
        app_id: "users",
        app_prefix: "users",
        access: auth::users_access,
    },
    Upstream {
        public_prefix: "api/catalog",
        app_id: "inventory",
        app_prefix: "catalog",
        access: auth::catalog_access,
    },
    Upstream {
        public_prefix: "api/orders",
        app_id: "orders",
        app_prefix: "orders",
        access: auth::signed_in,
    },
    Upstream {
        public_prefix: "api/payments",
        app_id: "payments",
        app_prefix: "payments",
        access: auth::payments_access,
    },
    Upstream {
        public_prefix: "api/notifications",
        app_id: "notifications",
        app_prefix: "notifications",
        access: auth::signed_in,
    },
    Upstream {
        public_prefix: "api/admin/users",
        app_id: "users",
        app_prefix: "admin/users",
        access: auth::admin,
    },
    Upstream {
        public_prefix: "api/admin/catalog",
        app_id: "inventory",
        app_prefix: "admin/catalog",
        access: auth::admin,
    },
    Upstream {
        public_prefix: "api/admin/orders",
        app_id: "orders",
        app_prefix: "admin/orders",
        access: auth::admin,
    },
    Upstream {
        public_prefix: "api/admin/payments",
        app_id: "payments",
        app_prefix: "admin/payments",
        access: auth::admin,
    },
    Upstream {
        public_prefix: "api/admin/notifications",
        app_id: "notifications",
        app_prefix: "admin/notifications",
        access: auth::admin,
    },
    Upstream {
        public_prefix: "api/admin/analytics",
        app_id: "analytics",
        app_prefix: "admin/analytics",
        access: auth::admin,
    },
];

/// The analytics dashboard: a page and its files, open to anyone (they hold no data; the page
/// signs the administrator in and reads `/api/admin/analytics` with their token).
const DASHBOARD: Upstream = Upstream {
    public_prefix: "dashboard",
    app_id: "analytics",
    app_prefix: "dashboard",
    access: auth::public,
};

/// The whole gateway: CORS, then the rate limit, then the routes to the services, the merged
/// OpenAPI document and its interactive page.
pub fn router(sidecar: Sidecar, config: GatewayConfig, tokens: AccessTokenKey) -> Router {
    let rate_limit = ClientRateLimit::new(config.rate_limit_per_second, config.rate_limit_burst);
    let dashboard = Router::with_path(DASHBOARD.public_prefix)
        // Its own buckets: loading the page and its files does not eat into the API's quota.
        .hoop(ClientRateLimit::new(
            config.rate_limit_per_second,
            config.rate_limit_burst,
        ))
        .hoop(
            salvo::affix_state::inject(sidecar.clone())
                .inject(config.clone())
                .inject(tokens.clone())
                .inject(DASHBOARD),
        )
        .push(Router::with_path("{**rest}").goal(forward::forward));
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
        let below_api = upstream
            .public_prefix
            .strip_prefix("api/")
            .expect("every upstream but the dashboard is under /api");
        api = api.push(
            Router::with_path(below_api)
                .hoop(salvo::affix_state::inject(*upstream))
                .push(Router::with_path("{**rest}").goal(forward::forward)),
        );
    }
    let docs =
        salvo_oapi::swagger_ui::SwaggerUi::new(openapi::DOCUMENT_PATH).into_router("api/docs");
    api = api.push(Router::with_path("openapi.json").get(openapi::api_document));
    Router::new().push(docs).push(api).push(dashboard)
}
