//! The payments use cases: what the order saga's events, the administrators and the provider's
//! webhooks ask for. Each writes down what changed in one transaction and makes the payment due;
//! the `processor` then talks to the provider.

use std::sync::Arc;

use contracts::order::PaymentRequested;
use contracts::payment::{PaymentMethodId, PaymentMethodSummary};
use service_runtime::PageCursor;
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::{
    OrderOutcome, PaymentStatus, PendingRefund, RefundKey, RefundRequest, WebhookSecret,
    verify_signature,
};
use crate::error::PaymentsError;
use crate::known_methods::KnownPaymentMethods;
use crate::processor::Processor;
use crate::provider::{PaymentGateway, ProviderError};
use crate::store::{self, LedgerEntry, StoredPayment, StoredRefund};

#[derive(Clone)]
pub struct App {
    pool: PgPool,
    processor: Processor,
    webhook_secret: Arc<WebhookSecret>,
    known_methods: KnownPaymentMethods,
}

/// A payment with its refunds and, for administrators, its ledger.
#[derive(Debug, Clone)]
pub struct PaymentRecord {
    pub payment: StoredPayment,
    pub refunds: Vec<StoredRefund>,
    pub ledger: Vec<LedgerEntry>,
}

/// What a refund request led to.
#[derive(Debug, Clone)]
pub struct RefundOutcome {
    pub refund: StoredRefund,
    /// False when the request repeated an earlier one (nothing new was refunded).
    pub created: bool,
}

/// What a webhook did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// A payment of ours was looked at again.
    Reconciled,
    /// Seen before (the provider delivers again), or not about a payment of ours.
    Ignored,
}

impl App {
    pub fn new(pool: PgPool, processor: Processor, webhook_secret: WebhookSecret) -> Self {
        Self {
            pool,
            processor,
            webhook_secret: Arc::new(webhook_secret),
            known_methods: KnownPaymentMethods::default(),
        }
    }

    fn gateway(&self) -> &Arc<dyn PaymentGateway> {
        self.processor.gateway()
    }

    /// `shop.order.payment-requested.v1`: remember what to authorize. True if new.
    pub async fn request_payment(&self, request: &PaymentRequested) -> Result<bool, PaymentsError> {
        let mut connection = self.pool.acquire().await?;
        let created = store::insert_requested(
            &mut connection,
            request.order_id,
            request.customer_id,
            request.amount_minor,
            &request.currency,
            request.payment_method_id.as_ref(),
        )
        .await?;
        if created {
            self.processor.wake();
        }
        Ok(created)
    }

    /// `shop.order.confirmed.v1` / `shop.order.cancelled.v1`: what the order now wants done
    /// with its payment. True if that changed anything.
    pub async fn order_outcome(
        &self,
        order_id: Uuid,
        outcome: OrderOutcome,
    ) -> Result<bool, PaymentsError> {
        let mut connection = self.pool.acquire().await?;
        let changed = store::set_order_outcome(&mut connection, order_id, outcome).await?;
        if changed {
            self.processor.wake();
        }
        Ok(changed)
    }

    /// Checkout's question: does the provider know this payment method? A yes is remembered
    /// for a few minutes (see `known_methods`).
    pub async fn payment_method(
        &self,
        id: &PaymentMethodId,
    ) -> Result<PaymentMethodSummary, PaymentsError> {
        if let Some(known) = self.known_methods.get(id) {
            return Ok(known);
        }
        let summary = self
            .gateway()
            .payment_method(id)
            .await
            .map_err(|error| match error {
                ProviderError::NotFound(_) => PaymentsError::UnknownPaymentMethod,
                ProviderError::Declined { .. } => PaymentsError::UnknownPaymentMethod,
                other => PaymentsError::ProviderUnavailable(other.to_string()),
            })?;
        self.known_methods.remember(&summary);
        Ok(summary)
    }

    pub async fn record(&self, order_id: Uuid) -> Result<PaymentRecord, PaymentsError> {
        let payment = store::find(&self.pool, order_id)
            .await?
            .ok_or(PaymentsError::NotFound)?;
        Ok(PaymentRecord {
            payment,
            refunds: store::refunds(&self.pool, order_id).await?,
            ledger: store::ledger(&self.pool, order_id).await?,
        })
    }

    /// A customer's own payment; another customer's is not found (no hint that it exists).
    pub async fn record_of_customer(
        &self,
        customer_id: Uuid,
        order_id: Uuid,
    ) -> Result<PaymentRecord, PaymentsError> {
        let record = self.record(order_id).await?;
        if record.payment.payment.customer_id != customer_id {
            return Err(PaymentsError::NotFound);
        }
        Ok(record)
    }

    /// One page of payments, newest first, and where the next page starts (if there is one).
    pub async fn list(
        &self,
        status: Option<PaymentStatus>,
        customer_id: Option<Uuid>,
        after: Option<PageCursor>,
        limit: u32,
    ) -> Result<(Vec<StoredPayment>, Option<PageCursor>), PaymentsError> {
        let page_size = limit as usize;
        let mut payments =
            store::list(&self.pool, status, customer_id, after, i64::from(limit) + 1).await?;
        let next = (payments.len() > page_size).then(|| {
            payments.truncate(page_size);
            payments.last().map(|last| PageCursor {
                at: last.requested_at,
                id: last.payment.order_id,
            })
        });
        Ok((payments, next.flatten()))
    }

    /// An administrator's refund of captured money: checked against what is left to refund
    /// (counting refunds still under way), recorded, and carried out before answering when the
    /// provider answers in time. A repeated request (same key) is the same refund.
    pub async fn refund(
        &self,
        admin_id: Uuid,
        order_id: Uuid,
        idempotency_key: Option<&str>,
        request: RefundRequest,
    ) -> Result<RefundOutcome, PaymentsError> {
        let key = RefundKey::new(idempotency_key, &request);
        let mut tx = self.pool.begin().await?;
        // Locks the payment row: two refunds of one order are checked one after the other.
        let locked: Option<Uuid> =
            sqlx::query_scalar("SELECT order_id FROM payments WHERE order_id = $1 FOR UPDATE")
                .bind(order_id)
                .fetch_optional(&mut *tx)
                .await?;
        if locked.is_none() {
            return Err(PaymentsError::NotFound);
        }
        if let Some(existing) = store::refund_by_key(&mut *tx, order_id, key.as_str()).await? {
            if existing.amount_minor != request.amount_minor || existing.reason != request.reason {
                return Err(PaymentsError::IdempotencyKeyReused);
            }
            return Ok(RefundOutcome {
                refund: existing,
                created: false,
            });
        }
        let stored = store::find(&mut *tx, order_id)
            .await?
            .ok_or(PaymentsError::NotFound)?;
        let payment = &stored.payment;
        if !payment.status.is_refundable() {
            return Err(PaymentsError::NotRefundable(payment.status));
        }
        let under_way: i64 = store::pending(&store::refunds(&mut *tx, order_id).await?)
            .iter()
            .map(|refund| refund.amount_minor)
            .sum();
        let refundable = payment.refundable_minor() - under_way;
        if request.amount_minor > refundable {
            return Err(PaymentsError::RefundTooLarge {
                refundable,
                currency: payment.currency.clone(),
            });
        }
        let pending = PendingRefund {
            key: key.as_str().to_owned(),
            amount_minor: request.amount_minor,
            reason: request.reason,
        };
        let (_, created) =
            store::request_refund(&mut tx, order_id, &pending, &format!("admin:{admin_id}"))
                .await?;
        store::make_due(&mut *tx, order_id).await?;
        tx.commit().await?;
        // Carry it out now, so the answer usually says how it went; if another worker has the
        // payment, or the provider does not answer, the processor finishes it.
        if let Err(error) = self.processor.drive(order_id).await {
            tracing::warn!(%order_id, %error, "refund recorded; the processor will carry it out");
        }
        let refund = store::refund_by_key(&self.pool, order_id, key.as_str())
            .await?
            .ok_or(PaymentsError::NotFound)?;
        Ok(RefundOutcome { refund, created })
    }

    /// A provider webhook: authenticated by its signature, remembered by its event id, and
    /// taken as a reason to look at the payment again (the provider's state decides, so a
    /// webhook and the service's own calls can arrive in any order and count once).
    pub async fn webhook(
        &self,
        signature: Option<&str>,
        payload: &[u8],
        now: i64,
    ) -> Result<WebhookOutcome, PaymentsError> {
        let signature = signature.ok_or(PaymentsError::BadSignature(
            crate::domain::SignatureError::Malformed,
        ))?;
        verify_signature(&self.webhook_secret, signature, payload, now)
            .map_err(PaymentsError::BadSignature)?;
        let event: serde_json::Value =
            serde_json::from_slice(payload).map_err(|_| PaymentsError::MalformedWebhook)?;
        let (Some(event_id), Some(event_type)) = (event["id"].as_str(), event["type"].as_str())
        else {
            return Err(PaymentsError::MalformedWebhook);
        };
        let object = &event["data"]["object"];
        let mut order_id = object["metadata"]["order_id"]
            .as_str()
            .and_then(|id| id.parse::<Uuid>().ok());
        if order_id.is_none()
            && let Some(provider_id) = object["id"].as_str()
        {
            order_id = store::order_of_provider_payment(&self.pool, provider_id).await?;
        }
        let mut tx = self.pool.begin().await?;
        let new = store::record_webhook(&mut *tx, event_id, event_type, order_id).await?;
        let ours = match order_id {
            Some(order_id) if new => store::find(&mut *tx, order_id).await?.is_some(),
            _ => false,
        };
        if let (true, Some(order_id)) = (ours, order_id) {
            store::make_due(&mut *tx, order_id).await?;
        }
        tx.commit().await?;
        tracing::info!(
            event_id,
            event_type,
            ?order_id,
            new,
            ours,
            "provider webhook"
        );
        if ours {
            self.processor.wake();
            Ok(WebhookOutcome::Reconciled)
        } else {
            Ok(WebhookOutcome::Ignored)
        }
    }
}
