//! Payments: the events on the `payment-events` topic (published by payments, keyed by order id),
//! the payment-method id customers give at checkout, and the payment-method check orders asks
//! payments for (`GET /internal/payment-methods/{id}`, Dapr service invocation only).
//!
//! Amounts are integer minor units of the order's ISO 4217 currency, as everywhere.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;

/// `shop.payment.authorized.v1`: the provider holds the order's total on the customer's card
/// (not charged yet); orders confirms the order, which makes payments capture it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentAuthorized {
    pub order_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    /// The provider's id of the payment (a Stripe PaymentIntent, `pi_…`).
    pub provider_payment_id: String,
}

domain_event!(PaymentAuthorized, "shop.payment.authorized.v1", order_id);

/// `shop.payment.failed.v1`: the order could not be paid (declined, unknown payment method, …);
/// orders cancels it with reason `payment-failed` and its reserved stock goes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentFailed {
    pub order_id: Uuid,
    /// The provider's words (`Your card was declined.`), or ours when no call was possible.
    pub reason: String,
    /// The provider's machine-readable code (`card_declined`), when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

domain_event!(PaymentFailed, "shop.payment.failed.v1", order_id);

/// `shop.payment.captured.v1`: the customer was charged the captured amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCaptured {
    pub order_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
}

domain_event!(PaymentCaptured, "shop.payment.captured.v1", order_id);

/// `shop.payment.voided.v1`: the authorization was released without charging anything (the
/// order was cancelled before it was captured).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentVoided {
    pub order_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
}

domain_event!(PaymentVoided, "shop.payment.voided.v1", order_id);

/// `shop.payment.refunded.v1`: money went back to the customer, all of it or part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRefunded {
    pub order_id: Uuid,
    /// This refund's amount.
    pub amount_minor: i64,
    /// Everything refunded on this order so far, this refund included.
    pub total_refunded_minor: i64,
    pub currency: String,
    pub reason: String,
    /// The provider's id of the refund (`re_…`).
    pub provider_refund_id: String,
}

domain_event!(PaymentRefunded, "shop.payment.refunded.v1", order_id);

/// The method path on the `payments` app that looks a payment method up at the provider.
pub const PAYMENT_METHODS_METHOD: &str = "internal/payment-methods";

/// What payments tells orders about a payment method the provider knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethodSummary {
    pub id: PaymentMethodId,
    /// `card`, `sepa_debit`, …
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last4: Option<String>,
}

const FIELD: &str = "paymentMethodId";

/// The rule as a pattern, for OpenAPI schemas.
pub const PAYMENT_METHOD_PATTERN: &str = "^pm_[A-Za-z0-9_]{1,120}$";

/// A payment method the customer's browser registered with the provider (Stripe.js makes one
/// from the card form; Stripe's test ids such as `pm_card_visa` name ready-made ones). The shop
/// never sees card numbers, only this id: `pm_` and 1 to 120 letters, digits or underscores.
///
/// `Deserialize` goes through [`PaymentMethodId::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, salvo_oapi::ToSchema)]
#[serde(try_from = "String")]
#[salvo(schema(
    name = "PaymentMethodId",
    min_length = 4,
    max_length = 123,
    pattern = "^pm_[A-Za-z0-9_]{1,120}$",
    example = "pm_card_visa"
))]
pub struct PaymentMethodId(String);

impl PaymentMethodId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let Some(rest) = raw.strip_prefix("pm_") else {
            return Err(FieldError::new(
                FIELD,
                "a payment method id starts with pm_ (made by the provider's checkout form)",
            ));
        };
        if rest.is_empty()
            || rest.len() > 120
            || !rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(FieldError::new(
                FIELD,
                "pm_ followed by 1 to 120 letters, digits or underscores",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PaymentMethodId {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl fmt::Display for PaymentMethodId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_method_ids_are_the_providers_shape() {
        for good in [
            "pm_card_visa",
            "pm_card_chargeCustomerFail",
            "pm_1Q0PsIJvEtkwdCNY",
        ] {
            assert_eq!(PaymentMethodId::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "pm_",
            "card_visa",
            "pm_card visa",
            "pm_card-visa",
            "PM_card_visa",
        ] {
            assert!(PaymentMethodId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(PaymentMethodId::parse(&format!("pm_{}", "a".repeat(121))).is_err());
    }

    #[test]
    fn the_schema_states_the_parsers_rule() {
        let mut components = salvo_oapi::Components::new();
        let _ = <PaymentMethodId as salvo_oapi::ToSchema>::to_schema(&mut components);
        let components = serde_json::to_value(components).expect("components serialize");
        let schema = &components["schemas"]["PaymentMethodId"];
        assert_eq!(schema["pattern"], PAYMENT_METHOD_PATTERN, "{schema}");
        // The pattern, read as the parser reads it: every id it admits parses, and the
        // bounds are those of the pattern (`pm_` + 1..=120).
        assert_eq!(schema["minLength"], 4);
        assert_eq!(schema["maxLength"], 123);
        assert!(PaymentMethodId::parse(&format!("pm_{}", "a".repeat(120))).is_ok());
        assert!(PaymentMethodId::parse("pm_a").is_ok());
    }
}
