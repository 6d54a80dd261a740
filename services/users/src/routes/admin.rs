//! Administration of accounts. The gateway lets only admins through; the role is checked here
//! again so the rule holds even for a call that reached the service another way through Dapr.

use access_token::USER_ROLES_HEADER;
use salvo::prelude::*;
use serde::Deserialize;

use crate::app::UsersApp;
use crate::domain::Role;
use crate::error::UsersError;
use crate::store;

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<i64>,
}

fn require_admin(req: &Request) -> Result<(), UsersError> {
    let roles = req
        .headers()
        .get(USER_ROLES_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if roles
        .split(',')
        .any(|role| role.trim() == Role::Admin.as_str())
    {
        Ok(())
    } else {
        Err(UsersError::Forbidden)
    }
}

/// The newest accounts, at most `limit` (1..=200, default 50).
#[handler]
pub async fn list_users(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    require_admin(req)?;
    let app = UsersApp::from_depot(depot)?;
    let query: ListQuery = req
        .parse_queries()
        .map_err(|e| UsersError::MalformedBody(e.to_string()))?;
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    res.render(Json(store::list_users(&app.pool, limit).await?));
    Ok(())
}
