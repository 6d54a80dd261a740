//! HTTP in and out: customers' preferences and history, administrators' history and dead
//! letters, this service's part of the OpenAPI document, and the Dapr deliveries (domain events,
//! jobs, dead jobs).

mod deliveries;
mod history;
mod params;
mod preferences;
mod views;

use salvo::oapi::OpenApi;
use salvo::prelude::*;
use service_runtime::pubsub::SubscriptionList;

use crate::app::App;
use crate::events;

pub fn router(app: App) -> Router {
    let router = Router::new()
        .hoop(salvo::affix_state::inject(app))
        .push(
            Router::with_path("notifications")
                .push(
                    Router::with_path("preferences")
                        .get(preferences::get_preferences)
                        .put(preferences::put_preferences),
                )
                .push(Router::with_path("history").get(history::my_history)),
        )
        .push(
            Router::with_path("admin/notifications")
                .get(history::list_notifications)
                // Before `{notification_id}`, which would take `dead-letters` for an id.
                .push(
                    Router::with_path("dead-letters")
                        .get(history::list_dead_letters)
                        .push(Router::with_path("replay").post(history::replay_all))
                        .push(
                            Router::with_path("{notification_id}/replay").post(history::replay_one),
                        ),
                )
                .push(Router::with_path("{notification_id}").get(history::get_notification)),
        );
    let openapi =
        OpenApi::new("shop notifications", env!("CARGO_PKG_VERSION")).merge_router(&router);
    router
        .push(openapi.into_router("openapi.json"))
        .push(Router::with_path("dapr/subscribe").get(SubscriptionList(events::subscriptions())))
        .push(Router::with_path(events::DOMAIN_EVENTS_ROUTE).post(deliveries::receive_event))
        .push(Router::with_path(events::JOBS_ROUTE).post(deliveries::receive_job))
        .push(Router::with_path(events::DEAD_JOBS_ROUTE).post(deliveries::receive_dead_job))
}
