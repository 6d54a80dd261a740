mod jobs;

use salvo::prelude::*;
use service_runtime::pubsub::SubscriptionList;
use sqlx::PgPool;

use crate::events;

pub fn router(pool: PgPool) -> Router {
    Router::new()
        .hoop(salvo::affix_state::inject(pool))
        .push(Router::with_path("dapr/subscribe").get(SubscriptionList(events::subscriptions())))
        .push(Router::with_path(events::JOBS_ROUTE).post(jobs::receive_job))
        .push(Router::with_path("notifications/jobs/{notification_id}").get(jobs::get_job))
}
