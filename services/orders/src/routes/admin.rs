//! Orders for administrators: any order, the list of all orders, and shipping.

use salvo::oapi::ToSchema;
use salvo::oapi::extract::QueryParam;
use salvo::prelude::*;
use serde::Deserialize;
use service_runtime::{Admin, CursorParam, FieldError, ValidJson};
use validator::Validate;

use crate::domain::request::Shipment;
use crate::domain::{Command, OrderView};
use crate::error::OrdersError;
use crate::routes::context::{command_metadata, orders};
use crate::routes::orders::{ListQuery, OrderPage, list};
use crate::routes::params::{OrderId, PageLimit, StatusParam, UuidParam};

/// `POST /api/admin/orders/{id}/ship`. Each field is single-line text: trimmed, 1 to 64
/// characters, no control characters.
// Validate: no field rules here; `Shipment::parse` checks both fields and reports them together.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShipOrderRequest {
    #[salvo(schema(
        example = "DHL",
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    ))]
    pub carrier: String,
    #[salvo(schema(
        example = "JJD000390007",
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    ))]
    pub tracking_number: String,
}

/// Any order, by id.
#[endpoint(
    tags("admin"),
    responses((status_code = 200, description = "The order", body = OrderView))
)]
pub async fn get_any_order(
    _admin: Admin,
    order_id: OrderId,
    depot: &mut Depot,
) -> Result<Json<OrderView>, OrdersError> {
    orders(depot)?
        .view(order_id.0)
        .await?
        .map(Json)
        .ok_or(OrdersError::NotFound)
}

/// All orders, newest first, optionally of one customer and one status.
#[endpoint(
    tags("admin"),
    responses((status_code = 200, description = "One page of orders", body = OrderPage))
)]
pub async fn list_all_orders(
    _admin: Admin,
    status: QueryParam<StatusParam, false>,
    customer_id: QueryParam<UuidParam, false>,
    cursor: QueryParam<CursorParam, false>,
    limit: QueryParam<PageLimit, false>,
    depot: &mut Depot,
) -> Result<Json<OrderPage>, OrdersError> {
    let customer = match customer_id.into_inner() {
        None => None,
        Some(UuidParam(raw)) => Some(raw.parse().map_err(|_| {
            OrdersError::Validation(vec![FieldError::new("customer_id", "not a user id")])
        })?),
    };
    let query = ListQuery::parse(status.into_inner(), cursor.into_inner(), limit.into_inner())?;
    list(depot, customer, query).await
}

/// Hands a confirmed order to a carrier; 409 with `currentStatus` for any other status.
#[endpoint(
    tags("admin"),
    responses((status_code = 200, description = "The shipped order", body = OrderView))
)]
pub async fn ship_order(
    _admin: Admin,
    order_id: OrderId,
    body: ValidJson<ShipOrderRequest>,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<OrderView>, OrdersError> {
    let body = body.into_inner();
    let shipment =
        Shipment::parse(&body.carrier, &body.tracking_number).map_err(OrdersError::Validation)?;
    let ship = Command::Ship {
        carrier: shipment.carrier,
        tracking_number: shipment.tracking_number,
    };
    let executed = orders(depot)?
        .execute(order_id.0, ship, &command_metadata(req, depot))
        .await?;
    Ok(Json(executed.view))
}

#[cfg(test)]
mod tests {
    use salvo::oapi::{Components, ToSchema};

    use super::*;
    use crate::domain::request::MAX_SHIPMENT_TEXT_CHARS;
    use crate::routes::tests::schema_of;

    #[test]
    fn the_documented_lengths_are_the_domains() {
        let mut components = Components::new();
        let schema = schema_of(&ShipOrderRequest::to_schema(&mut components), &components);
        for field in ["carrier", "trackingNumber"] {
            let property = &schema["properties"][field];
            assert_eq!(property["maxLength"], MAX_SHIPMENT_TEXT_CHARS, "{property}");
        }
    }
}
