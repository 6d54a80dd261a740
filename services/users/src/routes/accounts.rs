use contracts::user::UserRegistered;
use salvo::http::StatusCode;
use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::Problem;
use uuid::Uuid;
use validator::Validate;

use crate::app::UsersApp;
use crate::domain::{DisplayName, Email, FieldError, Password, Role};
use crate::error::UsersError;
use crate::routes::body::parse_valid;
use crate::{events, store};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    #[validate(email(message = "must be an email address"), length(max = 254))]
    email: String,
    #[validate(length(min = 12, max = 128, message = "must be 12 to 128 characters"))]
    password: String,
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    display_name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Registered {
    user_id: Uuid,
    email: String,
    display_name: String,
    roles: Vec<Role>,
}

/// The request as domain types: everything checked, nothing to re-check later.
struct Registration {
    email: Email,
    password: Password,
    display_name: DisplayName,
}

impl TryFrom<RegisterRequest> for Registration {
    type Error = UsersError;

    fn try_from(request: RegisterRequest) -> Result<Self, UsersError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let email = Email::parse(&request.email)
            .map_err(|e| errors.push(e))
            .ok();
        let display_name = DisplayName::parse(&request.display_name)
            .map_err(|e| errors.push(e))
            .ok();
        let password = email.as_ref().and_then(|email| {
            Password::parse(request.password, email)
                .map_err(|e| errors.push(e))
                .ok()
        });
        match (email, password, display_name) {
            (Some(email), Some(password), Some(display_name)) if errors.is_empty() => Ok(Self {
                email,
                password,
                display_name,
            }),
            _ => Err(UsersError::Validation(errors)),
        }
    }
}

/// Registers a customer.
///
/// The account and its `shop.user.registered.v1` event are written in one transaction; the
/// outbox relay publishes the event.
#[endpoint(
    tags("users"),
    request_body = RegisterRequest,
    responses(
        (status_code = 201, description = "The account was created", body = Registered),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 409, description = "The email address is already registered", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Some fields are invalid; `errors` lists them", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn register(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let registration = Registration::try_from(parse_valid::<RegisterRequest>(req).await?)?;
    let password_hash = app.hasher.hash(&registration.password).await?;
    let user_id = Uuid::now_v7();
    let roles = [Role::Customer];

    let mut tx = app.pool.begin().await?;
    store::insert_user(
        &mut tx,
        store::NewUser {
            user_id,
            email: &registration.email,
            display_name: &registration.display_name,
            password_hash: &password_hash,
            roles: &roles,
        },
    )
    .await?;
    let event = UserRegistered {
        user_id,
        email: registration.email.as_str().to_owned(),
        display_name: registration.display_name.as_str().to_owned(),
    };
    events::record_user_registered(&mut tx, &event)
        .await
        .map_err(anyhow::Error::from)?;
    tx.commit().await?;
    app.outbox.committed();
    tracing::info!(%user_id, "user registered");

    res.status_code(StatusCode::CREATED);
    res.render(Json(Registered {
        user_id,
        email: event.email,
        display_name: event.display_name,
        roles: roles.to_vec(),
    }));
    Ok(())
}
