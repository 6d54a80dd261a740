//! Analytics at scale: a million order events (plus the payments' captures of the paid orders)
//! written into a scratch copy of analytics' database (`bench_analytics`, analytics' own
//! migrations), folded into the projections by the same code the service runs (the rebuild),
//! and each report query timed over them.
//!
//! Baseline, from the same run: writing those very rows into the event log, with no fold (raw
//! Postgres, batched). Scratch database, so the live dashboard never shows the synthetic shop.

use std::time::{Duration, Instant};

use analytics::reports::{self, TopDimension, TopMeasure};
use analytics::window::{Granularity, ReportWindow, WindowParams};
use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use crate::summary::percentile;

/// How many order events (order-events topic) the synthetic shop has.
pub const ORDER_EVENTS: usize = 1_000_000;
const DAYS: i64 = 90;
const CUSTOMERS: u64 = 40_000;
const LOAD_BATCH: usize = 20_000;
const REBUILD_BATCH: i64 = 5_000;
/// Timed runs of each report, after two untimed ones.
const RUNS: usize = 25;

const CATEGORIES: [&str; 8] = [
    "electronics",
    "home-kitchen",
    "books",
    "toys",
    "garden",
    "sports",
    "fashion",
    "beauty",
];

struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

struct Row {
    id: String,
    event_type: &'static str,
    topic: &'static str,
    subject: String,
    payload: Value,
    at: DateTime<Utc>,
    sequence: Option<i64>,
}

/// The events of one synthetic order, as its services would have published them.
fn synthetic_order(dice: &mut Dice, now: DateTime<Utc>) -> (Vec<Row>, usize) {
    let order = Uuid::now_v7();
    let customer = Uuid::from_u64_pair(
        0,
        (dice.below(CUSTOMERS) * dice.below(CUSTOMERS)) / CUSTOMERS,
    );
    let placed = now - chrono::Duration::seconds(dice.below((DAYS * 86_400) as u64) as i64);
    let currency = if dice.below(10) == 0 { "USD" } else { "EUR" };
    let lines: Vec<Value> = (0..1 + dice.below(3))
        .map(|_| {
            let product = dice.below(40) * dice.below(40) / 40;
            let category = CATEGORIES[dice.below(8) as usize];
            json!({ "sku": format!("{}-{product:04}", &category[..3].to_uppercase()),
                    "quantity": 1 + dice.below(3), "unitPriceMinor": 990 + 100 * dice.below(300),
                    "currency": currency, "productName": format!("Product {product}"),
                    "category": category })
        })
        .collect();
    let total: i64 = lines
        .iter()
        .map(|l| l["quantity"].as_i64().unwrap_or(0) * l["unitPriceMinor"].as_i64().unwrap_or(0))
        .sum();
    let mut rows = Vec::new();
    let mut sequence = 0;
    let mut order_event = |rows: &mut Vec<Row>, ty: &'static str, seconds: i64, data: Value| {
        sequence += 1;
        rows.push(Row {
            id: format!("{order}:{sequence}"),
            event_type: ty,
            topic: "order-events",
            subject: order.to_string(),
            payload: data,
            at: placed + chrono::Duration::seconds(seconds),
            sequence: Some(sequence),
        });
    };
    order_event(
        &mut rows,
        "shop.order.placed.v2",
        0,
        json!({
        "orderId": order, "customerId": customer, "lines": lines, "currency": currency,
        "totalMinor": total }),
    );
    let roll = dice.below(100);
    if roll < 8 {
        order_event(
            &mut rows,
            "shop.order.stock-rejected.v1",
            1,
            json!({ "orderId": order,
            "lines": [{ "sku": lines[0]["sku"], "requested": lines[0]["quantity"], "available": 0,
                        "reason": "insufficient-stock" }] }),
        );
        order_event(
            &mut rows,
            "shop.order.cancelled.v1",
            1,
            json!({ "orderId": order, "reason": "stock-rejected" }),
        );
    } else {
        order_event(
            &mut rows,
            "shop.order.stock-reserved.v1",
            1,
            json!({ "orderId": order }),
        );
        if roll < 14 {
            order_event(
                &mut rows,
                "shop.order.cancelled.v1",
                3,
                json!({ "orderId": order, "reason": "payment-failed" }),
            );
        } else {
            order_event(
                &mut rows,
                "shop.order.confirmed.v1",
                3,
                json!({ "orderId": order }),
            );
            rows.push(Row {
                id: format!("pay-{order}"),
                event_type: "shop.payment.captured.v1",
                topic: "payment-events",
                subject: order.to_string(),
                payload: json!({ "orderId": order, "amountMinor": total, "currency": currency }),
                at: placed + chrono::Duration::seconds(4),
                sequence: None,
            });
            if roll < 18 {
                order_event(
                    &mut rows,
                    "shop.order.cancelled.v1",
                    600,
                    json!({ "orderId": order, "reason": "customer" }),
                );
            } else if roll < 85 {
                order_event(
                    &mut rows,
                    "shop.order.shipped.v1",
                    86_400,
                    json!({ "orderId": order,
                    "carrier": "DHL", "trackingNumber": "JJD1" }),
                );
            }
        }
    }
    let order_events = rows.iter().filter(|r| r.topic == "order-events").count();
    (rows, order_events)
}

async fn insert(pool: &PgPool, rows: &[Row]) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO event_log (event_id, event_type, source, subject, topic, payload, occurred_at, sequence, received_at)
         SELECT id, ty, 'shop/bench', subject, topic, payload, at, seq, at
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::bigint[])
              AS t(id, ty, subject, topic, payload, at, seq)",
    )
    .bind(rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.event_type).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.subject.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.topic).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.payload.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.at).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.sequence).collect::<Vec<_>>())
    .execute(pool)
    .await?;
    Ok(())
}

fn window(days: u64, now: DateTime<Utc>) -> anyhow::Result<ReportWindow> {
    let to = now.date_naive();
    let from = to - chrono::Days::new(days - 1);
    ReportWindow::parse(
        WindowParams {
            from: Some(&from.to_string()),
            to: Some(&to.to_string()),
            time_zone: Some("Europe/Berlin"),
        },
        now,
    )
    .map_err(|errors| anyhow::anyhow!("{errors:?}"))
}

/// Runs `query` twice untimed, then `RUNS` times; returns p50, p99 and max.
async fn time<F, Fut, T>(mut query: F) -> anyhow::Result<(Duration, Duration, Duration)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = sqlx::Result<T>>,
{
    for _ in 0..2 {
        query().await?;
    }
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        query().await?;
        samples.push(started.elapsed());
    }
    samples.sort_unstable();
    Ok((
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or_default(),
    ))
}

/// Loads, rebuilds and queries; returns the report to print.
pub async fn measure() -> anyhow::Result<String> {
    let url = std::env::var("BENCH_ANALYTICS_DATABASE_URL")
        .context("BENCH_ANALYTICS_DATABASE_URL is not set: run `./shop bench`")?;
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&url)
        .await?;
    analytics::MIGRATOR.run(&pool).await?;
    let now = Utc::now();
    let mut dice = Dice(0x2545_F491_4F6C_DD1D);

    println!("running analytics: writing {ORDER_EVENTS} order events into bench_analytics ...");
    let (mut order_events, mut all_events) = (0, 0);
    let mut load_time = Duration::ZERO;
    let mut batch = Vec::with_capacity(LOAD_BATCH + 8);
    while order_events < ORDER_EVENTS {
        let (rows, orders) = synthetic_order(&mut dice, now);
        order_events += orders;
        all_events += rows.len();
        batch.extend(rows);
        if batch.len() >= LOAD_BATCH || order_events >= ORDER_EVENTS {
            let started = Instant::now();
            insert(&pool, &batch).await?;
            load_time += started.elapsed();
            batch.clear();
        }
    }
    sqlx::query("ANALYZE event_log").execute(&pool).await?;

    println!("running analytics: folding them into the projections (the service's rebuild) ...");
    let started = Instant::now();
    let rebuilt = analytics::projection::rebuild(&pool, REBUILD_BATCH).await?;
    let fold_time = started.elapsed();
    // What autovacuum would have done by the time anyone reads: statistics, and the visibility
    // map the index-only scans need.
    for table in analytics::projection::TABLES {
        sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM ANALYZE {table}")))
            .execute(&pool)
            .await?;
    }
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM order_facts")
        .fetch_one(&pool)
        .await?;

    let (d7, d30, d84, d90) = (
        window(7, now)?,
        window(30, now)?,
        window(84, now)?,
        window(90, now)?,
    );
    let mut lines = vec![
        format!(
            "analytics, {all_events} events ({order_events} order events, {orders} orders, 90 days, {CUSTOMERS} customers) in a scratch database:"
        ),
        format!(
            "  raw Postgres, the same rows written into the event log, no fold (batches of {LOAD_BATCH}): {:>9.0} events/s",
            all_events as f64 / load_time.as_secs_f64()
        ),
        format!(
            "  folded into the projections by the service's rebuild (batches of {REBUILD_BATCH}, one transaction): {:>9.0} events/s ({} events, {:.1} s)",
            rebuilt.events as f64 / fold_time.as_secs_f64(),
            rebuilt.events,
            fold_time.as_secs_f64()
        ),
        format!(
            "  report queries over them, {RUNS} timed runs each (Europe/Berlin days):  p50 / p99 / max ms"
        ),
    ];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut row = |name: &str, (p50, p99, max): (Duration, Duration, Duration)| {
        lines.push(format!(
            "    {name:<40} {:>8.1} {:>8.1} {:>8.1}",
            ms(p50),
            ms(p99),
            ms(max)
        ));
    };
    row(
        "KPIs, 30 days (+ the 30 before)",
        time(|| reports::kpis(&pool, &d30, None)).await?,
    );
    row(
        "KPIs, 90 days, EUR",
        time(|| reports::kpis(&pool, &d90, Some("EUR"))).await?,
    );
    row(
        "series, 90 days by day",
        time(|| reports::series(&pool, &d90, Granularity::Day, None)).await?,
    );
    row(
        "series, 7 days by hour",
        time(|| reports::series(&pool, &d7, Granularity::Hour, None)).await?,
    );
    row(
        "series, 12 weeks by week",
        time(|| reports::series(&pool, &d84, Granularity::Week, None)).await?,
    );
    row(
        "funnel, 30 days",
        time(|| reports::funnel(&pool, &d30, None)).await?,
    );
    row(
        "top 10 products by revenue, 30 days",
        time(|| {
            reports::top(
                &pool,
                &d30,
                TopDimension::Products,
                TopMeasure::Revenue,
                None,
                10,
            )
        })
        .await?,
    );
    row(
        "top 10 categories by units, 90 days",
        time(|| {
            reports::top(
                &pool,
                &d90,
                TopDimension::Categories,
                TopMeasure::Units,
                None,
                10,
            )
        })
        .await?,
    );
    row(
        "cancellations, 30 days",
        time(|| reports::cancellations(&pool, &d30, None)).await?,
    );
    row(
        "weekly cohorts, 12 weeks",
        time(|| reports::cohorts(&pool, &d84, None)).await?,
    );
    row(
        "stock (lost sales, low stock), 30 days",
        time(|| reports::stock(&pool, &d30, None, 10)).await?,
    );
    Ok(lines.join("\n"))
}
