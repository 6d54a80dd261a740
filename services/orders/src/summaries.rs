//! The query model: one row per order in `order_summaries`, for the lists ("my orders", the
//! admin list) that a per-order actor cannot answer. Written by `OrderActor` from the same
//! view it keeps, so both read models are the same fold of the same events.

use chrono::{DateTime, Utc};
use salvo::oapi::ToSchema;
use serde::Serialize;
use service_runtime::PageCursor;
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::{OrderStatus, OrderView};

#[derive(Clone)]
pub struct OrderSummaries {
    pool: PgPool,
}

/// One row of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    // Written from `OrderStatus::as_str`, so always one of its values.
    #[salvo(schema(value_type = OrderStatus))]
    pub status: String,
    pub currency: String,
    pub total_minor: i64,
    pub line_count: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// Views as columns, for one multi-row statement.
#[derive(Default)]
struct SummaryColumns {
    order_id: Vec<Uuid>,
    customer_id: Vec<Uuid>,
    status: Vec<String>,
    currency: Vec<String>,
    total_minor: Vec<i64>,
    line_count: Vec<i32>,
    cancellation_reason: Vec<Option<String>>,
    placed_at: Vec<DateTime<Utc>>,
    updated_at: Vec<DateTime<Utc>>,
    version: Vec<i64>,
}

impl SummaryColumns {
    fn push(&mut self, view: &OrderView) {
        self.order_id.push(view.order_id);
        self.customer_id.push(view.customer_id);
        self.status.push(view.status.as_str().to_owned());
        self.currency.push(view.currency.clone());
        self.total_minor.push(view.total_minor);
        self.line_count.push(view.lines.len() as i32);
        self.cancellation_reason
            .push(view.cancellation_reason.clone());
        self.placed_at.push(view.placed_at);
        self.updated_at.push(view.updated_at);
        self.version.push(view.version as i64);
    }
}

pub struct ListFilter {
    pub customer_id: Option<Uuid>,
    pub status: Option<OrderStatus>,
    pub after: Option<PageCursor>,
    pub limit: i64,
}

impl OrderSummaries {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Writes the view unless the row already reflects a later (or the same) version: a late or
    /// repeated update never moves a row backwards.
    pub async fn upsert(&self, view: &OrderView) -> Result<(), sqlx::Error> {
        Self::upsert_in(&self.pool, view).await
    }

    /// `upsert` on `executor`: a pool, or the transaction that publishes the view's events.
    pub async fn upsert_in<'e>(
        executor: impl sqlx::PgExecutor<'e>,
        view: &OrderView,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "INSERT INTO order_summaries
                 (order_id, customer_id, status, currency, total_minor, line_count,
                  cancellation_reason, placed_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (order_id) DO UPDATE SET
                 customer_id = EXCLUDED.customer_id, status = EXCLUDED.status,
                 currency = EXCLUDED.currency, total_minor = EXCLUDED.total_minor,
                 line_count = EXCLUDED.line_count, cancellation_reason = EXCLUDED.cancellation_reason,
                 placed_at = EXCLUDED.placed_at, updated_at = EXCLUDED.updated_at,
                 version = EXCLUDED.version
             WHERE order_summaries.version < EXCLUDED.version",
            view.order_id,
            view.customer_id,
            view.status.as_str(),
            view.currency,
            view.total_minor,
            view.lines.len() as i32,
            view.cancellation_reason,
            view.placed_at,
            view.updated_at,
            view.version as i64,
        )
        .execute(executor)
        .await?;
        Ok(())
    }

    /// Writes the views whatever their rows hold (a replay rebuilding the table), in one
    /// statement.
    pub async fn overwrite_all(&self, views: &[OrderView]) -> Result<(), sqlx::Error> {
        let mut columns = SummaryColumns::default();
        for view in views {
            columns.push(view);
        }
        sqlx::query!(
            "INSERT INTO order_summaries
                 (order_id, customer_id, status, currency, total_minor, line_count,
                  cancellation_reason, placed_at, updated_at, version)
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bigint[],
                                  $6::int[], $7::text[], $8::timestamptz[], $9::timestamptz[],
                                  $10::bigint[])
             ON CONFLICT (order_id) DO UPDATE SET
                 customer_id = EXCLUDED.customer_id, status = EXCLUDED.status,
                 currency = EXCLUDED.currency, total_minor = EXCLUDED.total_minor,
                 line_count = EXCLUDED.line_count, cancellation_reason = EXCLUDED.cancellation_reason,
                 placed_at = EXCLUDED.placed_at, updated_at = EXCLUDED.updated_at,
                 version = EXCLUDED.version",
            &columns.order_id,
            &columns.customer_id,
            &columns.status,
            &columns.currency,
            &columns.total_minor,
            &columns.line_count,
            &columns.cancellation_reason as &[Option<String>],
            &columns.placed_at,
            &columns.updated_at,
            &columns.version,
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Empties the table, so that what it holds afterwards comes from a replay alone.
    pub async fn clear(&self) -> Result<(), sqlx::Error> {
        sqlx::query!("TRUNCATE order_summaries")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Newest first, `limit` rows after `after`.
    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<OrderSummary>, sqlx::Error> {
        sqlx::query_as!(
            OrderSummary,
            r#"SELECT order_id, customer_id, status, currency, total_minor, line_count,
                      cancellation_reason, placed_at, updated_at, version
               FROM order_summaries
               WHERE ($1::uuid IS NULL OR customer_id = $1)
                 AND ($2::text IS NULL OR status = $2)
                 AND ($3::timestamptz IS NULL OR (placed_at, order_id) < ($3, $4))
               ORDER BY placed_at DESC, order_id DESC
               LIMIT $5"#,
            filter.customer_id,
            filter.status.map(OrderStatus::as_str),
            filter.after.map(|c| c.at),
            filter.after.map(|c| c.id),
            filter.limit,
        )
        .fetch_all(&self.pool)
        .await
    }
}
