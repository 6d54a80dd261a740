//! Administration of accounts. The gateway lets only admins through; the role is checked here
//! again so the rule holds even for a call that reached the service another way through Dapr.

use access_token::{USER_ROLES_HEADER, roles_header_grants};
use salvo::oapi::extract::QueryParam;
use salvo::prelude::*;
use service_runtime::Problem;

use crate::app::UsersApp;
use crate::domain::Role;
use crate::error::UsersError;
use crate::store;

fn require_admin(req: &Request) -> Result<(), UsersError> {
    let roles = req
        .headers()
        .get(USER_ROLES_HEADER)
        .and_then(|v| v.to_str().ok());
    if roles_header_grants(roles, Role::Admin.as_str()) {
        Ok(())
    } else {
        Err(UsersError::Forbidden)
    }
}

/// The newest accounts (administrators only); `limit` is 1 to 200, default 50.
#[endpoint(
    tags("admin"),
    security(("bearer" = [])),
    responses(
        (status_code = 200, description = "The newest accounts, newest first", body = Vec<crate::store::UserSummary>),
        (status_code = 400, description = "`limit` is not a number", content_type = "application/problem+json", body = Problem),
        (status_code = 401, description = "No valid access token", content_type = "application/problem+json", body = Problem),
        (status_code = 403, description = "The caller is not an administrator", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn list_users(
    limit: QueryParam<i64, false>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    require_admin(req)?;
    let app = UsersApp::from_depot(depot)?;
    let limit = limit.into_inner().unwrap_or(50).clamp(1, 200);
    res.render(Json(store::list_users(&app.pool, limit).await?));
    Ok(())
}
