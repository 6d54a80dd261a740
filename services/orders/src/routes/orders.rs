//! The customer's orders: place, read, list, cancel. Reads come from the read side (the
//! order's actor, the query table); commands go through the event-sourced write side.

use salvo::http::StatusCode;
use salvo::oapi::ToSchema;
use salvo::oapi::extract::{PathParam, QueryParam};
use salvo::prelude::*;
use serde::Serialize;
use service_runtime::Problem;
use service_runtime::field_error::FieldError;
use service_runtime::request::parse_valid_json;

use crate::app::Placement;
use crate::domain::request::{IdempotencyKey, PlaceOrderRequest, RequestedLines};
use crate::domain::{CancelReason, Command, OrderStatus, OrderView};
use crate::error::OrdersError;
use crate::routes::context::{command_metadata, customer_id, orders, parse_order_id};
use crate::summaries::{Cursor, ListFilter, OrderSummary};

pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Places an order: the lines are priced by inventory now, then stock is reserved
/// asynchronously (the order moves from `awaiting-stock` to `awaiting-payment`, or is
/// cancelled with reason `stock-rejected`).
///
/// Send an `Idempotency-Key` header (a UUID) to make retries safe: a retry with the same key
/// and body returns the same order (200, `Idempotent-Replayed: true`) instead of a second one.
#[endpoint(
    tags("orders"),
    request_body = PlaceOrderRequest,
    responses(
        (status_code = 201, description = "The order, placed", body = OrderView),
        (status_code = 200, description = "The order an earlier request with this Idempotency-Key placed", body = OrderView),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 401, description = "Not signed in", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Invalid lines (naming each), unknown or inactive products, or a reused Idempotency-Key", content_type = "application/problem+json", body = Problem),
        (status_code = 503, description = "Inventory could not price the order; retry", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn place_order(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), OrdersError> {
    let customer = customer_id(req)?;
    let key = match req.headers().get(IdempotencyKey::HEADER) {
        None => None,
        Some(raw) => Some(
            raw.to_str()
                .map_err(|_| FieldError::new("Idempotency-Key", "visible ASCII only"))
                .and_then(IdempotencyKey::parse)
                .map_err(|e| OrdersError::Validation(vec![e]))?,
        ),
    };
    let body: PlaceOrderRequest = parse_valid_json(req, MAX_BODY_BYTES).await?;
    let lines = RequestedLines::parse(&body.lines).map_err(OrdersError::Validation)?;
    let metadata = command_metadata(req, depot);
    let (view, placement) = orders(depot)?
        .place(customer, lines, key, &metadata)
        .await?;
    res.headers_mut().insert(
        "location",
        // A UUID in an ASCII path: always a valid header value.
        salvo::http::HeaderValue::from_str(&format!("/api/orders/{}", view.order_id))
            .map_err(|e| OrdersError::Internal(anyhow::anyhow!("location header: {e}")))?,
    );
    match placement {
        Placement::Created => res.status_code(StatusCode::CREATED),
        Placement::Replayed => {
            res.headers_mut().insert(
                "idempotent-replayed",
                salvo::http::HeaderValue::from_static("true"),
            );
            res.status_code(StatusCode::OK)
        }
    };
    res.render(Json(view));
    Ok(())
}

/// One of the caller's orders: status, lines, totals and history, from the order's actor.
#[endpoint(
    tags("orders"),
    responses(
        (status_code = 200, description = "The order", body = OrderView),
        (status_code = 401, description = "Not signed in", content_type = "application/problem+json", body = Problem),
        (status_code = 404, description = "No such order of yours", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn get_order(
    order_id: PathParam<String>,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<OrderView>, OrdersError> {
    let customer = customer_id(req)?;
    let order_id = parse_order_id(&order_id)?;
    match orders(depot)?.view(order_id).await? {
        // Someone else's order is as unknown to the caller as a missing one.
        Some(view) if view.customer_id == customer => Ok(Json(view)),
        _ => Err(OrdersError::NotFound),
    }
}

/// Cancels one of the caller's orders while it is still open (`awaiting-stock` or
/// `awaiting-payment`); 409 with `currentStatus` otherwise.
#[endpoint(
    tags("orders"),
    responses(
        (status_code = 200, description = "The cancelled order", body = OrderView),
        (status_code = 401, description = "Not signed in", content_type = "application/problem+json", body = Problem),
        (status_code = 404, description = "No such order of yours", content_type = "application/problem+json", body = Problem),
        (status_code = 409, description = "The order can no longer be cancelled", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn cancel_order(
    order_id: PathParam<String>,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<OrderView>, OrdersError> {
    let customer = customer_id(req)?;
    let order_id = parse_order_id(&order_id)?;
    let orders = orders(depot)?;
    // Ownership is part of the decision, taken on the same state the cancellation is.
    let cancel = Command::Cancel {
        reason: CancelReason::Customer(customer),
    };
    let (_, view) = orders
        .execute(order_id, &cancel, &command_metadata(req, depot))
        .await?;
    view.map(Json).ok_or(OrdersError::NotFound)
}

/// The caller's orders, newest first, optionally of one status, one page at a time.
#[endpoint(
    tags("orders"),
    responses(
        (status_code = 200, description = "One page of the caller's orders", body = OrderPage),
        (status_code = 401, description = "Not signed in", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Unknown status, bad cursor or limit out of 1..=100", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn list_my_orders(
    status: QueryParam<String, false>,
    cursor: QueryParam<String, false>,
    limit: QueryParam<u32, false>,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<OrderPage>, OrdersError> {
    let customer = customer_id(req)?;
    list(
        depot,
        Some(customer),
        status.into_inner(),
        cursor.into_inner(),
        limit.into_inner(),
    )
    .await
}

/// One page of a list, shared by "my orders" and the admin list.
pub async fn list(
    depot: &Depot,
    customer_id: Option<uuid::Uuid>,
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Json<OrderPage>, OrdersError> {
    let mut errors = Vec::new();
    let status = status.and_then(|raw| {
        OrderStatus::parse(&raw).or_else(|| {
            errors.push(FieldError::new(
                "status",
                "one of awaiting-stock, awaiting-payment, confirmed, shipped, cancelled",
            ));
            None
        })
    });
    let after = cursor.and_then(|raw| {
        Cursor::parse(&raw).or_else(|| {
            errors.push(FieldError::new("cursor", "not a cursor this API gave out"));
            None
        })
    });
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        errors.push(FieldError::new("limit", "between 1 and 100"));
    }
    if !errors.is_empty() {
        return Err(OrdersError::Validation(errors));
    }
    let filter = ListFilter {
        customer_id,
        status,
        after,
        // One extra row tells whether there is a next page.
        limit: i64::from(limit) + 1,
    };
    let mut items = orders(depot)?.summaries.list(&filter).await?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|last| {
            Cursor {
                placed_at: last.placed_at,
                order_id: last.order_id,
            }
            .encode()
        })
    } else {
        None
    };
    Ok(Json(OrderPage { items, next_cursor }))
}
