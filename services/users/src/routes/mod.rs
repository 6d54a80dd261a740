mod stats;

use salvo::prelude::*;
use sqlx::PgPool;

pub fn router(pool: PgPool) -> Router {
    Router::with_path("users")
        .hoop(salvo::affix_state::inject(pool))
        .push(Router::with_path("stats").get(stats::get_stats))
}
