//! The caller's own profile. The caller is who the gateway says (identity headers), which this
//! service believes only because the request came through its sidecar with the app API token.

use access_token::USER_ID_HEADER;
use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::Deserialize;
use service_runtime::Problem;
use uuid::Uuid;
use validator::Validate;

use crate::app::UsersApp;
use crate::domain::{DisplayName, FieldError, PhoneNumber, ShippingAddress, ShippingAddressInput};
use crate::error::UsersError;
use crate::routes::body::parse_valid;
use crate::store::{self, ProfileChanges};

const MAX_SHIPPING_ADDRESSES: usize = 10;

fn caller(req: &Request) -> Result<Uuid, UsersError> {
    req.headers()
        .get(USER_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or(UsersError::Unauthenticated)
}

/// The caller's profile.
#[endpoint(
    tags("profile"),
    security(("bearer" = [])),
    responses(
        (status_code = 200, description = "The profile", body = crate::store::Profile),
        (status_code = 401, description = "No valid access token", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn get_profile(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let profile = store::find_profile(&app.pool, caller(req)?).await?;
    res.render(Json(profile));
    Ok(())
}

/// A partial update. A field that is absent stays as it is; `"phone": null` removes the phone.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProfileRequest {
    #[validate(length(min = 1, max = 80))]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "present_or_null")]
    #[salvo(schema(value_type = Option<String>))]
    phone: Option<Option<String>>,
    shipping_addresses: Option<Vec<ShippingAddressInput>>,
}

/// Tells "absent" (None) from "null" (Some(None)).
fn present_or_null<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

impl TryFrom<UpdateProfileRequest> for ProfileChanges {
    type Error = UsersError;

    fn try_from(request: UpdateProfileRequest) -> Result<Self, UsersError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let display_name = request
            .display_name
            .map(|name| DisplayName::parse(&name))
            .transpose()
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let phone = match request.phone {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => PhoneNumber::parse(&raw)
                .map(|p| Some(Some(p)))
                .map_err(|e| errors.push(e))
                .ok()
                .flatten(),
        };
        if request
            .shipping_addresses
            .as_ref()
            .is_some_and(|a| a.len() > MAX_SHIPPING_ADDRESSES)
        {
            errors.push(FieldError {
                field: "shippingAddresses",
                message: format!("at most {MAX_SHIPPING_ADDRESSES} addresses"),
            });
        }
        let shipping_addresses = request.shipping_addresses.map(|inputs| {
            let mut addresses = Vec::with_capacity(inputs.len().min(MAX_SHIPPING_ADDRESSES));
            for input in inputs {
                match ShippingAddress::parse(input) {
                    Ok(address) => addresses.push(address),
                    Err(mut field_errors) => errors.append(&mut field_errors),
                }
            }
            addresses
        });
        if !errors.is_empty() {
            return Err(UsersError::Validation(errors));
        }
        Ok(Self {
            display_name,
            phone,
            shipping_addresses,
        })
    }
}

/// Changes some of the caller's profile fields.
#[endpoint(
    tags("profile"),
    security(("bearer" = [])),
    request_body = UpdateProfileRequest,
    responses(
        (status_code = 200, description = "The updated profile", body = crate::store::Profile),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 401, description = "No valid access token", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Some fields are invalid", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn update_profile(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let user_id = caller(req)?;
    let changes = ProfileChanges::try_from(parse_valid::<UpdateProfileRequest>(req).await?)?;
    let profile = store::update_profile(&app.pool, user_id, changes).await?;
    res.render(Json(profile));
    Ok(())
}
