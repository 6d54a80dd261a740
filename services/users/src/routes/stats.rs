use salvo::prelude::*;
use serde::Serialize;
use service_runtime::Problem;
use sqlx::PgPool;

use crate::store;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserStats {
    service: &'static str,
    registered_users: i64,
}

/// How many users are registered, read from the users database.
#[handler]
pub async fn get_stats(depot: &mut Depot, res: &mut Response) -> Result<(), Problem> {
    let pool = depot
        .get_typed::<PgPool>()
        .map_err(|_| Problem::internal())?;
    let registered_users = store::count_users(pool).await.map_err(|error| {
        tracing::error!(%error, "counting users failed");
        Problem::internal()
    })?;
    res.render(Json(UserStats {
        service: "users",
        registered_users,
    }));
    Ok(())
}
