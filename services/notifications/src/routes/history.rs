//! What was sent: a customer's own history; for administrators, anyone's, one message in full,
//! and the dead letters with their replay.

use salvo::oapi::extract::QueryParam;
use salvo::prelude::*;
use service_runtime::{Admin, CursorParam, Customer, FieldError};

use super::params::{
    KindParam, NotificationId, PageLimit, RecipientParam, StatusParam, UserIdParam,
};
use super::views::{
    MessageDetail, MessageDetailPage, MessagePage, MessageSummary, ReplayAllAnswer, ReplayAnswer,
};
use crate::app::App;
use crate::domain::NotificationStatus;
use crate::error::NotificationsError;
use crate::store::HistoryFilter;

/// Collects every parameter's error, so one answer names them all.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn take<T: Default>(&mut self, parsed: Result<T, FieldError>) -> T {
        parsed.unwrap_or_else(|error| {
            self.0.push(error);
            T::default()
        })
    }

    fn check(self) -> Result<(), NotificationsError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(NotificationsError::Validation(self.0))
        }
    }
}

/// The messages sent (or being sent) to me, newest first.
#[endpoint(
    tags("notifications"),
    status_codes(200, 401, 422, 500),
    responses((status_code = 200, description = "My messages, newest first", body = MessagePage))
)]
pub async fn my_history(
    customer: Customer,
    kind: QueryParam<KindParam, false>,
    cursor: QueryParam<CursorParam, false>,
    limit: QueryParam<PageLimit, false>,
    depot: &mut Depot,
) -> Result<Json<MessagePage>, NotificationsError> {
    let mut errors = Errors::default();
    let filter = HistoryFilter {
        user_id: Some(customer.id),
        kind: errors.take(KindParam::parse(kind.into_inner())),
        ..HistoryFilter::default()
    };
    let after = errors.take(CursorParam::parse(cursor.into_inner()));
    let limit = errors.take(PageLimit::get(limit.into_inner()));
    errors.check()?;
    let (messages, next) = App::from_depot(depot)?
        .history(&filter, after, limit)
        .await?;
    Ok(Json(MessagePage {
        items: messages.iter().map(MessageSummary::from).collect(),
        next_cursor: next.map(|cursor| cursor.encode()),
    }))
}

/// Every message, newest first, narrowed by customer, recipient, status or kind.
#[endpoint(
    tags("admin"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Messages, newest first", body = MessageDetailPage))
)]
#[allow(clippy::too_many_arguments)] // one per query parameter, as the document lists them
pub async fn list_notifications(
    _admin: Admin,
    user_id: QueryParam<UserIdParam, false>,
    recipient: QueryParam<RecipientParam, false>,
    status: QueryParam<StatusParam, false>,
    kind: QueryParam<KindParam, false>,
    cursor: QueryParam<CursorParam, false>,
    limit: QueryParam<PageLimit, false>,
    depot: &mut Depot,
) -> Result<Json<MessageDetailPage>, NotificationsError> {
    let mut errors = Errors::default();
    let filter = HistoryFilter {
        user_id: errors.take(UserIdParam::parse(user_id.into_inner())),
        recipient: errors.take(RecipientParam::parse(recipient.into_inner())),
        status: errors.take(StatusParam::parse(status.into_inner())),
        kind: errors.take(KindParam::parse(kind.into_inner())),
    };
    let after = errors.take(CursorParam::parse(cursor.into_inner()));
    let limit = errors.take(PageLimit::get(limit.into_inner()));
    errors.check()?;
    detail_page(depot, &filter, after, limit).await
}

async fn detail_page(
    depot: &Depot,
    filter: &HistoryFilter,
    after: Option<service_runtime::PageCursor>,
    limit: u32,
) -> Result<Json<MessageDetailPage>, NotificationsError> {
    let (messages, next) = App::from_depot(depot)?
        .history(filter, after, limit)
        .await?;
    Ok(Json(MessageDetailPage {
        items: messages.iter().map(MessageDetail::from).collect(),
        next_cursor: next.map(|cursor| cursor.encode()),
    }))
}

/// One message in full: its bodies, attempts and last error.
#[endpoint(
    tags("admin"),
    status_codes(200, 401, 403, 404, 500),
    responses((status_code = 200, description = "The message", body = MessageDetail))
)]
pub async fn get_notification(
    _admin: Admin,
    notification_id: NotificationId,
    depot: &mut Depot,
) -> Result<Json<MessageDetail>, NotificationsError> {
    let message = App::from_depot(depot)?.message(notification_id.0).await?;
    Ok(Json(MessageDetail::from(&message)))
}

/// The dead letters: messages given up on after their last attempt, newest first, with the
/// provider's last answer.
#[endpoint(
    tags("admin"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Dead letters, newest first", body = MessageDetailPage))
)]
pub async fn list_dead_letters(
    _admin: Admin,
    cursor: QueryParam<CursorParam, false>,
    limit: QueryParam<PageLimit, false>,
    depot: &mut Depot,
) -> Result<Json<MessageDetailPage>, NotificationsError> {
    let mut errors = Errors::default();
    let after = errors.take(CursorParam::parse(cursor.into_inner()));
    let limit = errors.take(PageLimit::get(limit.into_inner()));
    errors.check()?;
    let filter = HistoryFilter {
        status: Some(NotificationStatus::Dead),
        ..HistoryFilter::default()
    };
    detail_page(depot, &filter, after, limit).await
}

/// Puts one dead letter back on the queue. It is sent once, like any job.
#[endpoint(
    tags("admin"),
    status_codes(202, 401, 403, 404, 409, 500),
    responses((status_code = 202, description = "Queued again", body = ReplayAnswer))
)]
pub async fn replay_one(
    _admin: Admin,
    notification_id: NotificationId,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<Json<ReplayAnswer>, NotificationsError> {
    let requeued = App::from_depot(depot)?.replay(notification_id.0).await?;
    res.status_code(StatusCode::ACCEPTED);
    Ok(Json(ReplayAnswer {
        notification_id: requeued.notification_id,
        status: NotificationStatus::Queued.as_str().to_owned(),
        replays: requeued.replays,
    }))
}

/// Puts the oldest dead letters (up to 500) back on the queue; answers how many.
#[endpoint(
    tags("admin"),
    status_codes(202, 401, 403, 500),
    responses((status_code = 202, description = "Queued again", body = ReplayAllAnswer))
)]
pub async fn replay_all(
    _admin: Admin,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<Json<ReplayAllAnswer>, NotificationsError> {
    let replayed = App::from_depot(depot)?.replay_all().await?;
    res.status_code(StatusCode::ACCEPTED);
    Ok(Json(ReplayAllAnswer { replayed }))
}
