//! Whether the payment provider knows a payment method, from payments by Dapr service invocation
//! (`GET /internal/payment-methods/{id}`, answered with `contracts::payment::PaymentMethodSummary`).
//! Asked before an order is placed, so an order never waits for a payment that cannot start.

use contracts::payment::{PAYMENT_METHODS_METHOD, PaymentMethodId, PaymentMethodSummary};
use reqwest::StatusCode;
use service_runtime::Sidecar;

/// The app id payments runs under (dapr/dapr.yaml).
const PAYMENTS_APP_ID: &str = "payments";
/// The problem type of payments' 404 for a payment method the provider does not know. Any other
/// 404 (a payments build without this route, say) says nothing about the customer's card.
const UNKNOWN_PAYMENT_METHOD: &str = "/problems/unknown-payment-method";

#[derive(Debug, thiserror::Error)]
pub enum PaymentMethodError {
    /// Payments answered 404 `unknown-payment-method`: the provider has no such payment method
    /// (a made-up id, or one made for another account).
    #[error("the payment provider knows no payment method {0}")]
    Unknown(PaymentMethodId),
    #[error("payments could not check the payment method: {0}")]
    Unavailable(String),
}

/// The payment method as the provider knows it. The id is `pm_` and letters, digits and
/// underscores only (`PaymentMethodId`), so it is a path segment as it is.
pub async fn look_up(
    sidecar: &Sidecar,
    id: &PaymentMethodId,
) -> Result<PaymentMethodSummary, PaymentMethodError> {
    let response = sidecar
        .invoke(
            reqwest::Method::GET,
            PAYMENTS_APP_ID,
            &format!("{PAYMENT_METHODS_METHOD}/{id}"),
        )
        .send()
        .await
        .map_err(|e| PaymentMethodError::Unavailable(e.to_string()))?;
    match response.status() {
        status if status.is_success() => response.json().await.map_err(|e| {
            PaymentMethodError::Unavailable(format!("unexpected payment method: {e}"))
        }),
        status => {
            let body = response.text().await.unwrap_or_default();
            if status == StatusCode::NOT_FOUND
                && problem_type(&body) == Some(UNKNOWN_PAYMENT_METHOD)
            {
                return Err(PaymentMethodError::Unknown(id.clone()));
            }
            Err(PaymentMethodError::Unavailable(format!(
                "payments answered {status}: {body}"
            )))
        }
    }
}

/// The `type` of an RFC 9457 problem body.
fn problem_type(body: &str) -> Option<&str> {
    #[derive(serde::Deserialize)]
    struct Problem<'a> {
        #[serde(rename = "type", borrow)]
        kind: &'a str,
    }
    serde_json::from_str::<Problem>(body).ok().map(|p| p.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_payments_unknown_payment_method_problem_names_the_card_unknown() {
        let unknown = r#"{"type":"/problems/unknown-payment-method","title":"…","status":404}"#;
        assert_eq!(problem_type(unknown), Some(UNKNOWN_PAYMENT_METHOD));
        let no_route = r#"{"type":"/problems/not-found","title":"Not Found","status":404}"#;
        assert_eq!(problem_type(no_route), Some("/problems/not-found"));
        assert_eq!(problem_type("Not Found"), None);
    }
}
