//! The caller's own profile. The caller is who the gateway says ([`Customer`]).

use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::Deserialize;
use service_runtime::{Customer, ValidJson};
use validator::Validate;

use crate::app::UsersApp;
use crate::domain::{ProfileChanges, ShippingAddressInput, display_name};
use crate::error::UsersError;
use crate::routes::bound;
use crate::store::Profile;

/// The caller's profile.
#[endpoint(
    tags("profile"),
    status_codes(200, 401, 404, 500),
    responses((status_code = 200, description = "The profile", body = Profile))
)]
pub async fn get_profile(
    customer: Customer,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    res.render(Json(app.profile(customer.id).await?));
    Ok(())
}

/// A partial update. A field that is absent stays as it is; `"phone": null` removes the phone.
// The schema's bounds are literals (salvo's attributes take no constants); a route test checks
// them against the domain's constants.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProfileRequest {
    #[validate(length(min = 1, max = bound(display_name::MAX_CHARS)))]
    // The single-line rule (some visible character, no control characters) as a pattern.
    #[salvo(schema(
        min_length = 1,
        max_length = 80,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "present_or_null")]
    // Absent keeps the phone: not required. The pattern is `PhoneNumber::parse`'s rule: a `+`,
    // a country code (never 0) and 8 to 15 digits in all, spaces, hyphens, dots and
    // parentheses anywhere between them.
    #[salvo(schema(
        value_type = Option<String>,
        required = false,
        pattern = r"^\s*[-.() ]*\+[-.() ]*[1-9](?:[-.() ]*[0-9]){7,14}[-.() ]*\s*$"
    ))]
    phone: Option<Option<String>>,
    #[salvo(schema(max_items = 10))]
    shipping_addresses: Option<Vec<ShippingAddressInput>>,
}

/// Tells "absent" (None) from "null" (Some(None)).
fn present_or_null<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// Changes some of the caller's profile fields.
#[endpoint(
    tags("profile"),
    status_codes(200, 400, 401, 404, 422, 500),
    responses((status_code = 200, description = "The updated profile", body = Profile))
)]
pub async fn update_profile(
    customer: Customer,
    body: ValidJson<UpdateProfileRequest>,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), UsersError> {
    let app = UsersApp::from_depot(depot)?;
    let request = body.into_inner();
    let changes = ProfileChanges::parse(
        request.display_name.as_deref(),
        request.phone.as_ref().map(Option::as_deref),
        request.shipping_addresses,
    )
    .map_err(UsersError::Validation)?;
    res.render(Json(app.update_profile(customer.id, changes).await?));
    Ok(())
}
