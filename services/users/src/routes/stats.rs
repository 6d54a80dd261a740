use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::Serialize;

use crate::app::UsersApp;
use crate::error::UsersError;
use crate::store;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct UserStats {
    service: &'static str,
    registered_users: i64,
}

/// How many users are registered.
#[endpoint(tags("users"), responses((status_code = 200, description = "The count", body = UserStats)))]
pub async fn get_stats(depot: &mut Depot, res: &mut Response) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let registered_users = store::count_users(&app.pool).await?;
    res.render(Json(UserStats {
        service: "users",
        registered_users,
    }));
    Ok(())
}
