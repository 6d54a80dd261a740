mod actor_callbacks;
mod streams;

use salvo::prelude::*;
use sqlx::PgPool;

use crate::actor::{ACTOR_TYPE, OrderActor};
use crate::event_store::EventStore;

pub fn router(pool: PgPool, event_store: EventStore) -> Router {
    let actor = OrderActor::new(event_store.sidecar().clone(), event_store.clone());
    let actor_routes = Router::with_path(format!("actors/{ACTOR_TYPE}/{{actor_id}}"))
        .delete(actor_callbacks::deactivate)
        .push(Router::with_path("method/remind/{reminder}").put(actor_callbacks::reminder))
        .push(Router::with_path("method/timer/{timer}").put(actor_callbacks::timer))
        .push(Router::with_path("method/{method}").put(actor_callbacks::invoke_method));
    Router::new()
        .hoop(
            salvo::affix_state::inject(pool)
                .inject(event_store)
                .inject(actor),
        )
        .push(Router::with_path("dapr/config").get(actor_callbacks::actor_config))
        .push(actor_routes)
        .push(
            Router::with_path("internal/streams/{stream_id}")
                .get(streams::read_stream)
                .push(Router::with_path("events").post(streams::append_events)),
        )
}
