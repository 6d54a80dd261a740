//! All of payments' SQL. Each `record_*` runs inside the caller's transaction, which also
//! writes the ledger entry and the outbox row of the change: one commit, all or nothing.

use chrono::{DateTime, Utc};
use contracts::payment::PaymentMethodId;
use service_runtime::PageCursor;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::domain::{OrderOutcome, Payment, PaymentStatus, PendingRefund};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("a stored row breaks the schema's rules: {0}")]
    Corrupt(String),
}

/// A payment as stored, with the processor's bookkeeping.
#[derive(Debug, Clone)]
pub struct StoredPayment {
    pub payment: Payment,
    pub authorized_minor: i64,
    pub failure_code: Option<String>,
    pub failure_reason: Option<String>,
    pub in_doubt: Option<String>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

struct PaymentRow {
    order_id: Uuid,
    customer_id: Uuid,
    amount_minor: i64,
    currency: String,
    payment_method_id: Option<String>,
    status: String,
    order_outcome: String,
    provider_payment_id: Option<String>,
    authorized_minor: i64,
    captured_minor: i64,
    refunded_minor: i64,
    failure_code: Option<String>,
    failure_reason: Option<String>,
    in_doubt: Option<String>,
    attempts: i32,
    last_error: Option<String>,
    next_attempt_at: Option<DateTime<Utc>>,
    requested_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<PaymentRow> for StoredPayment {
    type Error = StoreError;

    fn try_from(row: PaymentRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("{what} of order {}", row.order_id));
        Ok(Self {
            payment: Payment {
                order_id: row.order_id,
                customer_id: row.customer_id,
                amount_minor: row.amount_minor,
                currency: row.currency.clone(),
                payment_method: row
                    .payment_method_id
                    .as_deref()
                    .map(PaymentMethodId::parse)
                    .transpose()
                    .map_err(|_| corrupt("payment method"))?,
                status: PaymentStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
                order_outcome: OrderOutcome::parse(&row.order_outcome)
                    .ok_or_else(|| corrupt("order outcome"))?,
                provider_payment_id: row.provider_payment_id,
                captured_minor: row.captured_minor,
                refunded_minor: row.refunded_minor,
            },
            authorized_minor: row.authorized_minor,
            failure_code: row.failure_code,
            failure_reason: row.failure_reason,
            in_doubt: row.in_doubt,
            attempts: row.attempts,
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at,
            requested_at: row.requested_at,
            updated_at: row.updated_at,
        })
    }
}

/// Records an order's request to be paid, due for the processor at once. A request already
/// recorded (a redelivery) changes nothing: false.
pub async fn insert_requested(
    connection: &mut PgConnection,
    order_id: Uuid,
    customer_id: Uuid,
    amount_minor: i64,
    currency: &str,
    payment_method: Option<&PaymentMethodId>,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query!(
        "INSERT INTO payments (order_id, customer_id, amount_minor, currency, payment_method_id,
                               status, order_outcome, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, 'authorizing',
                 CASE WHEN EXISTS (SELECT 1 FROM cancelled_orders WHERE order_id = $1)
                      THEN 'cancelled' ELSE 'open' END,
                 now())
         ON CONFLICT (order_id) DO NOTHING",
        order_id,
        customer_id,
        amount_minor,
        currency,
        payment_method.map(PaymentMethodId::as_str),
    )
    .execute(connection)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Moves what the order wants forward: open → confirmed or cancelled, confirmed → cancelled
/// (a customer cancelling before shipping). Never back, so a late or repeated event changes
/// nothing (false). Makes the payment due for the processor.
pub async fn set_order_outcome(
    connection: &mut PgConnection,
    order_id: Uuid,
    outcome: OrderOutcome,
) -> Result<bool, StoreError> {
    if outcome == OrderOutcome::Cancelled {
        sqlx::query!(
            "INSERT INTO cancelled_orders (order_id) VALUES ($1) ON CONFLICT DO NOTHING",
            order_id
        )
        .execute(&mut *connection)
        .await?;
    }
    let updated = sqlx::query!(
        "UPDATE payments SET order_outcome = $2, next_attempt_at = now(), updated_at = now()
         WHERE order_id = $1
           AND (order_outcome = 'open' OR (order_outcome = 'confirmed' AND $2 = 'cancelled'))
           AND order_outcome <> $2",
        order_id,
        outcome.as_str(),
    )
    .execute(connection)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub async fn find<'e>(
    executor: impl PgExecutor<'e>,
    order_id: Uuid,
) -> Result<Option<StoredPayment>, StoreError> {
    sqlx::query_as!(
        PaymentRow,
        "SELECT * FROM payments WHERE order_id = $1",
        order_id
    )
    .fetch_optional(executor)
    .await?
    .map(StoredPayment::try_from)
    .transpose()
}

/// The newest payments first, optionally of one status and/or one customer, after `after`
/// (keyset: the time and order id of the last row of the page before).
pub async fn list<'e>(
    executor: impl PgExecutor<'e>,
    status: Option<PaymentStatus>,
    customer_id: Option<Uuid>,
    after: Option<PageCursor>,
    limit: i64,
) -> Result<Vec<StoredPayment>, StoreError> {
    sqlx::query_as!(
        PaymentRow,
        "SELECT * FROM payments
         WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR customer_id = $2)
           AND ($3::timestamptz IS NULL OR (requested_at, order_id) < ($3, $4))
         ORDER BY requested_at DESC, order_id DESC LIMIT $5",
        status.map(PaymentStatus::as_str),
        customer_id,
        after.map(|cursor| cursor.at),
        after.map(|cursor| cursor.id),
        limit,
    )
    .fetch_all(executor)
    .await?
    .into_iter()
    .map(StoredPayment::try_from)
    .collect()
}

/// Payments the processor should look at now.
pub async fn due<'e>(executor: impl PgExecutor<'e>, limit: i64) -> Result<Vec<Uuid>, StoreError> {
    Ok(sqlx::query_scalar!(
        "SELECT order_id FROM payments WHERE next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1",
        limit
    )
    .fetch_all(executor)
    .await?)
}

/// Makes a payment due now (an event or a webhook changed what it should do).
pub async fn make_due<'e>(executor: impl PgExecutor<'e>, order_id: Uuid) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE payments SET next_attempt_at = now() WHERE order_id = $1",
        order_id
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// Nothing left to do, unless something made the payment due after `since` (then it stays due).
pub async fn settle<'e>(
    executor: impl PgExecutor<'e>,
    order_id: Uuid,
    since: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE payments SET next_attempt_at = NULL, attempts = 0, last_error = NULL
         WHERE order_id = $1 AND next_attempt_at <= $2",
        order_id,
        since
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// The provider did not answer: try again after `delay_seconds`.
pub async fn retry_later<'e>(
    executor: impl PgExecutor<'e>,
    order_id: Uuid,
    error: &str,
    delay_seconds: f64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE payments SET attempts = attempts + 1, last_error = $2,
                next_attempt_at = now() + make_interval(secs => $3)
         WHERE order_id = $1",
        order_id,
        error,
        delay_seconds
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// Marks a call as sent before sending it: if its answer is never recorded, the next attempt
/// asks the provider what happened instead of sending it again.
pub async fn mark_in_doubt<'e>(
    executor: impl PgExecutor<'e>,
    order_id: Uuid,
    operation: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE payments SET in_doubt = $2 WHERE order_id = $1",
        order_id,
        operation
    )
    .execute(executor)
    .await?;
    Ok(())
}

/// One ledger entry; a second entry for the same operation is refused by its key (false).
#[allow(clippy::too_many_arguments)]
async fn ledger_entry(
    connection: &mut PgConnection,
    order_id: Uuid,
    operation: &str,
    amount_minor: i64,
    currency: &str,
    provider_id: &str,
    idempotency_key: &str,
    reason: Option<&str>,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query!(
        "INSERT INTO payment_ledger (order_id, operation, amount_minor, currency, provider_id,
                                     idempotency_key, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING",
        order_id,
        operation,
        amount_minor,
        currency,
        provider_id,
        idempotency_key,
        reason,
    )
    .execute(connection)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

pub async fn record_authorized(
    connection: &mut PgConnection,
    payment: &Payment,
    provider_payment_id: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE payments SET status = 'authorized', provider_payment_id = $2,
                authorized_minor = amount_minor, in_doubt = NULL, updated_at = now()
         WHERE order_id = $1",
        payment.order_id,
        provider_payment_id
    )
    .execute(&mut *connection)
    .await?;
    ledger_entry(
        connection,
        payment.order_id,
        "authorize",
        payment.amount_minor,
        &payment.currency,
        provider_payment_id,
        &payment.operation_key("authorize"),
        None,
    )
    .await?;
    Ok(())
}

pub async fn record_failed(
    connection: &mut PgConnection,
    order_id: Uuid,
    provider_payment_id: Option<&str>,
    code: Option<&str>,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE payments SET status = 'failed', provider_payment_id = COALESCE($2, provider_payment_id),
                failure_code = $3, failure_reason = $4, in_doubt = NULL, updated_at = now()
         WHERE order_id = $1",
        order_id,
        provider_payment_id,
        code,
        reason
    )
    .execute(connection)
    .await?;
    Ok(())
}

pub async fn record_abandoned(
    connection: &mut PgConnection,
    order_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE payments SET status = 'abandoned', in_doubt = NULL, updated_at = now()
         WHERE order_id = $1",
        order_id
    )
    .execute(connection)
    .await?;
    Ok(())
}

pub async fn record_captured(
    connection: &mut PgConnection,
    payment: &Payment,
    provider_payment_id: &str,
    amount_minor: i64,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE payments SET status = 'captured', captured_minor = $2, updated_at = now()
         WHERE order_id = $1",
        payment.order_id,
        amount_minor
    )
    .execute(&mut *connection)
    .await?;
    ledger_entry(
        connection,
        payment.order_id,
        "capture",
        amount_minor,
        &payment.currency,
        provider_payment_id,
        &payment.operation_key("capture"),
        None,
    )
    .await?;
    Ok(())
}

pub async fn record_voided(
    connection: &mut PgConnection,
    payment: &Payment,
    provider_payment_id: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE payments SET status = 'voided', updated_at = now() WHERE order_id = $1",
        payment.order_id
    )
    .execute(&mut *connection)
    .await?;
    ledger_entry(
        connection,
        payment.order_id,
        "void",
        payment.amount_minor,
        &payment.currency,
        provider_payment_id,
        &payment.operation_key("void"),
        None,
    )
    .await?;
    Ok(())
}

/// Records a refund the provider made; answers the order's refunded total afterwards.
pub async fn record_refunded(
    connection: &mut PgConnection,
    payment: &Payment,
    refund: &PendingRefund,
    provider_refund_id: &str,
    amount_minor: i64,
) -> Result<i64, StoreError> {
    // The cancellation refund is not asked for by anyone: its row is made here.
    ensure_refund(connection, payment.order_id, refund, "order-cancelled").await?;
    sqlx::query!(
        "UPDATE refunds SET status = 'succeeded', provider_refund_id = $2, completed_at = now()
         WHERE refund_key = $1",
        refund_row_key(payment.order_id, &refund.key),
        provider_refund_id
    )
    .execute(&mut *connection)
    .await?;
    let refunded = sqlx::query_scalar!(
        "UPDATE payments SET refunded_minor = refunded_minor + $2,
                status = CASE WHEN refunded_minor + $2 >= captured_minor
                              THEN 'refunded' ELSE 'partially-refunded' END,
                in_doubt = NULL, updated_at = now()
         WHERE order_id = $1 RETURNING refunded_minor",
        payment.order_id,
        amount_minor
    )
    .fetch_one(&mut *connection)
    .await?;
    ledger_entry(
        connection,
        payment.order_id,
        "refund",
        amount_minor,
        &payment.currency,
        provider_refund_id,
        &payment.operation_key(&format!("refund:{}", refund.key)),
        Some(&refund.reason),
    )
    .await?;
    Ok(refunded)
}

pub async fn record_refund_failed(
    connection: &mut PgConnection,
    order_id: Uuid,
    refund: &PendingRefund,
    reason: &str,
) -> Result<(), StoreError> {
    ensure_refund(connection, order_id, refund, "order-cancelled").await?;
    sqlx::query!(
        "UPDATE refunds SET status = 'failed', failure_reason = $2, completed_at = now()
         WHERE refund_key = $1",
        refund_row_key(order_id, &refund.key),
        reason
    )
    .execute(&mut *connection)
    .await?;
    sqlx::query!(
        "UPDATE payments SET in_doubt = NULL WHERE order_id = $1",
        order_id
    )
    .execute(connection)
    .await?;
    Ok(())
}

/// Refund keys are unique per order; the table's key includes the order.
fn refund_row_key(order_id: Uuid, key: &str) -> String {
    format!("{order_id}:{key}")
}

/// Puts a refund on record if it is not (the cancellation refund, which nobody asks for).
pub async fn ensure_refund(
    connection: &mut PgConnection,
    order_id: Uuid,
    refund: &PendingRefund,
    requested_by: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO refunds (refund_key, order_id, amount_minor, reason, requested_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (refund_key) DO NOTHING",
        refund_row_key(order_id, &refund.key),
        order_id,
        refund.amount_minor,
        refund.reason,
        requested_by
    )
    .execute(connection)
    .await?;
    Ok(())
}

/// A refund as stored.
#[derive(Debug, Clone)]
pub struct StoredRefund {
    pub key: String,
    pub amount_minor: i64,
    pub reason: String,
    pub requested_by: String,
    pub status: String,
    pub provider_refund_id: Option<String>,
    pub failure_reason: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// Asks for a refund. Answers the refund under that key if there already is one (nothing new
/// is asked for then), with `true` when this call created it.
pub async fn request_refund(
    connection: &mut PgConnection,
    order_id: Uuid,
    refund: &PendingRefund,
    requested_by: &str,
) -> Result<(StoredRefund, bool), StoreError> {
    let created = sqlx::query!(
        "INSERT INTO refunds (refund_key, order_id, amount_minor, reason, requested_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (refund_key) DO NOTHING",
        refund_row_key(order_id, &refund.key),
        order_id,
        refund.amount_minor,
        refund.reason,
        requested_by
    )
    .execute(&mut *connection)
    .await?
    .rows_affected()
        == 1;
    let stored = refund_by_key(&mut *connection, order_id, &refund.key)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("refund {} vanished", refund.key)))?;
    Ok((stored, created))
}

/// The refund columns as [`StoredRefund`]: the key without its order prefix (a UUID and `:`,
/// 37 characters; see `refund_row_key`).
macro_rules! select_refunds {
    ($condition:literal, $($arg:expr),*) => {
        sqlx::query_as!(
            StoredRefund,
            r#"SELECT substr(refund_key, 38) AS "key!", amount_minor, reason, requested_by, status,
                      provider_refund_id, failure_reason, requested_at, completed_at
               FROM refunds WHERE "# + $condition,
            $($arg),*
        )
    };
}

pub async fn refund_by_key<'e>(
    executor: impl PgExecutor<'e>,
    order_id: Uuid,
    key: &str,
) -> Result<Option<StoredRefund>, StoreError> {
    Ok(
        select_refunds!("refund_key = $1", refund_row_key(order_id, key))
            .fetch_optional(executor)
            .await?,
    )
}

pub async fn refunds<'e>(
    executor: impl PgExecutor<'e>,
    order_id: Uuid,
) -> Result<Vec<StoredRefund>, StoreError> {
    Ok(
        select_refunds!("order_id = $1 ORDER BY requested_at, refund_key", order_id)
            .fetch_all(executor)
            .await?,
    )
}

pub fn pending(refunds: &[StoredRefund]) -> Vec<PendingRefund> {
    refunds
        .iter()
        .filter(|refund| refund.status == "pending")
        .map(|refund| PendingRefund {
            key: refund.key.clone(),
            amount_minor: refund.amount_minor,
            reason: refund.reason.clone(),
        })
        .collect()
}

/// One ledger entry, as read back.
#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub operation: String,
    pub amount_minor: i64,
    pub currency: String,
    pub provider_id: String,
    pub idempotency_key: String,
    pub reason: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

pub async fn ledger<'e>(
    executor: impl PgExecutor<'e>,
    order_id: Uuid,
) -> Result<Vec<LedgerEntry>, StoreError> {
    Ok(sqlx::query_as!(
        LedgerEntry,
        "SELECT operation, amount_minor, currency, provider_id, idempotency_key, reason, recorded_at
         FROM payment_ledger WHERE order_id = $1 ORDER BY entry_id",
        order_id
    )
    .fetch_all(executor)
    .await?)
}

/// Remembers a provider webhook by its event id; false if it was seen before.
pub async fn record_webhook<'e>(
    executor: impl PgExecutor<'e>,
    event_id: &str,
    event_type: &str,
    order_id: Option<Uuid>,
) -> Result<bool, StoreError> {
    Ok(sqlx::query!(
        "INSERT INTO webhook_events (event_id, event_type, order_id) VALUES ($1, $2, $3)
         ON CONFLICT (event_id) DO NOTHING",
        event_id,
        event_type,
        order_id
    )
    .execute(executor)
    .await?
    .rows_affected()
        == 1)
}

/// The order a provider payment belongs to.
pub async fn order_of_provider_payment<'e>(
    executor: impl PgExecutor<'e>,
    provider_payment_id: &str,
) -> Result<Option<Uuid>, StoreError> {
    Ok(sqlx::query_scalar!(
        "SELECT order_id FROM payments WHERE provider_payment_id = $1",
        provider_payment_id
    )
    .fetch_optional(executor)
    .await?)
}

/// Holds the processor's lock on one payment for as long as `connection` holds it (a session
/// advisory lock: it survives the transactions in between and dies with the connection, so a
/// crashed process leaves nothing locked). False if another worker holds it.
pub async fn try_lock(connection: &mut PgConnection, order_id: Uuid) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar!("SELECT pg_try_advisory_lock($1)", lock_key(order_id))
            .fetch_one(connection)
            .await?
            .unwrap_or(false),
    )
}

pub async fn unlock(connection: &mut PgConnection, order_id: Uuid) -> Result<(), StoreError> {
    sqlx::query_scalar!("SELECT pg_advisory_unlock($1)", lock_key(order_id))
        .fetch_one(connection)
        .await?;
    Ok(())
}

/// The lock's number: the order id's last 64 bits, random in v4 and v7 ids alike (a v7 id
/// starts with its timestamp, so its first bits would collide between orders of one moment).
fn lock_key(order_id: Uuid) -> i64 {
    let bytes = order_id.as_bytes();
    let mut tail = [0u8; 8];
    tail.copy_from_slice(&bytes[8..]);
    i64::from_be_bytes(tail)
}
