//! The payment provider, as the rest of the service sees it: a [`PaymentGateway`] that holds,
//! takes, releases and returns money. One implementation, [`stripe::StripeGateway`], speaks
//! Stripe's API through the payments sidecar (a Dapr `bindings.http` output binding). Production
//! points that binding at Stripe; development, tests and CI at localstripe; the contract test at
//! stripe-mock.
//!
//! Every call that moves money carries an idempotency key derived from the order and the
//! operation (Stripe then answers a retry with the first answer). The service does not rely on
//! it alone (localstripe ignores the header): before repeating an operation whose outcome it does
//! not know, it asks the provider what exists ([`PaymentGateway::find_payment`],
//! [`PaymentGateway::find_refund`]); see `processor`.

pub mod stripe;

use async_trait::async_trait;
use contracts::payment::{PaymentMethodId, PaymentMethodSummary};
use uuid::Uuid;

/// What to authorize: the order's total on the customer's payment method, captured later.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub order_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub payment_method: PaymentMethodId,
    pub idempotency_key: String,
}

/// A payment at the provider (a Stripe PaymentIntent), in the terms the service needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    pub id: String,
    pub state: ProviderPaymentState,
    pub amount_minor: i64,
    /// What was actually taken (0 until captured).
    pub amount_received_minor: i64,
    pub order_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderPaymentState {
    /// Authorized, waiting to be captured (`requires_capture`).
    Authorized,
    /// Captured (`succeeded`).
    Captured,
    /// Released (`canceled`).
    Canceled,
    /// The last attempt failed (`requires_payment_method`, with the decline).
    Failed {
        code: Option<String>,
        message: String,
    },
    /// Anything else (`requires_action`, `processing`, …): not a final answer yet.
    Pending(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRefund {
    pub id: String,
    pub amount_minor: i64,
    /// Our refund key, from the refund's metadata.
    pub refund_key: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider refused the payment itself (card declined, unknown payment method): a
    /// final answer, not worth retrying.
    #[error("declined: {message}")]
    Declined {
        code: Option<String>,
        message: String,
        /// The payment the provider made for the attempt, if it made one.
        payment_id: Option<String>,
    },
    /// The object named does not exist at the provider.
    #[error("not found at the provider: {0}")]
    NotFound(String),
    /// The provider refused the request (a 4xx other than a decline): our request or the
    /// payment's state is wrong; retrying the same request will not help.
    #[error("the provider refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    /// No answer, or a 5xx/429: the outcome is unknown; try again later.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
}

/// The provider's API, as the service uses it.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Looks a payment method up (checkout asks before placing an order).
    async fn payment_method(
        &self,
        id: &PaymentMethodId,
    ) -> Result<PaymentMethodSummary, ProviderError>;

    /// Creates and confirms a payment with manual capture: the amount is held, not taken.
    async fn authorize(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<ProviderPayment, ProviderError>;

    /// Takes the whole authorized amount.
    async fn capture(
        &self,
        payment_id: &str,
        idempotency_key: &str,
    ) -> Result<ProviderPayment, ProviderError>;

    /// Releases an authorization without taking anything.
    async fn void(
        &self,
        payment_id: &str,
        idempotency_key: &str,
    ) -> Result<ProviderPayment, ProviderError>;

    /// Returns `amount_minor` of a captured payment; `refund_key` is stored with the refund so
    /// it can be found again (see [`PaymentGateway::find_refund`]).
    async fn refund(
        &self,
        order_id: Uuid,
        payment_id: &str,
        amount_minor: i64,
        refund_key: &str,
    ) -> Result<ProviderRefund, ProviderError>;

    async fn payment(&self, payment_id: &str) -> Result<ProviderPayment, ProviderError>;

    /// The payment made for `order_id`, if an authorization reached the provider.
    async fn find_payment(&self, order_id: Uuid) -> Result<Option<ProviderPayment>, ProviderError>;

    /// The refund of `payment_id` made under `refund_key`, if it reached the provider.
    async fn find_refund(
        &self,
        payment_id: &str,
        refund_key: &str,
    ) -> Result<Option<ProviderRefund>, ProviderError>;
}
