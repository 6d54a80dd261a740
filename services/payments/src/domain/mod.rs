//! The payment's rules, without I/O: what a payment is, what to do next with it, and how a
//! provider webhook is authenticated.

mod payment;
mod refund;
mod webhook;

pub use payment::{
    Action, CANCELLATION_REFUND_KEY, OrderOutcome, Payment, PaymentStatus, PendingRefund,
    check_payment_request, next_action,
};
pub use refund::{RefundKey, RefundRequest};
pub use webhook::{SignatureError, WebhookSecret, verify_signature};
