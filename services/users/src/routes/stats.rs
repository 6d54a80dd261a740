//! Public figures about the users service.

use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::Serialize;

use crate::app::UsersApp;
use crate::error::UsersError;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct UserStats {
    service: &'static str,
    registered_users: i64,
}

/// How many users are registered.
#[endpoint(
    tags("users"),
    status_codes(200, 500),
    responses((status_code = 200, description = "The count", body = UserStats))
)]
pub async fn get_stats(depot: &mut Depot, res: &mut Response) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    res.render(Json(UserStats {
        service: "users",
        registered_users: app.count_users().await?,
    }));
    Ok(())
}
