//! The reporting API for administrators (`/api/admin/analytics/...` through the gateway). Every
//! report takes a period (`from`, `to`: days, `to` included; `tz`: an IANA time zone) and a
//! `currency` (one market at a time), and answers JSON, or CSV with `?format=csv` (or
//! `Accept: text/csv`) for spreadsheets and BI tools. A period that has not happened yet answers
//! empty figures, never an error.

use chrono::Utc;
use salvo::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};
use salvo::oapi::ToParameters;
use salvo::oapi::extract::QueryParam;
use salvo::prelude::*;
use serde::{Deserialize, Serialize};
use service_runtime::{Admin, FieldError, Limit};
use sqlx::PgPool;

use crate::error::AnalyticsError;
use crate::reports::{
    self, CancellationReport, CohortReport, CsvTable, FunnelReport, KpiReport, SeriesReport,
    StockReport, TopDimension, TopMeasure, TopReport,
};
use crate::window::{Granularity, ReportWindow, WindowParams};

/// `?limit=`: 1 to 100 entries, 10 unless given.
type EntryLimit = Limit<10, 100>;
type Text = QueryParam<String, false>;

/// The query parameters every report takes, read as text: each is checked by [`Self::parse`],
/// so that every wrong one is named in one 422.
#[derive(Debug, Deserialize, ToParameters)]
#[salvo(parameters(default_parameter_in = Query))]
pub struct ReportQuery {
    /// The first day, `YYYY-MM-DD` in `tz` (default: six days before `to`).
    from: Option<String>,
    /// The last day, included (default: today in `tz`); at most 366 days after `from`.
    to: Option<String>,
    /// An IANA time zone name, such as `Europe/Berlin` (default `UTC`).
    tz: Option<String>,
    /// Only orders in this ISO 4217 currency (default: every currency, each apart).
    currency: Option<String>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// A report's parameters, parsed.
struct Scope {
    window: ReportWindow,
    currency: Option<String>,
    format: Format,
}

impl ReportQuery {
    /// Parses the parameters, adding what is wrong to `errors`.
    fn parse(self, req: &Request, errors: &mut Vec<FieldError>) -> Option<Scope> {
        let window = ReportWindow::parse(
            WindowParams {
                from: self.from.as_deref(),
                to: self.to.as_deref(),
                time_zone: self.tz.as_deref(),
            },
            Utc::now(),
        )
        .map_err(|e| errors.extend(e))
        .ok();
        let currency = self.currency.and_then(|raw| {
            let code = raw.trim().to_ascii_uppercase();
            if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
                Some(code)
            } else {
                errors.push(FieldError::new(
                    "currency",
                    "a three-letter ISO 4217 code, e.g. EUR",
                ));
                None
            }
        });
        let accepts_csv = req
            .headers()
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/csv"));
        let format = match self.format.as_deref().map(str::trim) {
            Some("csv") => Some(Format::Csv),
            Some("json") => Some(Format::Json),
            None | Some("") if accepts_csv => Some(Format::Csv),
            None | Some("") => Some(Format::Json),
            Some(_) => {
                errors.push(FieldError::new("format", "one of json, csv"));
                None
            }
        };
        Some(Scope {
            window: window?,
            currency,
            format: format?,
        })
    }
}

impl Scope {
    fn currency(&self) -> Option<&str> {
        self.currency.as_deref()
    }

    /// Renders `report` as the caller asked; `name` names the CSV file.
    fn answer<T: Serialize + CsvTable + Send + Sync>(
        &self,
        res: &mut Response,
        name: &str,
        report: &T,
    ) -> Result<(), AnalyticsError> {
        match self.format {
            Format::Json => res.render(Json(report)),
            Format::Csv => {
                let body =
                    reports::to_csv(report).map_err(|e| AnalyticsError::Internal(e.into()))?;
                res.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                );
                let (from, to) = (self.window.from, self.window.to);
                let file = format!("attachment; filename=\"{name}-{from}-{to}.csv\"");
                if let Ok(value) = HeaderValue::from_str(&file) {
                    res.headers_mut().insert(CONTENT_DISPOSITION, value);
                }
                res.body(body);
            }
        }
        Ok(())
    }
}

/// The parsed scope, or a 422 naming every wrong parameter (the shared ones first, then the
/// endpoint's own: `extra` is what those parsed to, `extra_errors` what was wrong with them).
fn checked<T>(
    query: ReportQuery,
    req: &Request,
    extra_errors: Vec<FieldError>,
    extra: Option<T>,
) -> Result<(Scope, T), AnalyticsError> {
    let mut errors = Vec::new();
    let scope = query.parse(req, &mut errors);
    errors.extend(extra_errors);
    match (scope, extra) {
        (Some(scope), Some(extra)) if errors.is_empty() => Ok((scope, extra)),
        _ => Err(AnalyticsError::Validation(errors)),
    }
}

fn pool(depot: &Depot) -> Result<&PgPool, AnalyticsError> {
    depot
        .get_typed::<PgPool>()
        .map_err(|_| AnalyticsError::Internal(anyhow::anyhow!("the pool is missing")))
}

/// Key figures of a period beside those of the period of the same length before it: orders,
/// paid, cancelled, shipped and refunded orders, gross and net revenue, average order value and
/// rates, per currency; new and returning customers.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Key figures, per currency", body = KpiReport))
)]
pub async fn kpis(
    _admin: Admin,
    query: ReportQuery,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let (scope, ()) = checked(query, req, Vec::new(), Some(()))?;
    let report = reports::kpis(pool(depot)?, &scope.window, scope.currency()).await?;
    scope.answer(res, "kpis", &report)
}

/// Orders, paid orders and gross revenue per hour, day or week (`granularity`, weeks start on
/// Monday), every bucket of the period included, per currency.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "A time series per currency", body = SeriesReport))
)]
pub async fn series(
    _admin: Admin,
    query: ReportQuery,
    granularity: Text,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let granularity = Granularity::parse(granularity.into_inner().as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    let (scope, granularity) = checked(query, req, errors, granularity)?;
    scope
        .window
        .check_granularity(granularity)
        .map_err(|e| AnalyticsError::Validation(vec![e]))?;
    let report =
        reports::series(pool(depot)?, &scope.window, granularity, scope.currency()).await?;
    scope.answer(res, "series", &report)
}

/// The funnel placed → stock reserved → paid → shipped: orders at each step, conversion, and
/// the median time from the step before.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "The funnel", body = FunnelReport))
)]
pub async fn funnel(
    _admin: Admin,
    query: ReportQuery,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let (scope, ()) = checked(query, req, Vec::new(), Some(()))?;
    let report = reports::funnel(pool(depot)?, &scope.window, scope.currency()).await?;
    scope.answer(res, "funnel", &report)
}

async fn top(
    dimension: TopDimension,
    query: ReportQuery,
    (by, limit): (Text, QueryParam<EntryLimit, false>),
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let by = TopMeasure::parse(by.into_inner().as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    let limit = EntryLimit::get(limit.into_inner())
        .map_err(|e| errors.push(e))
        .ok();
    let (scope, (by, limit)) = checked(query, req, errors, by.zip(limit))?;
    let report = reports::top(
        pool(depot)?,
        &scope.window,
        dimension,
        by,
        scope.currency(),
        limit,
    )
    .await?;
    let name = match dimension {
        TopDimension::Products => "top-products",
        TopDimension::Categories => "top-categories",
    };
    scope.answer(res, name, &report)
}

/// The best-selling products of paid orders, by revenue or units (`by`), per currency.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Products, best first", body = TopReport))
)]
pub async fn top_products(
    _admin: Admin,
    query: ReportQuery,
    by: Text,
    limit: QueryParam<EntryLimit, false>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    top(TopDimension::Products, query, (by, limit), req, depot, res).await
}

/// The best-selling categories of paid orders, by revenue or units (`by`), per currency.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Categories, best first", body = TopReport))
)]
pub async fn top_categories(
    _admin: Admin,
    query: ReportQuery,
    by: Text,
    limit: QueryParam<EntryLimit, false>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    top(
        TopDimension::Categories,
        query,
        (by, limit),
        req,
        depot,
        res,
    )
    .await
}

/// Why orders placed in the period were cancelled.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Cancellations by reason", body = CancellationReport))
)]
pub async fn cancellations(
    _admin: Admin,
    query: ReportQuery,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let (scope, ()) = checked(query, req, Vec::new(), Some(()))?;
    let report = reports::cancellations(pool(depot)?, &scope.window, scope.currency()).await?;
    scope.answer(res, "cancellations", &report)
}

/// Weekly cohorts of customers by their first order in the period, and how many of each
/// ordered again in each later week of the period.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "The cohort table", body = CohortReport))
)]
pub async fn cohorts(
    _admin: Admin,
    query: ReportQuery,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let (scope, ()) = checked(query, req, Vec::new(), Some(()))?;
    let report = reports::cohorts(pool(depot)?, &scope.window, scope.currency()).await?;
    scope.answer(res, "cohorts", &report)
}

/// SKUs that lost orders to missing stock in the period, and the latest low-stock signals.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Stock signals", body = StockReport))
)]
pub async fn stock(
    _admin: Admin,
    query: ReportQuery,
    limit: QueryParam<EntryLimit, false>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let limit = EntryLimit::get(limit.into_inner())
        .map_err(|e| errors.push(e))
        .ok();
    let (scope, limit) = checked(query, req, errors, limit)?;
    let report = reports::stock(pool(depot)?, &scope.window, scope.currency(), limit).await?;
    scope.answer(res, "stock", &report)
}
