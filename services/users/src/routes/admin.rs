//! Administration of accounts, for administrators only (the [`Admin`] extractor).

use salvo::oapi::extract::QueryParam;
use salvo::prelude::*;
use service_runtime::{Admin, Limit};

use crate::app::UsersApp;
use crate::error::UsersError;
use crate::store::UserSummary;

/// How many accounts one page lists: 50 unless asked, at most 200.
type UsersLimit = Limit<50, 200>;

/// The newest accounts (administrators only).
#[endpoint(
    tags("admin"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "The newest accounts, newest first", body = Vec<UserSummary>))
)]
pub async fn list_users(
    _admin: Admin,
    limit: QueryParam<UsersLimit, false>,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let limit =
        UsersLimit::get(limit.into_inner()).map_err(|error| UsersError::Validation(vec![error]))?;
    res.render(Json(app.newest_users(limit).await?));
    Ok(())
}
