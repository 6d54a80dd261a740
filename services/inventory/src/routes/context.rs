//! What every inventory handler takes from its request: the database pool, and for admin
//! routes, the administrator.

use access_token::{USER_ID_HEADER, USER_ROLES_HEADER, roles_header_grants};
use salvo::prelude::*;
use sqlx::PgPool;

use crate::error::InventoryError;

pub fn pool(depot: &Depot) -> Result<&PgPool, InventoryError> {
    depot.get_typed::<PgPool>().map_err(|_| {
        InventoryError::Internal(anyhow::anyhow!("database pool missing from the depot"))
    })
}

/// The administrator's user id. The gateway admits only admins to these routes; the role is
/// checked again here, so the rule holds for a call that reached the service another way.
pub fn require_admin(req: &Request) -> Result<String, InventoryError> {
    let roles = req
        .headers()
        .get(USER_ROLES_HEADER)
        .and_then(|v| v.to_str().ok());
    if !roles_header_grants(roles, "admin") {
        return Err(InventoryError::Forbidden);
    }
    Ok(req
        .headers()
        .get(USER_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_owned())
}
