//! The `idempotency_keys` table: which order a customer's Idempotency-Key placed, and the
//! request it came with, so a retry gets that order back and a different request under the same
//! key is recognised as one.

use service_runtime::IdempotencyKey;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Clone)]
pub struct IdempotencyKeys {
    pool: PgPool,
}

/// What claiming a key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: it now names the order id offered.
    Claimed(Uuid),
    /// An earlier request with this key and the same body chose this order id.
    Retry(Uuid),
    /// The key was used with a different request body.
    OtherRequest,
}

impl IdempotencyKeys {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Claims `key` of `customer_id` for `order_id`, unless an earlier request has it.
    pub async fn claim(
        &self,
        customer_id: Uuid,
        key: &IdempotencyKey,
        request_body: &str,
        order_id: Uuid,
    ) -> Result<Claim, sqlx::Error> {
        let claimed = sqlx::query_scalar!(
            "INSERT INTO idempotency_keys (customer_id, key, request_body, order_id)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING order_id",
            customer_id,
            key.as_str(),
            request_body,
            order_id
        )
        .fetch_optional(&self.pool)
        .await?;
        if let Some(order_id) = claimed {
            return Ok(Claim::Claimed(order_id));
        }
        let existing = sqlx::query!(
            "SELECT request_body, order_id FROM idempotency_keys WHERE customer_id = $1 AND key = $2",
            customer_id,
            key.as_str()
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(if existing.request_body == request_body {
            Claim::Retry(existing.order_id)
        } else {
            Claim::OtherRequest
        })
    }
}
