//! The reports: rollups over the projections for a [`ReportWindow`], computed when asked (the
//! projections are indexed by placement time, so a period's rows are a range scan).
//!
//! Definitions, the same in the API, the CSV, the dashboard and the scenario test:
//! - an order belongs to the period it was **placed** in;
//! - **paid** orders are those confirmed (payment authorized with the stock held);
//! - **gross revenue** is the total of the paid orders; **net revenue** what was captured on
//!   them minus what was refunded; **average order value** is gross revenue per paid order,
//!   rounded to the nearest minor unit (halves up);
//! - money is never summed across currencies: every money figure comes per currency.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::window::{Granularity, ReportWindow};

/// A period as the answer states it.
#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PeriodView {
    /// The first day, included (`YYYY-MM-DD`, in `timeZone`).
    pub from: String,
    /// The last day, included.
    pub to: String,
    pub time_zone: String,
    /// The first instant of the period and the first after it.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl From<&ReportWindow> for PeriodView {
    fn from(window: &ReportWindow) -> Self {
        let (start, end) = window.instants();
        Self {
            from: window.from.to_string(),
            to: window.to.to_string(),
            time_zone: window.time_zone_name().to_owned(),
            start,
            end,
        }
    }
}

/// A report that also exists as a table, for `?format=csv`.
pub trait CsvTable {
    fn header(&self) -> Vec<&'static str>;
    fn rows(&self) -> Vec<Vec<String>>;
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------- KPIs

/// The key figures of one currency in one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, sqlx::FromRow, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Kpis {
    pub orders: i64,
    pub paid_orders: i64,
    pub cancelled_orders: i64,
    pub shipped_orders: i64,
    pub refunded_orders: i64,
    pub gross_revenue_minor: i64,
    pub net_revenue_minor: i64,
    pub refunded_minor: i64,
    #[sqlx(skip)]
    pub average_order_value_minor: Option<i64>,
    /// Paid orders per order placed.
    #[sqlx(skip)]
    pub conversion_rate: Option<f64>,
    #[sqlx(skip)]
    pub cancellation_rate: Option<f64>,
    /// Orders with a refund per paid order.
    #[sqlx(skip)]
    pub refund_rate: Option<f64>,
}

impl Kpis {
    fn with_derived(mut self) -> Self {
        self.average_order_value_minor = (self.paid_orders > 0)
            .then(|| (self.gross_revenue_minor * 2 + self.paid_orders) / (self.paid_orders * 2));
        self.conversion_rate = ratio(self.paid_orders, self.orders);
        self.cancellation_rate = ratio(self.cancelled_orders, self.orders);
        self.refund_rate = ratio(self.refunded_orders, self.paid_orders);
        self
    }
}

#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyKpis {
    pub currency: String,
    pub current: Kpis,
    pub previous: Kpis,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, sqlx::FromRow, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerCounts {
    /// Customers whose first order ever is in the period.
    pub new_customers: i64,
    /// Customers who ordered in the period and had ordered before it.
    pub returning_customers: i64,
}

#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KpiReport {
    pub period: PeriodView,
    pub previous_period: PeriodView,
    pub currencies: Vec<CurrencyKpis>,
    pub customers: CustomerCounts,
    pub previous_customers: CustomerCounts,
}

#[derive(sqlx::FromRow)]
struct CurrencyRow {
    currency: String,
    #[sqlx(flatten)]
    kpis: Kpis,
}

async fn kpis_by_currency(
    pool: &PgPool,
    window: &ReportWindow,
    currency: Option<&str>,
) -> sqlx::Result<Vec<(String, Kpis)>> {
    let (start, end) = window.instants();
    let rows: Vec<CurrencyRow> = sqlx::query_as(
        "SELECT currency::text AS currency, count(*) AS orders,
                count(*) FILTER (WHERE confirmed_at IS NOT NULL) AS paid_orders,
                count(*) FILTER (WHERE cancelled_at IS NOT NULL) AS cancelled_orders,
                count(*) FILTER (WHERE shipped_at IS NOT NULL) AS shipped_orders,
                count(*) FILTER (WHERE refunded_minor > 0) AS refunded_orders,
                COALESCE(sum(total_minor) FILTER (WHERE confirmed_at IS NOT NULL), 0)::bigint
                    AS gross_revenue_minor,
                COALESCE(sum(captured_minor - refunded_minor)
                    FILTER (WHERE confirmed_at IS NOT NULL), 0)::bigint AS net_revenue_minor,
                COALESCE(sum(refunded_minor), 0)::bigint AS refunded_minor
         FROM order_facts
         WHERE placed_at >= $1 AND placed_at < $2 AND ($3::text IS NULL OR currency = $3)
         GROUP BY currency ORDER BY currency",
    )
    .bind(start)
    .bind(end)
    .bind(currency)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.currency, row.kpis.with_derived()))
        .collect())
}

async fn customer_counts(
    pool: &PgPool,
    window: &ReportWindow,
    currency: Option<&str>,
) -> sqlx::Result<CustomerCounts> {
    let (start, end) = window.instants();
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE c.first_order_at >= $1) AS new_customers,
                count(*) FILTER (WHERE c.first_order_at < $1) AS returning_customers
         FROM (SELECT DISTINCT customer_id FROM order_facts
               WHERE placed_at >= $1 AND placed_at < $2
                 AND ($3::text IS NULL OR currency = $3)) o
         JOIN customers c USING (customer_id)",
    )
    .bind(start)
    .bind(end)
    .bind(currency)
    .fetch_one(pool)
    .await
}

pub async fn kpis(
    pool: &PgPool,
    window: &ReportWindow,
    currency: Option<&str>,
) -> sqlx::Result<KpiReport> {
    let previous = window.previous();
    let current_rows = kpis_by_currency(pool, window, currency).await?;
    let previous_rows = kpis_by_currency(pool, &previous, currency).await?;
    let mut currencies: Vec<String> = current_rows
        .iter()
        .chain(&previous_rows)
        .map(|(currency, _)| currency.clone())
        .collect();
    currencies.sort();
    currencies.dedup();
    let find = |rows: &[(String, Kpis)], currency: &str| {
        rows.iter()
            .find(|(c, _)| c == currency)
            .map(|(_, k)| k.clone())
            .unwrap_or_else(|| Kpis::default().with_derived())
    };
    Ok(KpiReport {
        period: window.into(),
        previous_period: (&previous).into(),
        currencies: currencies
            .into_iter()
            .map(|currency| CurrencyKpis {
                current: find(&current_rows, &currency),
                previous: find(&previous_rows, &currency),
                currency,
            })
            .collect(),
        customers: customer_counts(pool, window, currency).await?,
        previous_customers: customer_counts(pool, &previous, currency).await?,
    })
}

impl CsvTable for KpiReport {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "period",
            "from",
            "to",
            "currency",
            "orders",
            "paid_orders",
            "cancelled_orders",
            "shipped_orders",
            "refunded_orders",
            "gross_revenue_minor",
            "net_revenue_minor",
            "refunded_minor",
            "average_order_value_minor",
            "conversion_rate",
            "cancellation_rate",
            "refund_rate",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for c in &self.currencies {
            for (name, period, k) in [
                ("current", &self.period, &c.current),
                ("previous", &self.previous_period, &c.previous),
            ] {
                rows.push(vec![
                    name.into(),
                    period.from.clone(),
                    period.to.clone(),
                    c.currency.clone(),
                    k.orders.to_string(),
                    k.paid_orders.to_string(),
                    k.cancelled_orders.to_string(),
                    k.shipped_orders.to_string(),
                    k.refunded_orders.to_string(),
                    k.gross_revenue_minor.to_string(),
                    k.net_revenue_minor.to_string(),
                    k.refunded_minor.to_string(),
                    opt(k.average_order_value_minor),
                    opt(k.conversion_rate),
                    opt(k.cancellation_rate),
                    opt(k.refund_rate),
                ]);
            }
        }
        rows
    }
}

// -------------------------------------------------------------------------------- time series

#[derive(Debug, Clone, PartialEq, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    /// The bucket's first instant.
    pub start: DateTime<Utc>,
    /// The same, as the wall-clock time in the report's time zone (`YYYY-MM-DD HH:MM`).
    pub local_start: String,
    pub orders: i64,
    pub paid_orders: i64,
    pub gross_revenue_minor: i64,
}

#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencySeries {
    pub currency: String,
    /// Every bucket of the period, empty ones included.
    pub points: Vec<SeriesPoint>,
}

#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesReport {
    pub period: PeriodView,
    /// `hour`, `day` or `week` (weeks start on Monday).
    pub granularity: String,
    pub currencies: Vec<CurrencySeries>,
}

pub async fn series(
    pool: &PgPool,
    window: &ReportWindow,
    granularity: Granularity,
    currency: Option<&str>,
) -> sqlx::Result<SeriesReport> {
    let (start, end) = window.instants();
    let rows: Vec<(String, DateTime<Utc>, String, i64, i64, i64)> = sqlx::query_as(
        "WITH buckets AS (
             SELECT b FROM generate_series(date_trunc($4, $1 AT TIME ZONE $3),
                                           ($2 AT TIME ZONE $3) - interval '1 microsecond',
                                           ('1 ' || $4)::interval) AS b),
         currencies AS (
             SELECT DISTINCT currency FROM order_facts
             WHERE placed_at >= $1 AND placed_at < $2 AND ($5::text IS NULL OR currency = $5)),
         facts AS (
             SELECT date_trunc($4, placed_at AT TIME ZONE $3) AS b, currency, count(*) AS orders,
                    count(confirmed_at) AS paid,
                    COALESCE(sum(total_minor) FILTER (WHERE confirmed_at IS NOT NULL), 0) AS revenue
             FROM order_facts WHERE placed_at >= $1 AND placed_at < $2 GROUP BY 1, 2)
         SELECT c.currency::text, buckets.b AT TIME ZONE $3, to_char(buckets.b, 'YYYY-MM-DD HH24:MI'),
                COALESCE(f.orders, 0), COALESCE(f.paid, 0), COALESCE(f.revenue, 0)::bigint
         FROM buckets CROSS JOIN currencies c
         LEFT JOIN facts f ON f.b = buckets.b AND f.currency = c.currency
         ORDER BY 1, buckets.b",
    )
    .bind(start)
    .bind(end)
    .bind(window.time_zone_name())
    .bind(granularity.as_str())
    .bind(currency)
    .fetch_all(pool)
    .await?;
    let mut currencies: Vec<CurrencySeries> = Vec::new();
    for (currency, start, local_start, orders, paid_orders, gross_revenue_minor) in rows {
        let point = SeriesPoint {
            start,
            local_start,
            orders,
            paid_orders,
            gross_revenue_minor,
        };
        match currencies.last_mut() {
            Some(series) if series.currency == currency => series.points.push(point),
            _ => currencies.push(CurrencySeries {
                currency,
                points: vec![point],
            }),
        }
    }
    Ok(SeriesReport {
        period: window.into(),
        granularity: granularity.as_str().into(),
        currencies,
    })
}

impl CsvTable for SeriesReport {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "currency",
            "start",
            "local_start",
            "orders",
            "paid_orders",
            "gross_revenue_minor",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.currencies
            .iter()
            .flat_map(|series| {
                series.points.iter().map(|p| {
                    vec![
                        series.currency.clone(),
                        p.start.to_rfc3339(),
                        p.local_start.clone(),
                        p.orders.to_string(),
                        p.paid_orders.to_string(),
                        p.gross_revenue_minor.to_string(),
                    ]
                })
            })
            .collect()
    }
}

// ------------------------------------------------------------------------------------- funnel

#[derive(Debug, Clone, PartialEq, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunnelStep {
    /// `placed`, `stock-reserved`, `paid`, `shipped`.
    pub step: &'static str,
    pub orders: i64,
    pub conversion_from_previous: Option<f64>,
    pub conversion_from_placed: Option<f64>,
    /// The median time from the previous step to this one, over the orders that reached it.
    pub median_seconds_from_previous: Option<f64>,
}

#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunnelReport {
    pub period: PeriodView,
    pub steps: Vec<FunnelStep>,
}

pub async fn funnel(
    pool: &PgPool,
    window: &ReportWindow,
    currency: Option<&str>,
) -> sqlx::Result<FunnelReport> {
    let (start, end) = window.instants();
    let (placed, reserved, paid, shipped, to_reserved, to_paid, to_shipped): (
        i64,
        i64,
        i64,
        i64,
        Option<f64>,
        Option<f64>,
        Option<f64>,
    ) = sqlx::query_as(
        "SELECT count(*), count(stock_reserved_at), count(confirmed_at), count(shipped_at),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM stock_reserved_at - placed_at)::float8),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM confirmed_at - stock_reserved_at)::float8),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM shipped_at - confirmed_at)::float8)
         FROM order_facts
         WHERE placed_at >= $1 AND placed_at < $2 AND ($3::text IS NULL OR currency = $3)",
    )
    .bind(start)
    .bind(end)
    .bind(currency)
    .fetch_one(pool)
    .await?;
    let steps = [
        ("placed", placed, None),
        ("stock-reserved", reserved, to_reserved),
        ("paid", paid, to_paid),
        ("shipped", shipped, to_shipped),
    ];
    let mut previous = None;
    let steps = steps
        .into_iter()
        .map(|(step, orders, median)| {
            let step = FunnelStep {
                step,
                orders,
                conversion_from_previous: previous.and_then(|p| ratio(orders, p)),
                conversion_from_placed: (step != "placed").then(|| ratio(orders, placed)).flatten(),
                median_seconds_from_previous: median,
            };
            previous = Some(orders);
            step
        })
        .collect();
    Ok(FunnelReport {
        period: window.into(),
        steps,
    })
}

impl CsvTable for FunnelReport {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "step",
            "orders",
            "conversion_from_previous",
            "conversion_from_placed",
            "median_seconds_from_previous",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.steps
            .iter()
            .map(|s| {
                vec![
                    s.step.into(),
                    s.orders.to_string(),
                    opt(s.conversion_from_previous),
                    opt(s.conversion_from_placed),
                    opt(s.median_seconds_from_previous),
                ]
            })
            .collect()
    }
}

// -------------------------------------------------------------------------------------- top N

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopDimension {
    Products,
    Categories,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopMeasure {
    Revenue,
    Units,
}

impl TopMeasure {
    pub fn parse(raw: Option<&str>) -> Result<Self, contracts::FieldError> {
        match raw.map(str::trim) {
            None | Some("") | Some("revenue") => Ok(Self::Revenue),
            Some("units") => Ok(Self::Units),
            Some(_) => Err(contracts::FieldError::new("by", "one of revenue, units")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopEntry {
    /// The SKU, or the category (`uncategorised` for lines placed without one).
    pub key: String,
    /// The product's name (products only; as it was when last ordered).
    pub name: Option<String>,
    pub category: Option<String>,
    pub currency: String,
    pub units: i64,
    pub revenue_minor: i64,
    pub orders: i64,
}

#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopReport {
    pub period: PeriodView,
    /// `products` or `categories`.
    pub dimension: &'static str,
    /// `revenue` or `units`.
    pub by: &'static str,
    /// Of paid orders (of one currency, with `currency`), best first (ties by key).
    pub entries: Vec<TopEntry>,
}

pub async fn top(
    pool: &PgPool,
    window: &ReportWindow,
    dimension: TopDimension,
    by: TopMeasure,
    currency: Option<&str>,
    limit: u32,
) -> sqlx::Result<TopReport> {
    let (start, end) = window.instants();
    let (key, name, category) = match dimension {
        TopDimension::Products => ("l.sku", "max(l.product_name)", "max(l.category)"),
        TopDimension::Categories => (
            "COALESCE(l.category, 'uncategorised')",
            "NULL::text",
            "NULL::text",
        ),
    };
    let order = match by {
        TopMeasure::Revenue => "revenue_minor DESC, units DESC",
        TopMeasure::Units => "units DESC, revenue_minor DESC",
    };
    // Only fixed fragments are formatted in; every value is bound.
    let entries = sqlx::query_as::<_, TopEntry>(sqlx::AssertSqlSafe(format!(
        "SELECT {key} AS key, {name} AS name, {category} AS category, l.currency::text AS currency,
                sum(l.quantity)::bigint AS units,
                sum(l.quantity * l.unit_price_minor)::bigint AS revenue_minor,
                count(DISTINCT l.order_id) AS orders
         FROM order_lines l JOIN order_facts o USING (order_id)
         WHERE o.placed_at >= $1 AND o.placed_at < $2 AND o.confirmed_at IS NOT NULL
           AND ($4::text IS NULL OR l.currency = $4)
         GROUP BY 1, l.currency ORDER BY {order}, key, currency LIMIT $3"
    )))
    .bind(start)
    .bind(end)
    .bind(i64::from(limit))
    .bind(currency)
    .fetch_all(pool)
    .await?;
    Ok(TopReport {
        period: window.into(),
        dimension: match dimension {
            TopDimension::Products => "products",
            TopDimension::Categories => "categories",
        },
        by: match by {
            TopMeasure::Revenue => "revenue",
            TopMeasure::Units => "units",
        },
        entries,
    })
}

impl CsvTable for TopReport {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "rank",
            "key",
            "name",
            "category",
            "currency",
            "units",
            "revenue_minor",
            "orders",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        (1..)
            .zip(&self.entries)
            .map(|(rank, e): (u32, _)| {
                vec![
                    rank.to_string(),
                    e.key.clone(),
                    opt(e.name.as_ref()),
                    opt(e.category.as_ref()),
                    e.currency.clone(),
                    e.units.to_string(),
                    e.revenue_minor.to_string(),
                    e.orders.to_string(),
                ]
            })
            .collect()
    }
}

// ------------------------------------------------------------------------------ cancellations

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancelReason {
    /// `customer`, `timeout`, `stock-rejected`, `payment-failed`.
    pub reason: String,
    pub orders: i64,
    #[sqlx(skip)]
    pub share: f64,
}

#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancellationReport {
    pub period: PeriodView,
    pub cancelled_orders: i64,
    pub reasons: Vec<CancelReason>,
}

pub async fn cancellations(
    pool: &PgPool,
    window: &ReportWindow,
    currency: Option<&str>,
) -> sqlx::Result<CancellationReport> {
    let (start, end) = window.instants();
    let mut reasons = sqlx::query_as::<_, CancelReason>(
        "SELECT COALESCE(cancel_reason, 'unknown') AS reason, count(*) AS orders
         FROM order_facts
         WHERE placed_at >= $1 AND placed_at < $2 AND cancelled_at IS NOT NULL
           AND ($3::text IS NULL OR currency = $3)
         GROUP BY 1 ORDER BY 2 DESC, 1",
    )
    .bind(start)
    .bind(end)
    .bind(currency)
    .fetch_all(pool)
    .await?;
    let cancelled_orders = reasons.iter().map(|r| r.orders).sum();
    for reason in &mut reasons {
        reason.share = ratio(reason.orders, cancelled_orders).unwrap_or(0.0);
    }
    Ok(CancellationReport {
        period: window.into(),
        cancelled_orders,
        reasons,
    })
}

impl CsvTable for CancellationReport {
    fn header(&self) -> Vec<&'static str> {
        vec!["reason", "orders", "share"]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.reasons
            .iter()
            .map(|r| vec![r.reason.clone(), r.orders.to_string(), r.share.to_string()])
            .collect()
    }
}

// ------------------------------------------------------------------------------------ cohorts

#[derive(Debug, Clone, PartialEq, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cohort {
    /// The Monday of the week of these customers' first order (`YYYY-MM-DD`, local).
    pub week: String,
    pub customers: i64,
    /// Customers of the cohort who ordered in its week 0, 1, 2, … (up to the period's end).
    pub active: Vec<i64>,
    /// `active` per cohort customer.
    pub retention: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CohortReport {
    pub period: PeriodView,
    /// Cohorts of customers whose first order is in the period, oldest first.
    pub cohorts: Vec<Cohort>,
}

pub async fn cohorts(
    pool: &PgPool,
    window: &ReportWindow,
    currency: Option<&str>,
) -> sqlx::Result<CohortReport> {
    let (start, end) = window.instants();
    let rows: Vec<(String, i32, i64, i32)> = sqlx::query_as(
        "WITH cohort AS (
             SELECT customer_id, date_trunc('week', first_order_at AT TIME ZONE $3) AS week
             FROM customers WHERE first_order_at >= $1 AND first_order_at < $2),
         activity AS (
             SELECT DISTINCT c.customer_id, c.week,
                    ((date_trunc('week', o.placed_at AT TIME ZONE $3)::date - c.week::date) / 7) AS week_offset
             FROM cohort c JOIN order_facts o USING (customer_id)
             WHERE o.placed_at < $2 AND o.placed_at >= $1
               AND ($4::text IS NULL OR o.currency = $4))
         SELECT to_char(week, 'YYYY-MM-DD'), week_offset, count(*),
                ((date_trunc('week', ($2 - interval '1 microsecond') AT TIME ZONE $3)::date - week::date) / 7)
         FROM activity GROUP BY week, week_offset ORDER BY week, week_offset",
    )
    .bind(start)
    .bind(end)
    .bind(window.time_zone_name())
    .bind(currency)
    .fetch_all(pool)
    .await?;
    let mut cohorts: Vec<Cohort> = Vec::new();
    for (week, offset, count, last_offset) in rows {
        if cohorts.last().is_none_or(|c| c.week != week) {
            let weeks = usize::try_from(last_offset).unwrap_or(0) + 1;
            cohorts.push(Cohort {
                week,
                customers: 0,
                active: vec![0; weeks],
                retention: Vec::new(),
            });
        }
        let cohort = cohorts.last_mut().expect("pushed above");
        if let Some(slot) = usize::try_from(offset)
            .ok()
            .and_then(|o| cohort.active.get_mut(o))
        {
            *slot = count;
        }
    }
    for cohort in &mut cohorts {
        // Every customer of a cohort ordered in its week 0: that is what put them in it.
        cohort.customers = cohort.active.first().copied().unwrap_or(0);
        cohort.retention = cohort
            .active
            .iter()
            .map(|&n| ratio(n, cohort.customers).unwrap_or(0.0))
            .collect();
    }
    Ok(CohortReport {
        period: window.into(),
        cohorts,
    })
}

impl CsvTable for CohortReport {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "cohort_week",
            "customers",
            "week_offset",
            "active",
            "retention",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.cohorts
            .iter()
            .flat_map(|c| {
                c.active
                    .iter()
                    .zip(&c.retention)
                    .enumerate()
                    .map(|(offset, (n, r))| {
                        vec![
                            c.week.clone(),
                            c.customers.to_string(),
                            offset.to_string(),
                            n.to_string(),
                            r.to_string(),
                        ]
                    })
            })
            .collect()
    }
}

// -------------------------------------------------------------------------------------- stock

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LostSales {
    pub sku: String,
    /// Orders rejected because this SKU had too little stock.
    pub orders: i64,
    pub units: i64,
    pub currency: Option<String>,
    /// What those lines would have brought, at the prices they were placed at.
    pub lost_revenue_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LowStock {
    pub sku: String,
    pub available: i64,
    pub threshold: i64,
    /// When inventory last signalled it low (the latest signal; not a current stock level).
    pub signalled_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockReport {
    pub period: PeriodView,
    /// SKUs that lost orders placed in the period to missing stock, most orders first (of one
    /// currency's orders, with `currency`).
    pub lost_sales: Vec<LostSales>,
    /// The latest low-stock signal of each SKU, lowest availability first (not period-bound).
    pub low_stock: Vec<LowStock>,
}

pub async fn stock(
    pool: &PgPool,
    window: &ReportWindow,
    currency: Option<&str>,
    limit: u32,
) -> sqlx::Result<StockReport> {
    let (start, end) = window.instants();
    let lost_sales = sqlx::query_as::<_, LostSales>(
        "SELECT r.sku, count(DISTINCT r.order_id) AS orders, sum(r.requested)::bigint AS units,
                l.currency::text AS currency,
                COALESCE(sum(l.quantity * l.unit_price_minor), 0)::bigint AS lost_revenue_minor
         FROM stock_rejections r JOIN order_facts o USING (order_id)
         LEFT JOIN order_lines l ON l.order_id = r.order_id AND l.sku = r.sku
         WHERE o.placed_at >= $1 AND o.placed_at < $2 AND r.reason = 'insufficient-stock'
           AND ($4::text IS NULL OR o.currency = $4)
         GROUP BY r.sku, l.currency ORDER BY orders DESC, r.sku LIMIT $3",
    )
    .bind(start)
    .bind(end)
    .bind(i64::from(limit))
    .bind(currency)
    .fetch_all(pool)
    .await?;
    let low_stock = sqlx::query_as::<_, LowStock>(
        "SELECT sku, available, threshold, signalled_at FROM stock_signals
         ORDER BY available, sku LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    Ok(StockReport {
        period: window.into(),
        lost_sales,
        low_stock,
    })
}

impl CsvTable for StockReport {
    fn header(&self) -> Vec<&'static str> {
        vec![
            "kind",
            "sku",
            "orders",
            "units",
            "currency",
            "lost_revenue_minor",
            "available",
            "threshold",
            "signalled_at",
        ]
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let lost = self.lost_sales.iter().map(|l| {
            vec![
                "lost-sales".into(),
                l.sku.clone(),
                l.orders.to_string(),
                l.units.to_string(),
                opt(l.currency.as_ref()),
                l.lost_revenue_minor.to_string(),
                String::new(),
                String::new(),
                String::new(),
            ]
        });
        let low = self.low_stock.iter().map(|s| {
            vec![
                "low-stock".into(),
                s.sku.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                s.available.to_string(),
                s.threshold.to_string(),
                s.signalled_at.to_rfc3339(),
            ]
        });
        lost.chain(low).collect()
    }
}

/// Renders a report as CSV (RFC 4180: a header line, then one record per row).
pub fn to_csv(table: &impl CsvTable) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(table.header())?;
    for row in table.rows() {
        writer.write_record(row)?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}
