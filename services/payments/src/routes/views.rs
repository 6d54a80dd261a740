//! What the payments API answers, as JSON.

use chrono::{DateTime, Utc};
use salvo::oapi::ToSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::app::PaymentRecord;
use crate::store::{LedgerEntry, StoredPayment, StoredRefund};

/// A payment: what the order asked for, what the provider holds, and how it got there.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    /// `authorizing`, `authorized`, `captured`, `partially-refunded`, `refunded`, `voided`,
    /// `failed` or `abandoned` (the order was cancelled before any authorization).
    pub status: String,
    /// What the order wants done with the money: `open`, `confirmed`, `cancelled`.
    pub order_outcome: String,
    pub amount_minor: i64,
    pub currency: String,
    pub payment_method_id: Option<String>,
    /// The provider's payment (a Stripe PaymentIntent, `pi_…`).
    pub provider_payment_id: Option<String>,
    pub authorized_minor: i64,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    pub failure: Option<FailureView>,
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Present on one payment's page, not in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunds: Option<Vec<RefundView>>,
    /// Every operation the provider carried out (administrators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<Vec<LedgerEntryView>>,
    /// While the provider is not answering: how often it was tried and why it failed
    /// (administrators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing: Option<ProcessingView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailureView {
    /// The provider's code, e.g. `card_declined`.
    pub code: Option<String>,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundView {
    pub amount_minor: i64,
    pub reason: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    pub provider_refund_id: Option<String>,
    pub failure_reason: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntryView {
    /// `authorize`, `capture`, `void` or `refund`.
    pub operation: String,
    pub amount_minor: i64,
    pub currency: String,
    pub provider_id: String,
    pub idempotency_key: String,
    pub reason: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProcessingView {
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPage {
    pub items: Vec<PaymentView>,
    /// Pass as `?cursor=` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A refund request's answer: the refund, and the payment after it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundAnswer {
    pub refund: RefundView,
    pub payment: PaymentView,
}

impl PaymentView {
    pub fn summary(stored: &StoredPayment) -> Self {
        let payment = &stored.payment;
        Self {
            order_id: payment.order_id,
            customer_id: payment.customer_id,
            status: payment.status.as_str().to_owned(),
            order_outcome: payment.order_outcome.as_str().to_owned(),
            amount_minor: payment.amount_minor,
            currency: payment.currency.clone(),
            payment_method_id: payment.payment_method.as_ref().map(ToString::to_string),
            provider_payment_id: payment.provider_payment_id.clone(),
            authorized_minor: stored.authorized_minor,
            captured_minor: payment.captured_minor,
            refunded_minor: payment.refunded_minor,
            failure: stored.failure_reason.as_ref().map(|reason| FailureView {
                code: stored.failure_code.clone(),
                reason: reason.clone(),
            }),
            requested_at: stored.requested_at,
            updated_at: stored.updated_at,
            refunds: None,
            ledger: None,
            processing: None,
        }
    }

    /// A customer's view of their payment: with its refunds, without the bookkeeping.
    pub fn for_customer(record: &PaymentRecord) -> Self {
        Self {
            refunds: Some(record.refunds.iter().map(RefundView::from).collect()),
            ..Self::summary(&record.payment)
        }
    }

    pub fn for_admin(record: &PaymentRecord) -> Self {
        let stored = &record.payment;
        Self {
            ledger: Some(record.ledger.iter().map(LedgerEntryView::from).collect()),
            processing: (stored.attempts > 0 || stored.next_attempt_at.is_some()).then(|| {
                ProcessingView {
                    attempts: stored.attempts,
                    last_error: stored.last_error.clone(),
                    next_attempt_at: stored.next_attempt_at,
                }
            }),
            ..Self::for_customer(record)
        }
    }
}

impl From<&StoredRefund> for RefundView {
    fn from(refund: &StoredRefund) -> Self {
        Self {
            amount_minor: refund.amount_minor,
            reason: refund.reason.clone(),
            status: refund.status.clone(),
            provider_refund_id: refund.provider_refund_id.clone(),
            failure_reason: refund.failure_reason.clone(),
            requested_at: refund.requested_at,
            completed_at: refund.completed_at,
        }
    }
}

impl From<&LedgerEntry> for LedgerEntryView {
    fn from(entry: &LedgerEntry) -> Self {
        Self {
            operation: entry.operation.clone(),
            amount_minor: entry.amount_minor,
            currency: entry.currency.clone(),
            provider_id: entry.provider_id.clone(),
            idempotency_key: entry.idempotency_key.clone(),
            reason: entry.reason.clone(),
            recorded_at: entry.recorded_at,
        }
    }
}
