//! The signed-in customer's notification preferences: the language of their messages, and the
//! categories that may also reach them by text message.

use salvo::oapi::schema::{BasicType, Schema};
use salvo::oapi::{Components, Object, RefOr, ToSchema};
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::{Customer, FieldError, ValidJson};
use validator::Validate;

use crate::app::App;
use crate::domain::{Language, Preferences, SmsChoices};
use crate::error::NotificationsError;

/// The schema of a channel that is always on: `true`, the only value the API takes.
fn always_on() -> Object {
    Object::new()
        .schema_type(BasicType::Boolean)
        .enum_values([true])
        .default_value(serde_json::json!(true))
}

/// The schema of a channel a category does not have: `false`, the only value the API takes.
fn never_on() -> Object {
    Object::new()
        .schema_type(BasicType::Boolean)
        .enum_values([false])
}

/// The channels of a transactional category.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CategoryChannels {
    /// Always true: messages about your account and orders are transactional, and their email
    /// cannot be turned off (`false` is refused with 422).
    #[serde(default = "always")]
    #[salvo(schema(schema_with = always_on))]
    pub email: bool,
    /// Text messages, to the phone number in your profile. Off unless you turn it on.
    pub sms: bool,
}

/// The channels of the account category: the welcome is an email, and has no text form.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountChannels {
    /// Always true (`false` is refused with 422).
    #[serde(default = "always")]
    #[salvo(schema(schema_with = always_on))]
    pub email: bool,
    /// Always false: account messages are sent by email only (`true` is refused with 422).
    #[salvo(schema(schema_with = never_on))]
    pub sms: bool,
}

fn always() -> bool {
    true
}

/// Every category and its channels.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Channels {
    /// The welcome message.
    pub account: AccountChannels,
    /// Your order received, confirmed, cancelled, refunded.
    pub orders: CategoryChannels,
    /// Your order shipped, with its tracking number.
    pub shipping: CategoryChannels,
}

/// The language of your messages, as text so that an unknown one is a 422 naming `language`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LanguageField(pub String);

impl ToSchema for LanguageField {
    fn to_schema(_components: &mut Components) -> RefOr<Schema> {
        Object::new()
            .schema_type(BasicType::String)
            .enum_values(Language::ALL.map(Language::as_str))
            .into()
    }
}

/// Your notification preferences.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferencesBody {
    /// The language of your messages: `en` or `de`.
    pub language: LanguageField,
    pub channels: Channels,
}

impl PreferencesBody {
    fn from_preferences(preferences: &Preferences) -> Self {
        let email_and = |sms| CategoryChannels { email: true, sms };
        Self {
            language: LanguageField(preferences.language.as_str().to_owned()),
            channels: Channels {
                account: AccountChannels {
                    email: true,
                    sms: false,
                },
                orders: email_and(preferences.sms.orders),
                shipping: email_and(preferences.sms.shipping),
            },
        }
    }

    /// The preferences this body asks for, or every rule it breaks.
    fn into_preferences(self) -> Result<Preferences, Vec<FieldError>> {
        let mut errors = Vec::new();
        let language = Language::parse(&self.language.0).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "language",
                format!("one of {}", Language::ALL.map(Language::as_str).join(", ")),
            ));
            Language::default()
        });
        let channels = self.channels;
        for (field, email) in [
            ("channels.account.email", channels.account.email),
            ("channels.orders.email", channels.orders.email),
            ("channels.shipping.email", channels.shipping.email),
        ] {
            if !email {
                errors.push(FieldError::new(
                    field,
                    "transactional email cannot be turned off",
                ));
            }
        }
        if channels.account.sms {
            errors.push(FieldError::new(
                "channels.account.sms",
                "account messages are sent by email only",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Preferences {
            language,
            sms: SmsChoices {
                orders: channels.orders.sms,
                shipping: channels.shipping.sms,
            },
        })
    }
}

/// My notification preferences (the defaults until I change them: English, email only).
#[endpoint(
    tags("notifications"),
    status_codes(200, 401, 500),
    responses((status_code = 200, description = "My preferences", body = PreferencesBody))
)]
pub async fn get_preferences(
    customer: Customer,
    depot: &mut Depot,
) -> Result<Json<PreferencesBody>, NotificationsError> {
    let preferences = App::from_depot(depot)?.preferences(customer.id).await?;
    Ok(Json(PreferencesBody::from_preferences(&preferences)))
}

/// Replaces my notification preferences. Text messages also need a phone number in my profile
/// (`PATCH /api/users/me`); without one, messages go by email only.
#[endpoint(
    tags("notifications"),
    status_codes(200, 400, 401, 422, 500),
    responses((status_code = 200, description = "My preferences, as stored", body = PreferencesBody))
)]
pub async fn put_preferences(
    customer: Customer,
    body: ValidJson<PreferencesBody>,
    depot: &mut Depot,
) -> Result<Json<PreferencesBody>, NotificationsError> {
    let preferences = body
        .into_inner()
        .into_preferences()
        .map_err(NotificationsError::Validation)?;
    App::from_depot(depot)?
        .save_preferences(customer.id, &preferences)
        .await?;
    Ok(Json(PreferencesBody::from_preferences(&preferences)))
}
