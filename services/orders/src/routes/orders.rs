//! The customer's orders: place, read, list, cancel. Reads come from the read side (the
//! order's actor, the query table); commands go through the event-sourced write side.

use salvo::http::StatusCode;
use salvo::oapi::ToSchema;
use salvo::oapi::extract::QueryParam;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::{CursorParam, Customer, FieldError, PageCursor, Problem, ValidJson};
use uuid::Uuid;
use validator::Validate;

use crate::app::Placement;
use crate::domain::request::OrderRequest;
use crate::domain::{CancelReason, Command, OrderStatus, OrderView};
use crate::error::OrdersError;
use crate::routes::context::{command_metadata, orders};
use crate::routes::params::{IdempotencyKeyHeader, OrderId, PageLimit, StatusParam};
use crate::summaries::OrderSummary;

/// `POST /api/orders`.
// Validate: no field rules here; `OrderRequest::parse` checks the lines (their number too) and
// the payment method, and reports every bad field together.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlaceOrderRequest {
    /// Each SKU once.
    #[salvo(schema(min_items = 1, max_items = 50))]
    pub lines: Vec<RequestedLineBody>,
    /// The payment method the provider's checkout form (Stripe.js) made from the customer's
    /// card, in the browser; the card itself never reaches the shop.
    #[salvo(schema(value_type = contracts::payment::PaymentMethodId))]
    pub payment_method_id: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestedLineBody {
    /// The product's SKU, as in the catalogue (any case; it is uppercased).
    #[salvo(schema(value_type = contracts::Sku))]
    pub sku: String,
    #[salvo(schema(minimum = 1, maximum = 999))]
    #[serde(deserialize_with = "contracts::whole_number::deserialize")]
    pub quantity: u32,
}

impl PlaceOrderRequest {
    fn parse(&self) -> Result<OrderRequest, OrdersError> {
        let lines: Vec<(&str, u32)> = self
            .lines
            .iter()
            .map(|line| (line.sku.as_str(), line.quantity))
            .collect();
        OrderRequest::parse(&lines, &self.payment_method_id).map_err(OrdersError::Validation)
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Places an order: the lines are priced by inventory and the payment method is checked with
/// the payment provider now, then stock is reserved asynchronously (the order moves from
/// `awaiting-stock` to `awaiting-payment`, or is cancelled with reason `stock-rejected`), and
/// payments authorizes the total (the order is `confirmed`, or cancelled with reason
/// `payment-failed`).
///
/// `paymentMethodId` comes from the payment provider's checkout form: Stripe.js turns the card
/// the customer types in the browser into a `pm_…` id, so card data never reaches the shop.
/// Stripe's test ids work in development: `pm_card_visa` is authorized,
/// `pm_card_chargeCustomerFail` is declined (the order is cancelled, `payment-failed`).
///
/// Send an `Idempotency-Key` header (a UUID) to make retries safe: a retry with the same key
/// and body returns the same order (200, `Idempotent-Replayed: true`) instead of a second one.
#[endpoint(
    tags("orders"),
    responses(
        (status_code = 201, description = "The order, placed", body = OrderView),
        (status_code = 200, description = "The order an earlier request with this Idempotency-Key placed", body = OrderView),
        // More than the default says: four different refusals share this status.
        (status_code = 422, description = "Invalid lines or payment method id (`errors` names each field, lines by position), products that cannot be ordered, a payment method the provider does not know (`/problems/unknown-payment-method`), or an invalid or reused Idempotency-Key (`/problems/idempotency-key-reused`)", content_type = "application/problem+json", body = Problem),
        (status_code = 503, description = "Inventory or payments is unavailable, or the order is changing too fast; retry (with the same Idempotency-Key)", content_type = "application/problem+json", body = Problem),
    )
)]
pub async fn place_order(
    customer: Customer,
    idempotency_key: IdempotencyKeyHeader,
    body: ValidJson<PlaceOrderRequest>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), OrdersError> {
    let request = body.into_inner().parse()?;
    let metadata = command_metadata(req, depot);
    let (view, placement) = orders(depot)?
        .place(customer.id, request, idempotency_key.0, &metadata)
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
    responses((status_code = 200, description = "The order", body = OrderView))
)]
pub async fn get_order(
    customer: Customer,
    order_id: OrderId,
    depot: &mut Depot,
) -> Result<Json<OrderView>, OrdersError> {
    match orders(depot)?.view(order_id.0).await? {
        // Someone else's order is as unknown to the caller as a missing one.
        Some(view) if view.customer_id == customer.id => Ok(Json(view)),
        _ => Err(OrdersError::NotFound),
    }
}

/// Cancels one of the caller's orders until it ships: while it is open (`awaiting-stock`,
/// `awaiting-payment`) or `confirmed`. Its stock goes back, and payments voids the
/// authorization or refunds what was captured (the order's `payment` shows it when done). 409
/// with `currentStatus` for a `shipped` or `cancelled` order.
#[endpoint(
    tags("orders"),
    responses((status_code = 200, description = "The cancelled order", body = OrderView))
)]
pub async fn cancel_order(
    customer: Customer,
    order_id: OrderId,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<OrderView>, OrdersError> {
    // Ownership is part of the decision, taken on the same state the cancellation is.
    let cancel = Command::Cancel {
        reason: CancelReason::Customer(customer.id),
    };
    let executed = orders(depot)?
        .execute(order_id.0, cancel, &command_metadata(req, depot))
        .await?;
    Ok(Json(executed.view))
}

/// The caller's orders, newest first, optionally of one status, one page at a time.
#[endpoint(
    tags("orders"),
    responses((status_code = 200, description = "One page of the caller's orders", body = OrderPage))
)]
pub async fn list_my_orders(
    customer: Customer,
    status: QueryParam<StatusParam, false>,
    cursor: QueryParam<CursorParam, false>,
    limit: QueryParam<PageLimit, false>,
    depot: &mut Depot,
) -> Result<Json<OrderPage>, OrdersError> {
    let query = ListQuery::parse(status.into_inner(), cursor.into_inner(), limit.into_inner())?;
    list(depot, Some(customer.id), query).await
}

/// The filters and page of a list request, every one checked (a 422 lists each bad one).
pub struct ListQuery {
    status: Option<OrderStatus>,
    after: Option<PageCursor>,
    page_size: u32,
}

impl ListQuery {
    pub fn parse(
        status: Option<StatusParam>,
        cursor: Option<CursorParam>,
        limit: Option<PageLimit>,
    ) -> Result<Self, OrdersError> {
        let mut errors = Vec::new();
        let status = status.and_then(|StatusParam(raw)| {
            OrderStatus::parse(&raw).or_else(|| {
                errors.push(FieldError::new(
                    "status",
                    "one of awaiting-stock, awaiting-payment, confirmed, shipped, cancelled",
                ));
                None
            })
        });
        let after = CursorParam::parse(cursor).unwrap_or_else(|error| {
            errors.push(error);
            None
        });
        let page_size = PageLimit::get(limit).unwrap_or_else(|error| {
            errors.push(error);
            0
        });
        if errors.is_empty() {
            Ok(Self {
                status,
                after,
                page_size,
            })
        } else {
            Err(OrdersError::Validation(errors))
        }
    }
}

/// One page of a list, shared by "my orders" and the admin list.
pub async fn list(
    depot: &Depot,
    customer_id: Option<Uuid>,
    query: ListQuery,
) -> Result<Json<OrderPage>, OrdersError> {
    let page = orders(depot)?
        .list(customer_id, query.status, query.after, query.page_size)
        .await?;
    Ok(Json(OrderPage {
        items: page.items,
        next_cursor: page.next.map(|cursor| cursor.encode()),
    }))
}

#[cfg(test)]
mod tests {
    use salvo::oapi::{Components, ToSchema};

    use super::*;
    use crate::domain::request::{MAX_LINES, MAX_QUANTITY};
    use crate::routes::tests::schema_of;

    /// The document's bounds are literals (salvo's attributes take no constants): they must be
    /// the ones the domain enforces.
    #[test]
    fn the_documented_bounds_are_the_domains() {
        let mut components = Components::new();
        let request = schema_of(&PlaceOrderRequest::to_schema(&mut components), &components);
        let lines = &request["properties"]["lines"];
        assert_eq!(lines["minItems"], 1, "{lines}");
        assert_eq!(lines["maxItems"], MAX_LINES, "{lines}");
        let line = schema_of(
            &serde_json::from_value(lines["items"].clone()).unwrap(),
            &components,
        );
        let quantity = &line["properties"]["quantity"];
        assert_eq!(quantity["minimum"], 1, "{quantity}");
        assert_eq!(quantity["maximum"], MAX_QUANTITY, "{quantity}");
        let sku = &line["properties"]["sku"];
        assert!(
            sku.to_string()
                .contains(r##""$ref":"#/components/schemas/Sku""##),
            "one SKU schema: {sku}"
        );
        let payment_method = &request["properties"]["paymentMethodId"];
        assert!(
            payment_method
                .to_string()
                .contains(r##""$ref":"#/components/schemas/PaymentMethodId""##),
            "one payment method schema: {payment_method}"
        );
        assert_eq!(
            request["required"],
            serde_json::json!(["lines", "paymentMethodId"])
        );
    }
}
