//! HTTP in and out: each handler reads its request into domain types, calls one use case of the
//! [`App`] and renders the answer. The caller (`Admin`) and JSON bodies (`ValidJson`) are
//! checked by the runtime's extractors before a handler runs.

mod admin_products;
mod admin_stock;
mod order_events;
mod params;
mod products;
mod quotes;
mod replies;

use salvo::oapi::OpenApi;
use salvo::prelude::*;
use service_runtime::pubsub::SubscriptionList;

use crate::app::App;
use crate::error::InventoryError;
use crate::events;

/// The whole service: the public catalogue, its administration, this service's part of the
/// OpenAPI document, the event subscriptions and the internal quote API.
pub fn router(app: App) -> Router {
    let router = Router::new()
        .hoop(salvo::affix_state::inject(app))
        .push(
            Router::with_path("catalog/products")
                .get(products::list_products)
                .push(Router::with_path("{sku}").get(products::get_product)),
        )
        .push(
            Router::with_path("admin/catalog/products")
                .post(admin_products::create_product)
                .push(
                    Router::with_path("{sku}")
                        .patch(admin_products::update_product)
                        .delete(admin_products::deactivate_product)
                        .push(
                            Router::with_path("stock")
                                .get(admin_stock::get_stock)
                                .post(admin_stock::adjust_stock),
                        ),
                ),
        );
    // This service's part of the public API, which the gateway merges into the one document.
    let openapi = OpenApi::new("shop inventory", env!("CARGO_PKG_VERSION")).merge_router(&router);
    router
        .push(openapi.into_router("openapi.json"))
        .push(Router::with_path("dapr/subscribe").get(SubscriptionList(events::subscriptions())))
        .push(Router::with_path(events::ORDER_EVENTS_ROUTE).post(order_events::receive))
        .push(Router::with_path(events::PAYMENT_EVENTS_ROUTE).post(order_events::receive))
        .push(Router::with_path(contracts::quote::QUOTES_METHOD).post(quotes::quote))
}

/// The use cases, injected into every request by [`router`].
fn app(depot: &Depot) -> Result<&App, InventoryError> {
    depot
        .get_typed::<App>()
        .map_err(|_| InventoryError::Internal(anyhow::anyhow!("the app is missing from the depot")))
}
