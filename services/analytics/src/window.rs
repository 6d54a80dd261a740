//! The period a report covers, read once from the query string into types the reports trust:
//! whole days in an IANA time zone (so "Monday" is the shop owner's Monday, DST included), the
//! previous period of the same length for comparison, and the granularity of a time series.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use contracts::FieldError;

/// The longest period a report covers, and the longest an hourly series may span (744 points).
pub const MAX_DAYS: u64 = 366;
pub const MAX_HOURLY_DAYS: u64 = 31;
/// Without `from`/`to`: the last seven days, today included.
pub const DEFAULT_DAYS: u64 = 7;

/// `from`..=`to`, whole days in `time_zone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportWindow {
    pub from: NaiveDate,
    /// The last day, included.
    pub to: NaiveDate,
    pub time_zone: Tz,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Hour,
    Day,
    Week,
}

impl Granularity {
    pub const ALL: [Granularity; 3] = [Self::Hour, Self::Day, Self::Week];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Week => "week",
        }
    }

    pub fn parse(raw: Option<&str>) -> Result<Self, FieldError> {
        match raw.map(str::trim) {
            None | Some("") => Ok(Self::Day),
            Some(text) => Self::ALL
                .into_iter()
                .find(|g| g.as_str() == text)
                .ok_or_else(|| FieldError::new("granularity", "one of hour, day, week")),
        }
    }
}

/// The raw query parameters of a period, as text: each is checked here so that every wrong one
/// is named in one answer.
#[derive(Debug, Default, Clone)]
pub struct WindowParams<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub time_zone: Option<&'a str>,
}

impl ReportWindow {
    /// Reads the period; `today` is the caller's clock (tests pass a fixed one).
    pub fn parse(params: WindowParams<'_>, now: DateTime<Utc>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let time_zone = match params.time_zone.map(str::trim) {
            None | Some("") => Tz::UTC,
            Some(name) => name.parse::<Tz>().unwrap_or_else(|_| {
                errors.push(FieldError::new(
                    "tz",
                    "an IANA time zone name, such as Europe/Berlin or UTC",
                ));
                Tz::UTC
            }),
        };
        let mut date = |field: &'static str, raw: Option<&str>| match raw.map(str::trim) {
            None | Some("") => None,
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| errors.push(FieldError::new(field, "a date, YYYY-MM-DD")))
                .ok(),
        };
        let from = date("from", params.from);
        let to = date("to", params.to);
        let today = now.with_timezone(&time_zone).date_naive();
        let (from, to) = match (from, to) {
            (Some(from), Some(to)) => (from, to),
            (Some(from), None) => (from, from.max(today)),
            (None, Some(to)) => (to - Days::new(DEFAULT_DAYS - 1), to),
            (None, None) => (today - Days::new(DEFAULT_DAYS - 1), today),
        };
        if from > to {
            errors.push(FieldError::new("from", "on or before `to`"));
        } else if (to - from).num_days() as u64 >= MAX_DAYS {
            errors.push(FieldError::new(
                "to",
                format!("at most {MAX_DAYS} days after `from`"),
            ));
        }
        if errors.is_empty() {
            Ok(Self {
                from,
                to,
                time_zone,
            })
        } else {
            Err(errors)
        }
    }

    pub fn days(&self) -> u64 {
        (self.to - self.from).num_days() as u64 + 1
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Self {
        let days = Days::new(self.days());
        Self {
            from: self.from - days,
            to: self.to - days,
            time_zone: self.time_zone,
        }
    }

    /// The first instant of the period and the first instant after it.
    pub fn instants(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            self.midnight(self.from),
            self.midnight(self.to + Days::new(1)),
        )
    }

    /// Local midnight; on a day that starts inside a DST gap, the first instant that exists.
    fn midnight(&self, day: NaiveDate) -> DateTime<Utc> {
        let local = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        self.time_zone
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.time_zone
                    .from_local_datetime(&(local + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local))
    }

    /// Whether a series of this granularity stays readable over this period.
    pub fn check_granularity(&self, granularity: Granularity) -> Result<(), FieldError> {
        if granularity == Granularity::Hour && self.days() > MAX_HOURLY_DAYS {
            return Err(FieldError::new(
                "granularity",
                format!("hour covers at most {MAX_HOURLY_DAYS} days; use day or week"),
            ));
        }
        Ok(())
    }

    pub fn time_zone_name(&self) -> &'static str {
        self.time_zone.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 29, 23, 30, 0).unwrap()
    }

    fn parse(
        from: Option<&str>,
        to: Option<&str>,
        tz: Option<&str>,
    ) -> Result<ReportWindow, Vec<FieldError>> {
        ReportWindow::parse(
            WindowParams {
                from,
                to,
                time_zone: tz,
            },
            now(),
        )
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.iter().map(|e| e.field.to_owned()).collect()
    }

    #[test]
    fn the_default_is_the_last_seven_days_in_the_time_zone() {
        let window = parse(None, None, Some("Europe/Berlin")).unwrap();
        // 23:30 UTC on 29 March is already 30 March in Berlin (summer time started that day).
        assert_eq!(window.to, NaiveDate::from_ymd_opt(2026, 3, 30).unwrap());
        assert_eq!(window.days(), 7);
    }

    #[test]
    fn days_are_local_and_the_previous_period_has_the_same_length() {
        let window = parse(
            Some("2026-03-29"),
            Some("2026-03-29"),
            Some("Europe/Berlin"),
        )
        .unwrap();
        let (start, end) = window.instants();
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 3, 28, 23, 0, 0).unwrap());
        // The DST day is 23 hours long.
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 3, 29, 22, 0, 0).unwrap());
        let previous = window.previous();
        assert_eq!(
            (previous.from, previous.to),
            (
                NaiveDate::from_ymd_opt(2026, 3, 28).unwrap(),
                NaiveDate::from_ymd_opt(2026, 3, 28).unwrap()
            )
        );
    }

    #[test]
    fn every_wrong_parameter_is_named() {
        let errors =
            parse(Some("yesterday"), Some("2026-13-01"), Some("Mars/Olympus")).unwrap_err();
        assert_eq!(fields(errors), ["tz", "from", "to"]);
        assert_eq!(
            fields(parse(Some("2026-03-02"), Some("2026-03-01"), None).unwrap_err()),
            ["from"]
        );
        assert_eq!(
            fields(parse(Some("2025-01-01"), Some("2026-03-01"), None).unwrap_err()),
            ["to"]
        );
    }

    #[test]
    fn hourly_series_are_limited_to_a_month() {
        let window = parse(Some("2026-01-01"), Some("2026-03-01"), None).unwrap();
        assert!(window.check_granularity(Granularity::Day).is_ok());
        assert!(window.check_granularity(Granularity::Hour).is_err());
        assert!(Granularity::parse(Some("minute")).is_err());
        assert_eq!(Granularity::parse(None).unwrap(), Granularity::Day);
    }
}
