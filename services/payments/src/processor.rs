//! The processor: drives each payment towards what its order wants, one provider call at a
//! time, and records every answer in one transaction with its ledger entry and its event.
//!
//! Consumers of the order saga's events and the webhook route only write down what changed and
//! make the payment due (`next_attempt_at`); this task picks due payments up, so a provider
//! outage delays payments without losing any: the database is the queue, and a payment waits
//! there (retried with backoff) until the provider answers.
//!
//! One worker per payment at a time: a session advisory lock on the order, held across the
//! transactions of one drive and released by Postgres if the process dies. A call whose answer
//! may be lost (authorize, refund) is marked `in_doubt` before it is sent; the next attempt asks
//! the provider whether it happened before sending it again, so a crash never makes the service
//! authorize or refund twice, even against a provider that ignores `Idempotency-Key`.

use std::sync::Arc;
use std::time::Duration;

use contracts::payment::{
    PaymentAuthorized, PaymentCaptured, PaymentFailed, PaymentRefunded, PaymentVoided,
};
use futures::StreamExt;
use service_runtime::outbox::{OutboxError, OutboxSignal};
use sqlx::{PgConnection, PgPool};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::domain::{
    Action, CANCELLATION_REFUND_KEY, OrderOutcome, Payment, PendingRefund, next_action,
};
use crate::events;
use crate::provider::{
    AuthorizationRequest, PaymentGateway, ProviderError, ProviderPayment, ProviderPaymentState,
};
use crate::store::{self, StoreError, StoredPayment};

/// How often due payments are looked for when nothing wakes the processor.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
const BATCH_SIZE: i64 = 64;
/// Payments driven at once: each waits on the provider most of its time, holding a database
/// connection (its advisory lock is the session's). Well under the pool's 10 connections
/// (`DATABASE_MAX_CONNECTIONS`): the event consumers, the provider's webhooks (which the
/// provider may send while a payment waits on it) and the readiness check need theirs. At 16,
/// a backlog of due payments took every connection and starved them all.
const CONCURRENCY: usize = 4;
/// More steps than any payment's life has (authorize, capture, refunds…): a guard, not a limit.
const MAX_STEPS: usize = 12;
/// The longest wait between two attempts while the provider does not answer.
const MAX_BACKOFF_SECONDS: f64 = 20.0;

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

impl From<sqlx::Error> for ProcessError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

/// How one drive of a payment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drive {
    /// The payment is where its order wants it.
    Settled,
    /// The provider did not answer; the payment is due again later.
    WillRetry,
    /// Another worker is driving it.
    Busy,
    /// No such payment.
    Unknown,
}

enum Step {
    Done,
    /// No answer from the provider (`in_doubt` tells whether a call may have gone through).
    Unavailable(String),
}

#[derive(Clone)]
pub struct Processor {
    pool: PgPool,
    gateway: Arc<dyn PaymentGateway>,
    outbox: OutboxSignal,
    wake: Arc<Notify>,
}

impl Processor {
    pub fn new(pool: PgPool, gateway: Arc<dyn PaymentGateway>, outbox: OutboxSignal) -> Self {
        Self {
            pool,
            gateway,
            outbox,
            wake: Arc::default(),
        }
    }

    pub fn gateway(&self) -> &Arc<dyn PaymentGateway> {
        &self.gateway
    }

    /// Something became due: look now rather than at the next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs the processor until the process ends.
    pub fn spawn(&self) {
        let processor = self.clone();
        tokio::spawn(async move {
            loop {
                match store::due(&processor.pool, BATCH_SIZE).await {
                    Ok(due) => {
                        let full = due.len() as i64 == BATCH_SIZE;
                        futures::stream::iter(due)
                            .for_each_concurrent(CONCURRENCY, |order_id| {
                                let processor = processor.clone();
                                async move {
                                    if let Err(error) = processor.drive(order_id).await {
                                        tracing::warn!(%order_id, %error, "payment: will retry");
                                    }
                                }
                            })
                            .await;
                        if full {
                            continue;
                        }
                    }
                    Err(error) => tracing::warn!(%error, "payments processor: will retry"),
                }
                tokio::select! {
                    () = processor.wake.notified() => {}
                    () = tokio::time::sleep(POLL_INTERVAL) => {}
                }
            }
        });
    }

    /// Drives one payment as far as it goes now.
    pub async fn drive(&self, order_id: Uuid) -> Result<Drive, ProcessError> {
        let mut connection = self.pool.acquire().await?;
        if !store::try_lock(&mut connection, order_id).await? {
            return Ok(Drive::Busy);
        }
        let result = self.drive_locked(&mut connection, order_id).await;
        if store::unlock(&mut connection, order_id).await.is_err() {
            // Never hand a connection that may still hold the lock back to the pool.
            drop(connection.detach());
        }
        result
    }

    async fn drive_locked(
        &self,
        connection: &mut PgConnection,
        order_id: Uuid,
    ) -> Result<Drive, ProcessError> {
        // The database's clock, like `next_attempt_at`'s.
        let started: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT now()")
            .fetch_one(&mut *connection)
            .await?;
        for _ in 0..MAX_STEPS {
            let Some(stored) = store::find(&mut *connection, order_id).await? else {
                return Ok(Drive::Unknown);
            };
            let refunds = store::refunds(&mut *connection, order_id).await?;
            let in_doubt = stored.in_doubt.as_deref() == Some("authorize");
            let mut pending = store::pending(&refunds);
            // `in_doubt` names one call: the refund it names is settled before another is sent.
            if let Some(key) = stored
                .in_doubt
                .as_deref()
                .and_then(|op| op.strip_prefix("refund:"))
                && let Some(position) = pending.iter().position(|refund| refund.key == key)
            {
                pending[..=position].rotate_right(1);
            }
            let action = next_action(&stored.payment, &pending, in_doubt);
            // A cancellation refund the provider refused is not asked for again and again.
            let refused_before = |key: &str| {
                refunds
                    .iter()
                    .any(|refund| refund.key == key && refund.status == "failed")
            };
            let action = action.filter(|action| {
                !matches!(action, Action::Refund(refund)
                    if refund.key == CANCELLATION_REFUND_KEY && refused_before(&refund.key))
            });
            let Some(action) = action else {
                store::settle(&mut *connection, order_id, started).await?;
                return Ok(Drive::Settled);
            };
            tracing::debug!(%order_id, ?action, status = stored.payment.status.as_str(), "payment step");
            match self.step(connection, &stored, action).await? {
                Step::Done => self.outbox.committed(),
                Step::Unavailable(error) => {
                    let delay = backoff_seconds(stored.attempts);
                    tracing::warn!(%order_id, %error, delay, "the provider did not answer; will retry");
                    store::retry_later(&mut *connection, order_id, &error, delay).await?;
                    return Ok(Drive::WillRetry);
                }
            }
        }
        tracing::error!(%order_id, "payment did not settle within {MAX_STEPS} steps");
        Ok(Drive::WillRetry)
    }

    async fn step(
        &self,
        connection: &mut PgConnection,
        stored: &StoredPayment,
        action: Action,
    ) -> Result<Step, ProcessError> {
        let payment = &stored.payment;
        match action {
            Action::Abandon => {
                let mut tx = begin(connection).await?;
                store::record_abandoned(&mut tx, payment.order_id).await?;
                tx.commit().await?;
                Ok(Step::Done)
            }
            Action::FailWithoutPaymentMethod => {
                record_failure(
                    connection,
                    payment,
                    None,
                    None,
                    "the order names no payment method",
                )
                .await
            }
            Action::Authorize => self.authorize(connection, stored).await,
            Action::Capture | Action::Void => {
                let Some(provider_id) = payment.provider_payment_id.clone() else {
                    return Err(StoreError::Corrupt(format!(
                        "authorized payment of order {} has no provider id",
                        payment.order_id
                    ))
                    .into());
                };
                let key = payment.operation_key(if action == Action::Capture {
                    "capture"
                } else {
                    "void"
                });
                let answer = if action == Action::Capture {
                    self.gateway.capture(&provider_id, &key).await
                } else {
                    self.gateway.void(&provider_id, &key).await
                };
                let answer = match answer {
                    // Refused: most likely already done (a lost answer, a second worker
                    // before a restart); the provider's state says.
                    Err(ProviderError::Refused { .. } | ProviderError::Declined { .. }) => {
                        self.gateway.payment(&provider_id).await
                    }
                    other => other,
                };
                match answer {
                    Ok(provider) => record_provider_state(connection, payment, &provider).await,
                    Err(error) => Ok(Step::Unavailable(error.to_string())),
                }
            }
            Action::Refund(refund) => self.refund(connection, stored, &refund).await,
        }
    }

    async fn authorize(
        &self,
        connection: &mut PgConnection,
        stored: &StoredPayment,
    ) -> Result<Step, ProcessError> {
        let payment = &stored.payment;
        let Some(payment_method) = payment.payment_method.clone() else {
            return record_failure(
                connection,
                payment,
                None,
                None,
                "the order names no payment method",
            )
            .await;
        };
        let earlier = if stored.in_doubt.as_deref() == Some("authorize") {
            match self.gateway.find_payment(payment.order_id).await {
                Ok(found) => found,
                Err(error) => return Ok(Step::Unavailable(error.to_string())),
            }
        } else {
            None
        };
        let answer = match earlier {
            Some(found) => {
                tracing::info!(order_id = %payment.order_id, provider_id = %found.id, "an earlier authorization reached the provider; adopting it");
                Ok(found)
            }
            // Settled: no earlier attempt reached the provider, and the order no longer wants
            // to be paid.
            None if payment.order_outcome == OrderOutcome::Cancelled => {
                let mut tx = begin(connection).await?;
                store::record_abandoned(&mut tx, payment.order_id).await?;
                tx.commit().await?;
                return Ok(Step::Done);
            }
            None => {
                store::mark_in_doubt(&mut *connection, payment.order_id, "authorize").await?;
                self.gateway
                    .authorize(&AuthorizationRequest {
                        order_id: payment.order_id,
                        amount_minor: payment.amount_minor,
                        currency: payment.currency.clone(),
                        payment_method,
                        idempotency_key: payment.operation_key("authorize"),
                    })
                    .await
            }
        };
        match answer {
            Ok(provider) => match &provider.state {
                ProviderPaymentState::Authorized | ProviderPaymentState::Captured => {
                    let mut tx = begin(connection).await?;
                    store::record_authorized(&mut tx, payment, &provider.id).await?;
                    events::record(
                        &mut tx,
                        format!("{}:authorized", payment.order_id),
                        &PaymentAuthorized {
                            order_id: payment.order_id,
                            amount_minor: payment.amount_minor,
                            currency: payment.currency.clone(),
                            provider_payment_id: provider.id.clone(),
                        },
                    )
                    .await?;
                    tx.commit().await?;
                    Ok(Step::Done)
                }
                ProviderPaymentState::Failed { code, message } => {
                    record_failure(
                        connection,
                        payment,
                        Some(&provider.id),
                        code.as_deref(),
                        message,
                    )
                    .await
                }
                ProviderPaymentState::Canceled => {
                    record_failure(
                        connection,
                        payment,
                        Some(&provider.id),
                        None,
                        "the payment was cancelled at the provider",
                    )
                    .await
                }
                ProviderPaymentState::Pending(state) => {
                    let reason =
                        format!("the payment needs {state}, which this checkout cannot complete");
                    record_failure(connection, payment, Some(&provider.id), None, &reason).await
                }
            },
            Err(ProviderError::Declined {
                code,
                message,
                payment_id,
            }) => {
                record_failure(
                    connection,
                    payment,
                    payment_id.as_deref(),
                    code.as_deref(),
                    &message,
                )
                .await
            }
            Err(ProviderError::NotFound(_)) => {
                record_failure(
                    connection,
                    payment,
                    None,
                    Some("resource_missing"),
                    "the payment method is unknown to the provider",
                )
                .await
            }
            Err(ProviderError::Refused { status, message }) => {
                tracing::error!(order_id = %payment.order_id, status, %message, "the provider refused the authorization request");
                record_failure(connection, payment, None, None, &message).await
            }
            Err(error @ ProviderError::Unavailable(_)) => Ok(Step::Unavailable(error.to_string())),
        }
    }

    async fn refund(
        &self,
        connection: &mut PgConnection,
        stored: &StoredPayment,
        refund: &PendingRefund,
    ) -> Result<Step, ProcessError> {
        let payment = &stored.payment;
        let Some(provider_id) = payment.provider_payment_id.clone() else {
            return Err(StoreError::Corrupt(format!(
                "captured payment of order {} has no provider id",
                payment.order_id
            ))
            .into());
        };
        let operation = format!("refund:{}", refund.key);
        let refund_key = payment.operation_key(&operation);
        let earlier = if stored.in_doubt.as_deref() == Some(operation.as_str()) {
            match self.gateway.find_refund(&provider_id, &refund_key).await {
                Ok(found) => found,
                Err(error) => return Ok(Step::Unavailable(error.to_string())),
            }
        } else {
            None
        };
        let answer = match earlier {
            Some(found) => Ok(found),
            None => {
                // On record before it is sent (the cancellation refund has no row until then),
                // in one transaction with the doubt: a refund that may be under way counts
                // against what is left to refund, and keeps its amount on the next attempt.
                let mut tx = begin(connection).await?;
                store::mark_in_doubt(&mut *tx, payment.order_id, &operation).await?;
                store::ensure_refund(&mut tx, payment.order_id, refund, "order-cancelled").await?;
                tx.commit().await?;
                self.gateway
                    .refund(
                        payment.order_id,
                        &provider_id,
                        refund.amount_minor,
                        &refund_key,
                    )
                    .await
            }
        };
        match answer {
            Ok(provider_refund) => {
                let mut tx = begin(connection).await?;
                let total = store::record_refunded(
                    &mut tx,
                    payment,
                    refund,
                    &provider_refund.id,
                    provider_refund.amount_minor,
                )
                .await?;
                events::record(
                    &mut tx,
                    format!("{}:{operation}", payment.order_id),
                    &PaymentRefunded {
                        order_id: payment.order_id,
                        amount_minor: provider_refund.amount_minor,
                        total_refunded_minor: total,
                        currency: payment.currency.clone(),
                        reason: refund.reason.clone(),
                        provider_refund_id: provider_refund.id.clone(),
                    },
                )
                .await?;
                tx.commit().await?;
                Ok(Step::Done)
            }
            Err(error @ ProviderError::Unavailable(_)) => Ok(Step::Unavailable(error.to_string())),
            Err(error) => {
                tracing::error!(order_id = %payment.order_id, %error, key = %refund.key, "the provider refused the refund");
                let mut tx = begin(connection).await?;
                store::record_refund_failed(&mut tx, payment.order_id, refund, &error.to_string())
                    .await?;
                tx.commit().await?;
                Ok(Step::Done)
            }
        }
    }
}

async fn begin(
    connection: &mut PgConnection,
) -> Result<sqlx::Transaction<'_, sqlx::Postgres>, ProcessError> {
    use sqlx::Acquire;
    Ok(connection.begin().await?)
}

async fn record_failure(
    connection: &mut PgConnection,
    payment: &Payment,
    provider_id: Option<&str>,
    code: Option<&str>,
    reason: &str,
) -> Result<Step, ProcessError> {
    let mut tx = begin(connection).await?;
    store::record_failed(&mut tx, payment.order_id, provider_id, code, reason).await?;
    events::record(
        &mut tx,
        format!("{}:failed", payment.order_id),
        &PaymentFailed {
            order_id: payment.order_id,
            reason: reason.to_owned(),
            code: code.map(str::to_owned),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Step::Done)
}

/// Records what the provider says an authorized payment has become (after a capture or a void).
async fn record_provider_state(
    connection: &mut PgConnection,
    payment: &Payment,
    provider: &ProviderPayment,
) -> Result<Step, ProcessError> {
    let mut tx = begin(connection).await?;
    match provider.state {
        ProviderPaymentState::Captured => {
            store::record_captured(
                &mut tx,
                payment,
                &provider.id,
                provider.amount_received_minor,
            )
            .await?;
            events::record(
                &mut tx,
                format!("{}:captured", payment.order_id),
                &PaymentCaptured {
                    order_id: payment.order_id,
                    amount_minor: provider.amount_received_minor,
                    currency: payment.currency.clone(),
                },
            )
            .await?;
        }
        ProviderPaymentState::Canceled => {
            store::record_voided(&mut tx, payment, &provider.id).await?;
            events::record(
                &mut tx,
                format!("{}:voided", payment.order_id),
                &PaymentVoided {
                    order_id: payment.order_id,
                    amount_minor: payment.amount_minor,
                    currency: payment.currency.clone(),
                },
            )
            .await?;
        }
        ref other => {
            return Ok(Step::Unavailable(format!(
                "the provider reports the payment as {other:?}, not done yet"
            )));
        }
    }
    tx.commit().await?;
    Ok(Step::Done)
}

/// 1 s, 2 s, 4 s … up to 20 s.
fn backoff_seconds(attempts: i32) -> f64 {
    2f64.powi(attempts.clamp(0, 10)).min(MAX_BACKOFF_SECONDS)
}
