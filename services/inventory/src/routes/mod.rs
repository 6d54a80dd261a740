mod admin_products;
mod admin_stock;
mod body;
mod context;
mod order_events;
mod products;
mod quotes;

use salvo::oapi::OpenApi;
use salvo::prelude::*;
use service_runtime::outbox::OutboxSignal;
use service_runtime::pubsub::SubscriptionList;
use sqlx::PgPool;

use crate::events;

pub fn router(pool: PgPool, outbox: OutboxSignal) -> Router {
    let router = Router::new()
        .hoop(salvo::affix_state::inject(pool).inject(outbox))
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
        .push(Router::with_path(events::ORDER_EVENTS_ROUTE).post(order_events::receive_order_event))
        .push(
            Router::with_path(events::PAYMENT_EVENTS_ROUTE).post(order_events::receive_order_event),
        )
        .push(Router::with_path("internal/quotes").post(quotes::quote))
}
