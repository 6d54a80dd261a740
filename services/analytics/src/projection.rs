//! Writes a batch's [`Changes`] into the projection tables, one statement per table (UNNEST of
//! the batch's rows), in the caller's transaction. The ON CONFLICT clauses are the merge rules
//! of [`crate::facts::OrderFacts::merge`] in SQL: applying the same facts again, or older ones
//! after newer ones, changes nothing.
//!
//! Queries here are checked at run time, not at compile time: they bind arrays built per batch,
//! and the route tests and the rebuild test run every one of them.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::facts::{Changes, EventRecord, fold_all};

/// The projection tables, in the order a rebuild empties them.
pub const TABLES: &[&str] = &[
    "order_facts",
    "order_lines",
    "customers",
    "stock_rejections",
    "stock_signals",
];

pub async fn apply(conn: &mut PgConnection, changes: &Changes) -> sqlx::Result<()> {
    if !changes.orders.is_empty() {
        apply_orders(conn, changes).await?;
    }
    if !changes.lines.is_empty() {
        apply_lines(conn, changes).await?;
    }
    if !changes.customers.is_empty() {
        apply_customers(conn, changes).await?;
    }
    if !changes.rejections.is_empty() {
        apply_rejections(conn, changes).await?;
    }
    if !changes.signals.is_empty() {
        apply_signals(conn, changes).await?;
    }
    Ok(())
}

#[derive(Default)]
struct OrderColumns {
    order_id: Vec<Uuid>,
    customer_id: Vec<Option<Uuid>>,
    currency: Vec<Option<String>>,
    total_minor: Vec<Option<i64>>,
    placed_at: Vec<Option<DateTime<Utc>>>,
    stock_reserved_at: Vec<Option<DateTime<Utc>>>,
    stock_rejected_at: Vec<Option<DateTime<Utc>>>,
    confirmed_at: Vec<Option<DateTime<Utc>>>,
    shipped_at: Vec<Option<DateTime<Utc>>>,
    cancelled_at: Vec<Option<DateTime<Utc>>>,
    cancel_reason: Vec<Option<String>>,
    payment_failed_at: Vec<Option<DateTime<Utc>>>,
    payment_failure_code: Vec<Option<String>>,
    authorized_minor: Vec<i64>,
    captured_minor: Vec<i64>,
    voided_minor: Vec<i64>,
    refunded_minor: Vec<i64>,
    payment_status: Vec<Option<String>>,
    payment_status_sequence: Vec<Option<i64>>,
    last_sequence: Vec<i64>,
}

async fn apply_orders(conn: &mut PgConnection, changes: &Changes) -> sqlx::Result<()> {
    let mut c = OrderColumns::default();
    for (order_id, f) in &changes.orders {
        c.order_id.push(*order_id);
        c.customer_id.push(f.customer_id);
        c.currency.push(f.currency.clone());
        c.total_minor.push(f.total_minor);
        c.placed_at.push(f.placed_at);
        c.stock_reserved_at.push(f.stock_reserved_at);
        c.stock_rejected_at.push(f.stock_rejected_at);
        c.confirmed_at.push(f.confirmed_at);
        c.shipped_at.push(f.shipped_at);
        c.cancelled_at.push(f.cancelled_at);
        c.cancel_reason.push(f.cancel_reason.clone());
        c.payment_failed_at.push(f.payment_failed_at);
        c.payment_failure_code.push(f.payment_failure_code.clone());
        c.authorized_minor.push(f.authorized_minor);
        c.captured_minor.push(f.captured_minor);
        c.voided_minor.push(f.voided_minor);
        c.refunded_minor.push(f.refunded_minor);
        c.payment_status
            .push(f.payment_status.as_ref().map(|(_, s)| s.clone()));
        c.payment_status_sequence
            .push(f.payment_status.as_ref().map(|(seq, _)| *seq));
        c.last_sequence.push(f.last_sequence);
    }
    sqlx::query(
        "INSERT INTO order_facts AS o (order_id, customer_id, currency, total_minor, placed_at,
             stock_reserved_at, stock_rejected_at, confirmed_at, shipped_at, cancelled_at,
             cancel_reason, payment_failed_at, payment_failure_code, authorized_minor,
             captured_minor, voided_minor, refunded_minor, payment_status,
             payment_status_sequence, last_sequence)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::timestamptz[],
             $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[],
             $10::timestamptz[], $11::text[], $12::timestamptz[], $13::text[], $14::bigint[],
             $15::bigint[], $16::bigint[], $17::bigint[], $18::text[], $19::bigint[], $20::bigint[])
         ON CONFLICT (order_id) DO UPDATE SET
             customer_id          = COALESCE(o.customer_id, EXCLUDED.customer_id),
             currency             = COALESCE(o.currency, EXCLUDED.currency),
             total_minor          = COALESCE(o.total_minor, EXCLUDED.total_minor),
             placed_at            = LEAST(o.placed_at, EXCLUDED.placed_at),
             stock_reserved_at    = LEAST(o.stock_reserved_at, EXCLUDED.stock_reserved_at),
             stock_rejected_at    = LEAST(o.stock_rejected_at, EXCLUDED.stock_rejected_at),
             confirmed_at         = LEAST(o.confirmed_at, EXCLUDED.confirmed_at),
             shipped_at           = LEAST(o.shipped_at, EXCLUDED.shipped_at),
             cancelled_at         = LEAST(o.cancelled_at, EXCLUDED.cancelled_at),
             cancel_reason        = COALESCE(o.cancel_reason, EXCLUDED.cancel_reason),
             payment_failed_at    = LEAST(o.payment_failed_at, EXCLUDED.payment_failed_at),
             payment_failure_code = COALESCE(o.payment_failure_code, EXCLUDED.payment_failure_code),
             authorized_minor     = GREATEST(o.authorized_minor, EXCLUDED.authorized_minor),
             captured_minor       = GREATEST(o.captured_minor, EXCLUDED.captured_minor),
             voided_minor         = GREATEST(o.voided_minor, EXCLUDED.voided_minor),
             refunded_minor       = GREATEST(o.refunded_minor, EXCLUDED.refunded_minor),
             payment_status       = CASE
                 WHEN EXCLUDED.payment_status_sequence > COALESCE(o.payment_status_sequence, -1)
                 THEN EXCLUDED.payment_status ELSE o.payment_status END,
             payment_status_sequence = GREATEST(o.payment_status_sequence, EXCLUDED.payment_status_sequence),
             last_sequence        = GREATEST(o.last_sequence, EXCLUDED.last_sequence)",
    )
    .bind(&c.order_id)
    .bind(&c.customer_id)
    .bind(&c.currency)
    .bind(&c.total_minor)
    .bind(&c.placed_at)
    .bind(&c.stock_reserved_at)
    .bind(&c.stock_rejected_at)
    .bind(&c.confirmed_at)
    .bind(&c.shipped_at)
    .bind(&c.cancelled_at)
    .bind(&c.cancel_reason)
    .bind(&c.payment_failed_at)
    .bind(&c.payment_failure_code)
    .bind(&c.authorized_minor)
    .bind(&c.captured_minor)
    .bind(&c.voided_minor)
    .bind(&c.refunded_minor)
    .bind(&c.payment_status)
    .bind(&c.payment_status_sequence)
    .bind(&c.last_sequence)
    .execute(conn)
    .await?;
    Ok(())
}

async fn apply_lines(conn: &mut PgConnection, changes: &Changes) -> sqlx::Result<()> {
    let rows = changes.lines.values();
    sqlx::query(
        "INSERT INTO order_lines (order_id, line_no, sku, product_name, category, quantity,
             unit_price_minor, currency)
         SELECT * FROM UNNEST($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[],
             $6::int[], $7::bigint[], $8::text[])
         ON CONFLICT (order_id, line_no) DO NOTHING",
    )
    .bind(rows.clone().map(|r| r.order_id).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.line_no).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.sku.clone()).collect::<Vec<_>>())
    .bind(
        rows.clone()
            .map(|r| r.product_name.clone())
            .collect::<Vec<_>>(),
    )
    .bind(rows.clone().map(|r| r.category.clone()).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.quantity).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.unit_price_minor).collect::<Vec<_>>())
    .bind(rows.map(|r| r.currency.clone()).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

async fn apply_customers(conn: &mut PgConnection, changes: &Changes) -> sqlx::Result<()> {
    let rows = changes.customers.iter();
    sqlx::query(
        "INSERT INTO customers AS c (customer_id, registered_at, first_order_at)
         SELECT * FROM UNNEST($1::uuid[], $2::timestamptz[], $3::timestamptz[])
         ON CONFLICT (customer_id) DO UPDATE SET
             registered_at  = LEAST(c.registered_at, EXCLUDED.registered_at),
             first_order_at = LEAST(c.first_order_at, EXCLUDED.first_order_at)",
    )
    .bind(rows.clone().map(|(id, _)| *id).collect::<Vec<_>>())
    .bind(
        rows.clone()
            .map(|(_, f)| f.registered_at)
            .collect::<Vec<_>>(),
    )
    .bind(rows.map(|(_, f)| f.first_order_at).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

async fn apply_rejections(conn: &mut PgConnection, changes: &Changes) -> sqlx::Result<()> {
    let rows = changes.rejections.values();
    sqlx::query(
        "INSERT INTO stock_rejections AS r (order_id, sku, requested, available, reason, rejected_at)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[],
             $6::timestamptz[])
         ON CONFLICT (order_id, sku) DO UPDATE SET
             rejected_at = LEAST(r.rejected_at, EXCLUDED.rejected_at)",
    )
    .bind(rows.clone().map(|r| r.order_id).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.sku.clone()).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.requested).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.available).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.reason.clone()).collect::<Vec<_>>())
    .bind(rows.map(|r| r.rejected_at).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

async fn apply_signals(conn: &mut PgConnection, changes: &Changes) -> sqlx::Result<()> {
    let rows = changes.signals.values();
    sqlx::query(
        "INSERT INTO stock_signals AS s (sku, available, threshold, signalled_at, event_id)
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[])
         ON CONFLICT (sku) DO UPDATE SET
             available = EXCLUDED.available, threshold = EXCLUDED.threshold,
             signalled_at = EXCLUDED.signalled_at, event_id = EXCLUDED.event_id
         WHERE (EXCLUDED.signalled_at, EXCLUDED.event_id) > (s.signalled_at, s.event_id)",
    )
    .bind(rows.clone().map(|r| r.sku.clone()).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.available).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.threshold).collect::<Vec<_>>())
    .bind(rows.clone().map(|r| r.signalled_at).collect::<Vec<_>>())
    .bind(rows.map(|r| r.event_id.clone()).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rebuilt {
    pub events: u64,
    pub malformed: u64,
}

/// Empties the projections and folds the whole event log into them again, in one transaction:
/// readers see the old tables until the new ones are complete. Live deliveries meanwhile wait
/// for the rows they touch and then merge into the rebuilt ones, which changes nothing they
/// would not have changed anyway (every merge is idempotent).
pub async fn rebuild(pool: &PgPool, batch_size: i64) -> sqlx::Result<Rebuilt> {
    let mut tx = pool.begin().await?;
    for table in TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    let mut after: Option<(DateTime<Utc>, String)> = None;
    let mut rebuilt = Rebuilt {
        events: 0,
        malformed: 0,
    };
    loop {
        let page = crate::store::log_page(&mut tx, after.as_ref(), batch_size).await?;
        let Some(last) = page.last() else { break };
        after = Some((last.occurred_at, last.event_id.clone()));
        let (changes, malformed) = fold_all(&page);
        for error in &malformed {
            tracing::warn!(%error, "skipping a malformed event");
        }
        apply(&mut tx, &changes).await?;
        rebuilt.events += page.len() as u64;
        rebuilt.malformed += malformed.len() as u64;
    }
    tx.commit().await?;
    Ok(rebuilt)
}

/// Folds one freshly logged event into the projections (the live path).
pub async fn apply_one(conn: &mut PgConnection, event: &EventRecord) -> sqlx::Result<()> {
    let (changes, malformed) = fold_all(std::iter::once(event));
    for error in &malformed {
        tracing::warn!(%error, "a malformed event is logged but folds into nothing");
    }
    apply(conn, &changes).await
}
