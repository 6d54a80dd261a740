//! Orders for administrators: any order, the list of all orders, and shipping.

use salvo::oapi::extract::{PathParam, QueryParam};
use salvo::prelude::*;
use service_runtime::Problem;
use service_runtime::field_error::FieldError;
use service_runtime::request::parse_valid_json;

use crate::domain::request::{ShipOrderRequest, Shipment};
use crate::domain::{Command, OrderView};
use crate::error::OrdersError;
use crate::routes::context::{command_metadata, orders, parse_order_id, require_admin};
use crate::routes::orders::{MAX_BODY_BYTES, OrderPage, list};

/// Any order, by id.
#[endpoint(
    tags("admin"),
    responses(
        (status_code = 200, description = "The order", body = OrderView),
        (status_code = 403, description = "Not an administrator", content_type = "application/problem+json", body = Problem),
        (status_code = 404, description = "No such order", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn get_any_order(
    order_id: PathParam<String>,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<OrderView>, OrdersError> {
    require_admin(req)?;
    let order_id = parse_order_id(&order_id)?;
    orders(depot)?
        .view(order_id)
        .await?
        .map(Json)
        .ok_or(OrdersError::NotFound)
}

/// All orders, newest first, optionally of one customer and one status.
#[endpoint(
    tags("admin"),
    responses(
        (status_code = 200, description = "One page of orders", body = OrderPage),
        (status_code = 403, description = "Not an administrator", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Unknown status, bad customer id, bad cursor or limit out of 1..=100", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn list_all_orders(
    status: QueryParam<String, false>,
    customer_id: QueryParam<String, false>,
    cursor: QueryParam<String, false>,
    limit: QueryParam<u32, false>,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<OrderPage>, OrdersError> {
    require_admin(req)?;
    let customer = match customer_id.into_inner() {
        None => None,
        Some(raw) => Some(raw.parse().map_err(|_| {
            OrdersError::Validation(vec![FieldError::new("customer_id", "not a user id")])
        })?),
    };
    list(
        depot,
        customer,
        status.into_inner(),
        cursor.into_inner(),
        limit.into_inner(),
    )
    .await
}

/// Hands a confirmed order to a carrier; 409 with `currentStatus` for any other status.
#[endpoint(
    tags("admin"),
    request_body = ShipOrderRequest,
    responses(
        (status_code = 200, description = "The shipped order", body = OrderView),
        (status_code = 400, description = "The body is not JSON of this shape", content_type = "application/problem+json", body = Problem),
        (status_code = 403, description = "Not an administrator", content_type = "application/problem+json", body = Problem),
        (status_code = 404, description = "No such order", content_type = "application/problem+json", body = Problem),
        (status_code = 409, description = "The order is not confirmed", content_type = "application/problem+json", body = Problem),
        (status_code = 422, description = "Carrier or tracking number invalid", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn ship_order(
    order_id: PathParam<String>,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<OrderView>, OrdersError> {
    require_admin(req)?;
    let order_id = parse_order_id(&order_id)?;
    let body: ShipOrderRequest = parse_valid_json(req, MAX_BODY_BYTES).await?;
    let shipment = Shipment::parse(&body).map_err(OrdersError::Validation)?;
    let ship = Command::Ship {
        carrier: shipment.carrier,
        tracking_number: shipment.tracking_number,
    };
    let (_, view) = orders(depot)?
        .execute(order_id, &ship, &command_metadata(req, depot))
        .await?;
    view.map(Json).ok_or(OrdersError::NotFound)
}
