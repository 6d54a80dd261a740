//! Payments for customers (their own) and administrators (any, the list, refunds).

use salvo::oapi::ToSchema;
use salvo::oapi::extract::QueryParam;
use salvo::prelude::*;
use serde::Deserialize;
use service_runtime::{Admin, CursorParam, Customer, IdempotencyKey, ValidJson};
use validator::Validate;

use super::app;
use super::params::{IdempotencyKeyHeader, OrderId, PageLimit, StatusParam, UuidParam};
use super::views::{PaymentPage, PaymentView, RefundAnswer, RefundView};
use crate::domain::RefundRequest;
use crate::error::PaymentsError;

/// The payment of one of my orders: its status, what was captured and refunded.
// `status_codes`: only the answers this route gives (the error type registers every one).
#[endpoint(
    tags("payments"),
    status_codes(200, 401, 404, 500),
    responses((status_code = 200, description = "The payment", body = PaymentView))
)]
pub async fn get_my_payment(
    customer: Customer,
    order_id: OrderId,
    depot: &mut Depot,
) -> Result<Json<PaymentView>, PaymentsError> {
    let record = app(depot)?
        .record_of_customer(customer.id, order_id.0)
        .await?;
    Ok(Json(PaymentView::for_customer(&record)))
}

/// Any order's payment, with its ledger (every provider operation) and refunds.
#[endpoint(
    tags("admin"),
    status_codes(200, 401, 403, 404, 500),
    responses((status_code = 200, description = "The payment", body = PaymentView))
)]
pub async fn get_payment(
    _admin: Admin,
    order_id: OrderId,
    depot: &mut Depot,
) -> Result<Json<PaymentView>, PaymentsError> {
    let record = app(depot)?.record(order_id.0).await?;
    Ok(Json(PaymentView::for_admin(&record)))
}

/// All payments, newest first, optionally of one status and one customer; `nextCursor` leads
/// to the next page.
#[endpoint(
    tags("admin"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Payments, newest first", body = PaymentPage))
)]
pub async fn list_payments(
    _admin: Admin,
    status: QueryParam<StatusParam, false>,
    customer_id: QueryParam<UuidParam, false>,
    cursor: QueryParam<CursorParam, false>,
    limit: QueryParam<PageLimit, false>,
    depot: &mut Depot,
) -> Result<Json<PaymentPage>, PaymentsError> {
    let mut errors = Vec::new();
    let status = StatusParam::parse(status.into_inner()).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let customer = UuidParam::parse(customer_id.into_inner(), "customer_id").unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let after = CursorParam::parse(cursor.into_inner()).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let limit = PageLimit::get(limit.into_inner()).unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    if !errors.is_empty() {
        return Err(PaymentsError::Validation(errors));
    }
    let (payments, next) = app(depot)?.list(status, customer, after, limit).await?;
    Ok(Json(PaymentPage {
        items: payments.iter().map(PaymentView::summary).collect(),
        next_cursor: next.map(|cursor| cursor.encode()),
    }))
}

/// `POST /api/admin/payments/{order_id}/refunds`.
// Validate: no field rules here; `RefundRequest::parse` checks both fields together.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundBody {
    /// Minor units of the payment's currency; at most what was captured and not refunded yet.
    #[serde(deserialize_with = "contracts::whole_number::deserialize")]
    #[salvo(schema(minimum = 1, example = 1500))]
    pub amount_minor: i64,
    /// Why, for the ledger and the customer: one line, 1 to 200 characters.
    #[salvo(schema(
        min_length = 1,
        max_length = 200,
        example = "damaged in transit",
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    ))]
    pub reason: String,
}

/// Refunds part or all of a captured payment. A repeat of the same request (same
/// `Idempotency-Key`, or without one the same amount and reason) answers the first refund
/// (200) and refunds nothing more.
// `status_codes` keeps only the responses it lists (salvo-oapi drops the rest), so it names
// every answer: the two successes, the extractors' and the error type's problems this route can
// give. Not 503: a provider out of reach leaves the refund pending (201).
#[endpoint(
    tags("admin"),
    status_codes(201, 200, 400, 401, 403, 404, 409, 422, 500),
    responses(
        (status_code = 201, description = "The refund was made (or is under way: `status` pending)", body = RefundAnswer),
        (status_code = 200, description = "The same refund was asked for before; nothing more was refunded", body = RefundAnswer),
    )
)]
pub async fn refund_payment(
    admin: Admin,
    order_id: OrderId,
    idempotency_key: IdempotencyKeyHeader,
    body: ValidJson<RefundBody>,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<Json<RefundAnswer>, PaymentsError> {
    let body = body.into_inner();
    let request =
        RefundRequest::parse(body.amount_minor, &body.reason).map_err(PaymentsError::Validation)?;
    let app = app(depot)?;
    let outcome = app
        .refund(
            admin.id,
            order_id.0,
            idempotency_key.0.as_ref().map(IdempotencyKey::as_str),
            request,
        )
        .await?;
    let record = app.record(order_id.0).await?;
    res.status_code(if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    });
    Ok(Json(RefundAnswer {
        refund: RefundView::from(&outcome.refund),
        payment: PaymentView::for_admin(&record),
    }))
}
