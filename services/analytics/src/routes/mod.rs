mod inbox;
mod logged_events;

use salvo::prelude::*;
use service_runtime::pubsub::SubscriptionList;
use sqlx::PgPool;

use crate::events;

pub fn router(pool: PgPool) -> Router {
    Router::new()
        .hoop(salvo::affix_state::inject(pool))
        .push(Router::with_path("dapr/subscribe").get(SubscriptionList(events::subscriptions())))
        .push(Router::with_path(events::INBOX_ROUTE).post(inbox::receive_event))
        .push(Router::with_path("analytics/events").get(logged_events::list_logged_events))
        .push(Router::with_path("analytics/events/{event_id}").get(logged_events::get_logged_event))
}
