//! What the order knows about its payment: requested, then authorized or failed (payments'
//! answer, which also moves the order), then captured, voided or refunded (payments' later
//! facts, which the order only records). One fold, for the aggregate and the read model alike.
//!
//! Payments publishes every fact about one order on one partition, in order, but at least once:
//! a fact may come again, and after a crash an older one may follow a newer one. What the order
//! knows only moves forward: a capture or a void settles an open payment once, refunds only
//! grow, and a fact that would move it back (or repeats what it knows) is nothing new.

use contracts::order::OrderPaymentUpdated;
use contracts::payment::PaymentMethodId;
use salvo::oapi::ToSchema;
use serde::{Deserialize, Serialize};

use super::event::OrderEvent;
use super::order::CancelReason;

/// Where the order's payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentStatus {
    /// The stock is reserved and payments was asked to authorize the total.
    Pending,
    /// The provider holds the total on the customer's payment method; the order is confirmed.
    Authorized,
    /// The provider refused (declined, unknown payment method); the order is cancelled.
    Failed,
    /// The customer was charged `capturedMinor`.
    Captured,
    /// The authorization was released; the customer was charged nothing.
    Voided,
    /// Everything captured went back to the customer.
    Refunded,
    /// Part of what was captured went back to the customer (`refundedMinor`).
    PartiallyRefunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 7] = [
        Self::Pending,
        Self::Authorized,
        Self::Failed,
        Self::Captured,
        Self::Voided,
        Self::Refunded,
        Self::PartiallyRefunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Authorized => "authorized",
            Self::Failed => "failed",
            Self::Captured => "captured",
            Self::Voided => "voided",
            Self::Refunded => "refunded",
            Self::PartiallyRefunded => "partially-refunded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Nothing was taken or released yet: a capture or a void may still happen.
    fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Authorized | Self::Failed)
    }
}

/// The order's payment, as the order knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub status: PaymentStatus,
    /// The payment method the customer gave at checkout; absent on orders placed before the
    /// shop took payments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_id: Option<PaymentMethodId>,
    /// What the customer was charged (0 until captured).
    pub captured_minor: i64,
    /// Everything refunded so far.
    pub refunded_minor: i64,
}

/// A fact payments reports after its answer, as a command carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum PaymentFact {
    Captured {
        amount_minor: i64,
    },
    Voided,
    /// `total_refunded_minor`: every refund of the order so far, this one included.
    Refunded {
        total_refunded_minor: i64,
    },
}

impl Payment {
    /// The payment once `event` happened (`None`: no payment requested yet). Events that say
    /// nothing about the payment leave it as it is.
    pub fn after(payment: Option<Payment>, event: &OrderEvent) -> Option<Payment> {
        match event {
            OrderEvent::PaymentRequested(requested) => Some(Payment {
                status: PaymentStatus::Pending,
                payment_method_id: requested.payment_method_id.clone(),
                captured_minor: 0,
                refunded_minor: 0,
            }),
            // Confirmation and a payment-failed cancellation are payments' answer; a later fact
            // already recorded is not moved back (the fold must give what `decide` saw).
            OrderEvent::Confirmed(_) => payment.map(|p| p.answered(PaymentStatus::Authorized)),
            OrderEvent::Cancelled(cancelled)
                if cancelled.reason == CancelReason::PaymentFailed.as_str() =>
            {
                payment.map(|p| p.answered(PaymentStatus::Failed))
            }
            OrderEvent::PaymentUpdated(updated) => Some(Payment {
                // `OrderEvent::decode` refuses a status that is not one of ours.
                status: PaymentStatus::parse(&updated.payment_status)
                    .unwrap_or(PaymentStatus::Pending),
                payment_method_id: payment.and_then(|p| p.payment_method_id),
                captured_minor: updated.captured_minor,
                refunded_minor: updated.refunded_minor,
            }),
            _ => payment,
        }
    }

    fn answered(self, status: PaymentStatus) -> Payment {
        if self.status == PaymentStatus::Pending {
            Payment { status, ..self }
        } else {
            self
        }
    }

    /// The event that records `fact` on the order, or `None` when the fact tells the order
    /// nothing new (a redelivery, or an older fact after a newer one). `total_minor` is the
    /// order's total, what a refund is measured against when no capture was recorded.
    pub fn record(
        &self,
        order_id: uuid::Uuid,
        fact: PaymentFact,
        total_minor: i64,
    ) -> Option<OrderPaymentUpdated> {
        let (status, captured_minor, refunded_minor) = match fact {
            PaymentFact::Captured { amount_minor } if self.status.is_open() => {
                (PaymentStatus::Captured, amount_minor, self.refunded_minor)
            }
            PaymentFact::Voided if self.status.is_open() => {
                (PaymentStatus::Voided, 0, self.refunded_minor)
            }
            PaymentFact::Refunded {
                total_refunded_minor,
            } if total_refunded_minor > self.refunded_minor => {
                let paid = if self.captured_minor > 0 {
                    self.captured_minor
                } else {
                    total_minor
                };
                let status = if total_refunded_minor >= paid {
                    PaymentStatus::Refunded
                } else {
                    PaymentStatus::PartiallyRefunded
                };
                (status, self.captured_minor, total_refunded_minor)
            }
            _ => return None,
        };
        Some(OrderPaymentUpdated {
            order_id,
            payment_status: status.as_str().to_owned(),
            captured_minor,
            refunded_minor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: uuid::Uuid = uuid::Uuid::from_u128(7);
    const TOTAL: i64 = 5_000;

    fn payment(status: PaymentStatus, captured_minor: i64, refunded_minor: i64) -> Payment {
        Payment {
            status,
            payment_method_id: PaymentMethodId::parse("pm_card_visa").ok(),
            captured_minor,
            refunded_minor,
        }
    }

    /// (status, captured, refunded) the fact records, if anything.
    fn recorded(payment: &Payment, fact: PaymentFact) -> Option<(String, i64, i64)> {
        payment
            .record(ORDER, fact, TOTAL)
            .map(|u| (u.payment_status, u.captured_minor, u.refunded_minor))
    }

    #[test]
    fn every_status_reads_back_from_its_name() {
        for status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        assert_eq!(PaymentStatus::parse("succeeded"), None);
    }

    #[test]
    fn a_capture_or_a_void_settles_an_open_payment_once() {
        let authorized = payment(PaymentStatus::Authorized, 0, 0);
        let capture = PaymentFact::Captured {
            amount_minor: TOTAL,
        };
        assert_eq!(
            recorded(&authorized, capture),
            Some(("captured".into(), TOTAL, 0))
        );
        assert_eq!(
            recorded(&authorized, PaymentFact::Voided),
            Some(("voided".into(), 0, 0))
        );
        // A timed-out order's authorization is voided while the order still thinks it pending.
        assert!(recorded(&payment(PaymentStatus::Pending, 0, 0), PaymentFact::Voided).is_some());

        let captured = payment(PaymentStatus::Captured, TOTAL, 0);
        assert_eq!(recorded(&captured, capture), None, "a redelivery");
        assert_eq!(recorded(&captured, PaymentFact::Voided), None, "too late");
        let voided = payment(PaymentStatus::Voided, 0, 0);
        assert_eq!(recorded(&voided, capture), None);
        assert_eq!(recorded(&voided, PaymentFact::Voided), None);
        let refunded = payment(PaymentStatus::PartiallyRefunded, TOTAL, 1_000);
        assert_eq!(recorded(&refunded, capture), None, "an older fact");
    }

    #[test]
    fn refunds_only_grow_and_say_whether_everything_went_back() {
        let captured = payment(PaymentStatus::Captured, 4_000, 0);
        let refund = |total_refunded_minor| PaymentFact::Refunded {
            total_refunded_minor,
        };
        assert_eq!(
            recorded(&captured, refund(1_000)),
            Some(("partially-refunded".into(), 4_000, 1_000))
        );
        assert_eq!(
            recorded(&captured, refund(4_000)),
            Some(("refunded".into(), 4_000, 4_000))
        );
        let partly = payment(PaymentStatus::PartiallyRefunded, 4_000, 1_000);
        assert_eq!(recorded(&partly, refund(1_000)), None, "a redelivery");
        assert_eq!(recorded(&partly, refund(500)), None, "an older refund");
        assert_eq!(
            recorded(&partly, refund(4_000)),
            Some(("refunded".into(), 4_000, 4_000))
        );
        // No capture recorded (its fact was lost): measured against the order's total.
        assert_eq!(
            recorded(&payment(PaymentStatus::Authorized, 0, 0), refund(TOTAL)),
            Some(("refunded".into(), 0, TOTAL))
        );
    }
}
