//! A payment and the one decision the processor asks of it: what to do next.
//!
//! The payment records what the provider holds (`status`, amounts) and what the order wants
//! (`order_outcome`: still open, confirmed, cancelled). `next_action` compares the two. Every
//! path ends with the customer charged only for a confirmed order: an authorization is captured
//! only once the order is confirmed, voided if it is cancelled first, and a capture of an order
//! cancelled afterwards is refunded.

use contracts::payment::PaymentMethodId;
use uuid::Uuid;

/// The refund a cancelled, already captured order gets (one per order: its key).
pub const CANCELLATION_REFUND_KEY: &str = "order-cancelled";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Asked for, not (known to be) authorized yet.
    Authorizing,
    /// The amount is held on the card.
    Authorized,
    Captured,
    PartiallyRefunded,
    Refunded,
    /// The hold was released; nothing was taken.
    Voided,
    /// The provider refused the payment (declined, unknown payment method).
    Failed,
    /// The order was cancelled before any authorization reached the provider.
    Abandoned,
}

impl PaymentStatus {
    pub const ALL: [Self; 8] = [
        Self::Authorizing,
        Self::Authorized,
        Self::Captured,
        Self::PartiallyRefunded,
        Self::Refunded,
        Self::Voided,
        Self::Failed,
        Self::Abandoned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authorizing => "authorizing",
            Self::Authorized => "authorized",
            Self::Captured => "captured",
            Self::PartiallyRefunded => "partially-refunded",
            Self::Refunded => "refunded",
            Self::Voided => "voided",
            Self::Failed => "failed",
            Self::Abandoned => "abandoned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Captured money that has not all gone back.
    pub fn is_refundable(self) -> bool {
        matches!(self, Self::Captured | Self::PartiallyRefunded)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderOutcome {
    Open,
    Confirmed,
    Cancelled,
}

impl OrderOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Confirmed, Self::Cancelled]
            .into_iter()
            .find(|outcome| outcome.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub payment_method: Option<PaymentMethodId>,
    pub status: PaymentStatus,
    pub order_outcome: OrderOutcome,
    pub provider_payment_id: Option<String>,
    pub captured_minor: i64,
    pub refunded_minor: i64,
}

impl Payment {
    /// Captured and not refunded yet.
    pub fn refundable_minor(&self) -> i64 {
        self.captured_minor - self.refunded_minor
    }

    /// The idempotency key of one operation on this order's payment: the same order and
    /// operation always give the same key.
    pub fn operation_key(&self, operation: &str) -> String {
        format!("payment:{}:{operation}", self.order_id)
    }
}

/// What the payments table takes of an order's payment request: something to pay, in an ISO
/// 4217 currency code. A request that breaks this never will be storable; its consumer
/// dead-letters it rather than retrying it forever. `Err` says why.
pub fn check_payment_request(amount_minor: i64, currency: &str) -> Result<(), String> {
    if amount_minor <= 0 {
        return Err(format!(
            "a payment of {amount_minor} minor units: nothing to pay"
        ));
    }
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("{currency:?} is not an ISO 4217 currency code"));
    }
    Ok(())
}

/// A refund asked for and not carried out yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRefund {
    pub key: String,
    pub amount_minor: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Ask the provider to hold the order's total.
    Authorize,
    /// Fail without calling anyone: the order names no payment method.
    FailWithoutPaymentMethod,
    /// Record that nothing will be authorized: the order was cancelled first.
    Abandon,
    Capture,
    Void,
    Refund(PendingRefund),
}

/// What to do next with `payment`, given the refunds waiting; `None` when it is where its
/// order wants it. `authorization_in_doubt`: an authorization was sent and its answer never
/// recorded, so the order may be held at the provider even though the status says otherwise.
pub fn next_action(
    payment: &Payment,
    pending_refunds: &[PendingRefund],
    authorization_in_doubt: bool,
) -> Option<Action> {
    use OrderOutcome::{Cancelled, Confirmed};
    use PaymentStatus::*;
    match (payment.status, payment.order_outcome) {
        // Cancelled before anything reached the provider: nothing to authorize, ever. In doubt,
        // the authorization is settled first (and then voided).
        (Authorizing, Cancelled) if !authorization_in_doubt => Some(Action::Abandon),
        (Authorizing, _) if payment.payment_method.is_none() => {
            Some(Action::FailWithoutPaymentMethod)
        }
        (Authorizing, _) => Some(Action::Authorize),
        (Authorized, Confirmed) => Some(Action::Capture),
        (Authorized, Cancelled) => Some(Action::Void),
        (Captured | PartiallyRefunded, outcome) => {
            if let Some(refund) = pending_refunds.first() {
                return Some(Action::Refund(refund.clone()));
            }
            (outcome == Cancelled && payment.refundable_minor() > 0).then(|| {
                Action::Refund(PendingRefund {
                    key: CANCELLATION_REFUND_KEY.into(),
                    amount_minor: payment.refundable_minor(),
                    reason: "order cancelled".into(),
                })
            })
        }
        (Authorized, OrderOutcome::Open) | (Refunded | Voided | Failed | Abandoned, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(status: PaymentStatus, outcome: OrderOutcome) -> Payment {
        Payment {
            order_id: Uuid::nil(),
            customer_id: Uuid::nil(),
            amount_minor: 5_000,
            currency: "EUR".into(),
            payment_method: Some(PaymentMethodId::parse("pm_card_visa").expect("valid")),
            status,
            order_outcome: outcome,
            provider_payment_id: Some("pi_1".into()),
            captured_minor: if status.is_refundable() { 5_000 } else { 0 },
            refunded_minor: 0,
        }
    }

    use OrderOutcome::*;
    use PaymentStatus::*;

    #[test]
    fn an_open_order_is_authorized_and_then_waits() {
        assert_eq!(
            next_action(&payment(Authorizing, Open), &[], false),
            Some(Action::Authorize)
        );
        assert_eq!(next_action(&payment(Authorized, Open), &[], false), None);
    }

    #[test]
    fn a_confirmed_order_is_captured_and_nothing_more() {
        assert_eq!(
            next_action(&payment(Authorized, Confirmed), &[], false),
            Some(Action::Capture)
        );
        assert_eq!(next_action(&payment(Captured, Confirmed), &[], false), None);
    }

    #[test]
    fn a_cancelled_order_is_never_left_charged() {
        assert_eq!(
            next_action(&payment(Authorizing, Cancelled), &[], false),
            Some(Action::Abandon)
        );
        // An authorization that may have reached the provider is settled first.
        assert_eq!(
            next_action(&payment(Authorizing, Cancelled), &[], true),
            Some(Action::Authorize)
        );
        assert_eq!(
            next_action(&payment(Authorized, Cancelled), &[], false),
            Some(Action::Void)
        );
        let Some(Action::Refund(refund)) = next_action(&payment(Captured, Cancelled), &[], false)
        else {
            panic!("a captured, cancelled order is refunded");
        };
        assert_eq!(refund.key, CANCELLATION_REFUND_KEY);
        assert_eq!(refund.amount_minor, 5_000);
        let mut refunded = payment(Refunded, Cancelled);
        refunded.refunded_minor = refunded.captured_minor;
        assert_eq!(next_action(&refunded, &[], false), None);
    }

    #[test]
    fn only_what_is_left_is_refunded_on_cancellation() {
        let mut partly = payment(PartiallyRefunded, Cancelled);
        partly.refunded_minor = 1_500;
        let Some(Action::Refund(refund)) = next_action(&partly, &[], false) else {
            panic!("the rest is refunded");
        };
        assert_eq!(refund.amount_minor, 3_500);
    }

    #[test]
    fn asked_for_refunds_go_first() {
        let asked = PendingRefund {
            key: "admin-1".into(),
            amount_minor: 700,
            reason: "damaged".into(),
        };
        assert_eq!(
            next_action(
                &payment(Captured, Confirmed),
                std::slice::from_ref(&asked),
                false
            ),
            Some(Action::Refund(asked))
        );
    }

    #[test]
    fn an_order_without_a_payment_method_fails_without_a_call() {
        let mut old = payment(Authorizing, Open);
        old.payment_method = None;
        assert_eq!(
            next_action(&old, &[], false),
            Some(Action::FailWithoutPaymentMethod)
        );
    }

    #[test]
    fn final_states_need_nothing() {
        for status in [Voided, Failed, Abandoned] {
            for outcome in [Open, Confirmed, Cancelled] {
                assert_eq!(next_action(&payment(status, outcome), &[], false), None);
            }
        }
    }

    #[test]
    fn a_request_must_have_something_to_pay_in_a_currency() {
        assert_eq!(check_payment_request(1, "EUR"), Ok(()));
        for (amount, currency) in [
            (0, "EUR"),
            (-5, "EUR"),
            (100, "eur"),
            (100, "EURO"),
            (100, ""),
        ] {
            assert!(
                check_payment_request(amount, currency).is_err(),
                "{amount} {currency:?}"
            );
        }
    }

    #[test]
    fn statuses_read_back_what_they_write() {
        for status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(status.as_str()), Some(status));
        }
    }
}
