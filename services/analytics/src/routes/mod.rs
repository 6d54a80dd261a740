mod dashboard;
mod inbox;
mod logged_events;
mod projections;
mod reports;

use salvo::oapi::OpenApi;
use salvo::prelude::*;
use service_runtime::pubsub::SubscriptionList;
use sqlx::PgPool;

use crate::events;
pub use projections::{RebuildState, Rebuilds};

/// The whole service: the reporting API (documented in `openapi.json`, which the gateway
/// merges), the dashboard's files, the event intake and the internal log and rebuild routes.
pub fn router(pool: PgPool) -> Router {
    let api = Router::with_path("admin/analytics")
        .push(Router::with_path("kpis").get(reports::kpis))
        .push(Router::with_path("series").get(reports::series))
        .push(Router::with_path("funnel").get(reports::funnel))
        .push(Router::with_path("top/products").get(reports::top_products))
        .push(Router::with_path("top/categories").get(reports::top_categories))
        .push(Router::with_path("cancellations").get(reports::cancellations))
        .push(Router::with_path("cohorts").get(reports::cohorts))
        .push(Router::with_path("stock").get(reports::stock))
        .push(Router::with_path("ingestion").get(projections::ingestion));
    let api = Router::new().push(api);
    let openapi = OpenApi::new("shop analytics", env!("CARGO_PKG_VERSION")).merge_router(&api);
    Router::new()
        .hoop(salvo::affix_state::inject(pool).inject(Rebuilds::default()))
        .push(api)
        .push(openapi.into_router("openapi.json"))
        .push(Router::with_path("dashboard").get(dashboard::serve_page))
        .push(Router::with_path("dashboard/{file}").get(dashboard::serve_asset))
        .push(Router::with_path("dapr/subscribe").get(SubscriptionList(events::subscriptions())))
        .push(Router::with_path(events::INBOX_ROUTE).post(inbox::receive_event))
        .push(
            Router::with_path("internal/projections/rebuild")
                .post(projections::start_rebuild)
                .get(projections::rebuild_state),
        )
        .push(Router::with_path("analytics/events").get(logged_events::list_logged_events))
        .push(Router::with_path("analytics/events/{event_id}").get(logged_events::get_logged_event))
}
