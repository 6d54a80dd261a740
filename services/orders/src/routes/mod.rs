mod actor_callbacks;
mod admin;
mod answers;
mod context;
mod internal;
mod orders;
mod params;

use salvo::oapi::OpenApi;
use salvo::prelude::*;
use service_runtime::pubsub::SubscriptionList;

use crate::actor::{ACTOR_TYPE, OrderActor};
use crate::app::Orders;
use crate::events;

/// The service's routes: the public API (documented in `openapi.json`, which the gateway merges
/// into the one document), Dapr's callbacks (subscriptions, actors) and the internal API.
pub fn router(orders: Orders, actor: OrderActor) -> Router {
    let api = Router::new()
        .hoop(salvo::affix_state::inject(orders.clone()))
        .push(
            Router::with_path("orders")
                .get(orders::list_my_orders)
                .post(orders::place_order)
                .push(
                    Router::with_path("{order_id}")
                        .get(orders::get_order)
                        .push(Router::with_path("cancel").post(orders::cancel_order)),
                ),
        )
        .push(
            Router::with_path("admin/orders")
                .get(admin::list_all_orders)
                .push(
                    Router::with_path("{order_id}")
                        .get(admin::get_any_order)
                        .push(Router::with_path("ship").post(admin::ship_order)),
                ),
        );
    // This service's part of the public API, which the gateway merges into the one document.
    let openapi = OpenApi::new("shop orders", env!("CARGO_PKG_VERSION")).merge_router(&api);
    let actor_routes = Router::with_path(format!("actors/{ACTOR_TYPE}/{{actor_id}}"))
        .delete(actor_callbacks::deactivate)
        .push(Router::with_path("method/remind/{reminder}").put(actor_callbacks::reminder))
        .push(Router::with_path("method/timer/{timer}").put(actor_callbacks::timer))
        .push(Router::with_path("method/{method}").put(actor_callbacks::invoke_method));
    Router::new()
        .hoop(salvo::affix_state::inject(orders).inject(actor))
        .push(api)
        .push(openapi.into_router("openapi.json"))
        .push(Router::with_path("dapr/config").get(actor_callbacks::actor_config))
        .push(actor_routes)
        .push(Router::with_path("dapr/subscribe").get(SubscriptionList(events::subscriptions())))
        .push(Router::with_path(events::STOCK_EVENTS_ROUTE).post(answers::receive_answer))
        .push(Router::with_path(events::PAYMENT_EVENTS_ROUTE).post(answers::receive_answer))
        .push(
            Router::with_path("internal/streams/{stream_id}")
                .get(internal::read_stream)
                .push(Router::with_path("events").post(internal::append_events)),
        )
        .push(
            Router::with_path("internal/read-models/replays")
                .post(internal::start_replay)
                .push(Router::with_path("{replay_id}").get(internal::replay_status)),
        )
}

#[cfg(test)]
mod tests {
    use salvo::oapi::schema::Schema;
    use salvo::oapi::{Components, RefOr};
    use serde_json::Value;

    /// The schema `schema` stands for, following a `$ref` into `components`.
    pub fn schema_of(schema: &RefOr<Schema>, components: &Components) -> Value {
        let schema = serde_json::to_value(schema).unwrap();
        match schema["$ref"].as_str() {
            Some(reference) => {
                let name = reference.trim_start_matches("#/components/schemas/");
                serde_json::to_value(components).unwrap()["schemas"][name].clone()
            }
            None => schema,
        }
    }
}
