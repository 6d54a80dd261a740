//! Registration.

use salvo::http::StatusCode;
use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::ValidJson;
use uuid::Uuid;
use validator::Validate;

use crate::app::{RegisteredAccount, UsersApp};
use crate::domain::{Registration, Role, display_name, email, password};
use crate::error::UsersError;
use crate::routes::bound;

// The schema's bounds are literals (salvo's attributes take no constants); a route test checks
// them against the domain's constants, which the validator uses.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    #[validate(
        email(message = "must be an email address"),
        length(max = bound(email::MAX_CHARS))
    )]
    #[salvo(schema(format = Email, max_length = 254))]
    email: String,
    #[validate(length(
        min = bound(password::MIN_CHARS),
        max = bound(password::MAX_CHARS),
        message = "must be 12 to 128 characters"
    ))]
    #[salvo(schema(min_length = 12, max_length = 128))]
    password: String,
    #[validate(length(
        min = 1,
        max = bound(display_name::MAX_CHARS),
        message = "must be 1 to 80 characters"
    ))]
    // The single-line rule (some visible character, no control characters) as a pattern.
    #[salvo(schema(
        min_length = 1,
        max_length = 80,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    display_name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Registered {
    user_id: Uuid,
    #[salvo(schema(format = Email))]
    email: String,
    display_name: String,
    roles: Vec<Role>,
}

impl From<RegisteredAccount> for Registered {
    fn from(account: RegisteredAccount) -> Self {
        Self {
            user_id: account.user_id,
            email: account.email,
            display_name: account.display_name,
            roles: account.roles,
        }
    }
}

/// Registers a customer.
///
/// The account and its `shop.user.registered.v1` event are written in one transaction; the
/// outbox relay publishes the event.
#[endpoint(
    tags("users"),
    status_codes(201, 400, 409, 422, 500),
    responses((status_code = 201, description = "The account was created", body = Registered))
)]
pub async fn register(
    body: ValidJson<RegisterRequest>,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let request = body.into_inner();
    let registration = Registration::parse(&request.email, request.password, &request.display_name)
        .map_err(UsersError::Validation)?;
    let account = app.register(registration).await?;
    res.status_code(StatusCode::CREATED);
    res.render(Json(Registered::from(account)));
    Ok(())
}
