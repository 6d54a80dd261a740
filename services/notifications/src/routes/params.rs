//! The parameters of the notifications API: how each is read, and how the document states its
//! rule. Query values are read as text, so one that does not parse is a 422 naming it rather
//! than silently "absent".

use salvo::oapi::{
    Components, Object, RefOr, ToSchema,
    schema::{BasicType, Schema},
};
use serde::Deserialize;
use service_runtime::request::PathIdSegment;
use service_runtime::{FieldError, Limit, PathId, Problem};
use uuid::Uuid;

use crate::domain::{MessageKind, NotificationStatus};
use crate::error::NotificationsError;

pub enum NotificationIdSegment {}

impl PathIdSegment for NotificationIdSegment {
    const ARG: &'static str = "notification_id";
    const DESCRIPTION: &'static str = "The notification's id";

    fn not_found() -> Problem {
        NotificationsError::NotFound.into()
    }
}

pub type NotificationId = PathId<NotificationIdSegment>;

pub type PageLimit = Limit<20, 100>;

fn enum_schema(values: impl IntoIterator<Item = &'static str>) -> RefOr<Schema> {
    Object::new()
        .schema_type(BasicType::String)
        .enum_values(values)
        .into()
}

/// `?status=`: `queued`, `sent` or `dead`.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct StatusParam(pub String);

impl StatusParam {
    pub fn parse(raw: Option<Self>) -> Result<Option<NotificationStatus>, FieldError> {
        raw.map(|Self(text)| {
            NotificationStatus::parse(text.trim()).ok_or_else(|| {
                FieldError::new(
                    "status",
                    format!(
                        "one of {}",
                        NotificationStatus::ALL
                            .map(NotificationStatus::as_str)
                            .join(", ")
                    ),
                )
            })
        })
        .transpose()
    }
}

impl ToSchema for StatusParam {
    fn to_schema(_components: &mut Components) -> RefOr<Schema> {
        enum_schema(NotificationStatus::ALL.map(NotificationStatus::as_str))
    }
}

/// `?kind=`: one of the message kinds (`order-shipped`, …).
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct KindParam(pub String);

impl KindParam {
    pub fn parse(raw: Option<Self>) -> Result<Option<MessageKind>, FieldError> {
        raw.map(|Self(text)| {
            MessageKind::parse(text.trim()).ok_or_else(|| {
                FieldError::new(
                    "kind",
                    format!(
                        "one of {}",
                        MessageKind::ALL.map(MessageKind::as_str).join(", ")
                    ),
                )
            })
        })
        .transpose()
    }
}

impl ToSchema for KindParam {
    fn to_schema(_components: &mut Components) -> RefOr<Schema> {
        enum_schema(MessageKind::ALL.map(MessageKind::as_str))
    }
}

/// `?user_id=`: a customer's id.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct UserIdParam(pub String);

impl UserIdParam {
    pub fn parse(raw: Option<Self>) -> Result<Option<Uuid>, FieldError> {
        raw.map(|Self(text)| {
            text.trim()
                .parse()
                .map_err(|_| FieldError::new("user_id", "not a user id (UUID)"))
        })
        .transpose()
    }
}

impl ToSchema for UserIdParam {
    fn to_schema(components: &mut Components) -> RefOr<Schema> {
        Uuid::to_schema(components)
    }
}

/// `?recipient=`: an email address or a phone number exactly as the message was addressed.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct RecipientParam(pub String);

/// Long enough for any email address (RFC 5321 allows 254 characters in a path).
const RECIPIENT_MAX_CHARS: usize = 254;

impl RecipientParam {
    /// One line without control characters (PostgreSQL cannot even compare a NUL).
    pub fn parse(raw: Option<Self>) -> Result<Option<String>, FieldError> {
        raw.map(|Self(text)| contracts::single_line_text("recipient", &text, RECIPIENT_MAX_CHARS))
            .transpose()
    }
}

impl ToSchema for RecipientParam {
    fn to_schema(_components: &mut Components) -> RefOr<Schema> {
        Object::new()
            .schema_type(BasicType::String)
            .min_length(1)
            .max_length(RECIPIENT_MAX_CHARS)
            .pattern(r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$")
            .into()
    }
}
