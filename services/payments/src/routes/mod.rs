use salvo::prelude::*;
use sqlx::PgPool;

/// No public routes yet: the service runs, migrates its database and answers its probes.
pub fn router(pool: PgPool) -> Router {
    Router::new().hoop(salvo::affix_state::inject(pool))
}
