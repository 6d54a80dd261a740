//! The reporting API for administrators (`/api/admin/analytics/...` through the gateway). Every
//! report takes a period (`from`, `to`: days, `to` included; `tz`: an IANA time zone) and
//! answers JSON, or CSV with `?format=csv` (or `Accept: text/csv`) for spreadsheets and BI tools.
//! A period that has not happened yet answers empty figures, never an error.

use chrono::Utc;
use salvo::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};
use salvo::oapi::extract::QueryParam;
use salvo::prelude::*;
use serde::Serialize;
use service_runtime::{Admin, FieldError, Limit};
use sqlx::PgPool;

use crate::error::AnalyticsError;
use crate::reports::{
    self, CancellationReport, CohortReport, CsvTable, FunnelReport, KpiReport, SeriesReport,
    StockReport, TopDimension, TopMeasure, TopReport,
};
use crate::window::{Granularity, ReportWindow, WindowParams};

// The endpoints take each query parameter as an argument, so that the OpenAPI document lists
// it: several take more than clippy's seven (`too_many_arguments` is allowed on those).
type Text = QueryParam<String, false>;
/// `?limit=`: 1 to 100 entries, 10 unless given.
type EntryLimit = Limit<10, 100>;

fn pool(depot: &Depot) -> Result<&PgPool, AnalyticsError> {
    depot
        .get_typed::<PgPool>()
        .map_err(|_| AnalyticsError::Internal(anyhow::anyhow!("the pool is missing")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// The parameters every report shares, each wrong one named.
struct Common {
    window: ReportWindow,
    /// `?currency=`: only orders in this currency (every report; a market at a time).
    currency: Option<String>,
    format: Format,
}

fn common(
    req: &Request,
    (from, to, tz, currency): (Text, Text, Text, Text),
    format: Text,
    errors: &mut Vec<FieldError>,
) -> Option<Common> {
    let (from, to, tz) = (from.into_inner(), to.into_inner(), tz.into_inner());
    let window = ReportWindow::parse(
        WindowParams {
            from: from.as_deref(),
            to: to.as_deref(),
            time_zone: tz.as_deref(),
        },
        Utc::now(),
    )
    .map_err(|e| errors.extend(e))
    .ok();
    let accepts_csv = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"));
    let format = match format.into_inner().as_deref().map(str::trim) {
        Some("csv") => Some(Format::Csv),
        Some("json") => Some(Format::Json),
        None | Some("") if accepts_csv => Some(Format::Csv),
        None | Some("") => Some(Format::Json),
        Some(_) => {
            errors.push(FieldError::new("format", "one of json, csv"));
            None
        }
    };
    let currency = currency_param(currency, errors);
    Some(Common {
        window: window?,
        currency,
        format: format?,
    })
}

fn answer<T: Serialize + CsvTable + Send + Sync>(
    res: &mut Response,
    format: Format,
    name: &str,
    window: &ReportWindow,
    report: &T,
) -> Result<(), AnalyticsError> {
    match format {
        Format::Json => res.render(Json(report)),
        Format::Csv => {
            let body = reports::to_csv(report).map_err(|e| AnalyticsError::Internal(e.into()))?;
            res.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            let file = format!(
                "attachment; filename=\"{name}-{}-{}.csv\"",
                window.from, window.to
            );
            if let Ok(value) = HeaderValue::from_str(&file) {
                res.headers_mut().insert(CONTENT_DISPOSITION, value);
            }
            res.body(body);
        }
    }
    Ok(())
}

/// `?currency=`: an ISO 4217 code (three letters), to keep one currency's entries.
fn currency_param(raw: Text, errors: &mut Vec<FieldError>) -> Option<String> {
    let code = raw.into_inner()?.trim().to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Some(code)
    } else {
        errors.push(FieldError::new(
            "currency",
            "a three-letter ISO 4217 code, e.g. EUR",
        ));
        None
    }
}

fn checked<T>(value: Option<T>, errors: Vec<FieldError>) -> Result<T, AnalyticsError> {
    match value {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(AnalyticsError::Validation(errors)),
    }
}

/// Key figures of a period beside those of the period of the same length before it: orders,
/// paid, cancelled, shipped and refunded orders, gross and net revenue, average order value and
/// rates, per currency; new and returning customers.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Key figures, per currency", body = KpiReport))
)]
#[allow(clippy::too_many_arguments)]
pub async fn kpis(
    _admin: Admin,
    from: Text,
    to: Text,
    tz: Text,
    currency: Text,
    format: Text,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let c = checked(
        common(req, (from, to, tz, currency), format, &mut errors),
        errors,
    )?;
    let report = reports::kpis(pool(depot)?, &c.window, c.currency.as_deref()).await?;
    answer(res, c.format, "kpis", &c.window, &report)
}

/// Orders, paid orders and gross revenue per hour, day or week (`granularity`), every bucket of
/// the period included, per currency.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "A time series per currency", body = SeriesReport))
)]
#[allow(clippy::too_many_arguments)]
pub async fn series(
    _admin: Admin,
    from: Text,
    to: Text,
    tz: Text,
    currency: Text,
    granularity: Text,
    format: Text,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let c = common(req, (from, to, tz, currency), format, &mut errors);
    let granularity = Granularity::parse(granularity.into_inner().as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    if let (Some(c), Some(g)) = (&c, granularity)
        && let Err(e) = c.window.check_granularity(g)
    {
        errors.push(e);
    }
    let (c, granularity) = checked(c.zip(granularity), errors)?;
    let report =
        reports::series(pool(depot)?, &c.window, granularity, c.currency.as_deref()).await?;
    answer(res, c.format, "series", &c.window, &report)
}

/// The funnel placed → stock reserved → paid → shipped: orders at each step, conversion, and
/// the median time from the step before.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "The funnel", body = FunnelReport))
)]
#[allow(clippy::too_many_arguments)]
pub async fn funnel(
    _admin: Admin,
    from: Text,
    to: Text,
    tz: Text,
    currency: Text,
    format: Text,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let c = checked(
        common(req, (from, to, tz, currency), format, &mut errors),
        errors,
    )?;
    let report = reports::funnel(pool(depot)?, &c.window, c.currency.as_deref()).await?;
    answer(res, c.format, "funnel", &c.window, &report)
}

#[allow(clippy::too_many_arguments)]
async fn top(
    dimension: TopDimension,
    (from, to, tz, currency, format): (Text, Text, Text, Text, Text),
    by: Text,
    limit: QueryParam<EntryLimit, false>,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let c = common(req, (from, to, tz, currency), format, &mut errors);
    let by = TopMeasure::parse(by.into_inner().as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    let limit = EntryLimit::get(limit.into_inner())
        .map_err(|e| errors.push(e))
        .ok();
    let ((c, by), limit) = checked(c.zip(by).zip(limit), errors)?;
    let report = reports::top(
        pool(depot)?,
        &c.window,
        dimension,
        by,
        c.currency.as_deref(),
        limit,
    )
    .await?;
    let name = match dimension {
        TopDimension::Products => "top-products",
        TopDimension::Categories => "top-categories",
    };
    answer(res, c.format, name, &c.window, &report)
}

/// The best-selling products of paid orders, by revenue or units (`by`), per currency.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Products, best first", body = TopReport))
)]
#[allow(clippy::too_many_arguments)]
pub async fn top_products(
    _admin: Admin,
    from: Text,
    to: Text,
    tz: Text,
    by: Text,
    currency: Text,
    limit: QueryParam<EntryLimit, false>,
    format: Text,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    top(
        TopDimension::Products,
        (from, to, tz, currency, format),
        by,
        limit,
        req,
        depot,
        res,
    )
    .await
}

/// The best-selling categories of paid orders, by revenue or units (`by`), per currency.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Categories, best first", body = TopReport))
)]
#[allow(clippy::too_many_arguments)]
pub async fn top_categories(
    _admin: Admin,
    from: Text,
    to: Text,
    tz: Text,
    by: Text,
    currency: Text,
    limit: QueryParam<EntryLimit, false>,
    format: Text,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    top(
        TopDimension::Categories,
        (from, to, tz, currency, format),
        by,
        limit,
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
#[allow(clippy::too_many_arguments)]
pub async fn cancellations(
    _admin: Admin,
    from: Text,
    to: Text,
    tz: Text,
    currency: Text,
    format: Text,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let c = checked(
        common(req, (from, to, tz, currency), format, &mut errors),
        errors,
    )?;
    let report = reports::cancellations(pool(depot)?, &c.window, c.currency.as_deref()).await?;
    answer(res, c.format, "cancellations", &c.window, &report)
}

/// Weekly cohorts of customers by their first order in the period, and how many of each
/// ordered again in each later week of the period.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "The cohort table", body = CohortReport))
)]
#[allow(clippy::too_many_arguments)]
pub async fn cohorts(
    _admin: Admin,
    from: Text,
    to: Text,
    tz: Text,
    currency: Text,
    format: Text,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let c = checked(
        common(req, (from, to, tz, currency), format, &mut errors),
        errors,
    )?;
    let report = reports::cohorts(pool(depot)?, &c.window, c.currency.as_deref()).await?;
    answer(res, c.format, "cohorts", &c.window, &report)
}

/// SKUs that lost orders to missing stock in the period, and the latest low-stock signals.
#[endpoint(
    tags("analytics"),
    status_codes(200, 401, 403, 422, 500),
    responses((status_code = 200, description = "Stock signals", body = StockReport))
)]
#[allow(clippy::too_many_arguments)]
pub async fn stock(
    _admin: Admin,
    from: Text,
    to: Text,
    tz: Text,
    currency: Text,
    limit: QueryParam<EntryLimit, false>,
    format: Text,
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), AnalyticsError> {
    let mut errors = Vec::new();
    let c = common(req, (from, to, tz, currency), format, &mut errors);
    let limit = EntryLimit::get(limit.into_inner())
        .map_err(|e| errors.push(e))
        .ok();
    let (c, limit) = checked(c.zip(limit), errors)?;
    let report = reports::stock(pool(depot)?, &c.window, c.currency.as_deref(), limit).await?;
    answer(res, c.format, "stock", &c.window, &report)
}
