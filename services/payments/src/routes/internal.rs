//! `GET /internal/payment-methods/{id}` (Dapr service invocation only; the gateway does not
//! route here): checkout asks whether the provider knows the payment method a customer gave.

use contracts::payment::{PaymentMethodId, PaymentMethodSummary};
use salvo::prelude::*;
use service_runtime::FieldError;

use super::app;
use crate::error::PaymentsError;

#[handler]
pub async fn payment_method(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<PaymentMethodSummary>, PaymentsError> {
    let raw = req.param::<String>("id").unwrap_or_default();
    let id = PaymentMethodId::parse(&raw)
        .map_err(|error: FieldError| PaymentsError::Validation(vec![error]))?;
    Ok(Json(app(depot)?.payment_method(&id).await?))
}
