//! Command-line options, parsed by hand: three flags do not justify an argument-parser crate.

use std::time::Duration;

use anyhow::{Context, bail};

pub const USAGE: &str = "\
usage: shop-bench [--concurrency N] [--seconds S] [--only login|gateway|direct|tracing|catalog|reservations|orders|paid|notifications|analytics]

  --concurrency N   concurrent workers per scenario (default 16)
  --seconds S       measured seconds per scenario, after a 2 s warm-up (default 10)
  --only SCENARIO   run one scenario: login, gateway (profile via gateway), direct
                    (profile straight on the users service), tracing (the gateway profile
                    read with every request traced, one in ten and none, twice over, side
                    by side), catalog (listing and search
                    through the gateway), reservations (order events through Kafka),
                    orders (orders placed through the gateway, appends to the orders event
                    store through Dapr, then one replay of the read models) or paid (orders
                    paid end to end: placed with a test card, read back until confirmed) or
                    notifications (registrations through Kafka until each welcome email is
                    in Mailpit, beside emails sent straight through the SMTP binding) or
                    analytics (a million order events folded into analytics' projections in a
                    scratch database, beside writing them raw; each report query's p99)";

/// The most workers we hand distinct source addresses to (see `load::source_address`).
const MAX_CONCURRENCY: usize = 254 * 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    Login,
    Gateway,
    Direct,
    Tracing,
    Catalog,
    Reservations,
    Orders,
    Paid,
    Notifications,
    Analytics,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub concurrency: usize,
    pub measured: Duration,
    pub only: Option<Only>,
}

impl Options {
    /// Parses the arguments after the program name. `Ok(None)` means help was asked for.
    pub fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<Option<Self>> {
        let mut options = Self {
            concurrency: 16,
            measured: Duration::from_secs(10),
            only: None,
        };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            if flag == "-h" || flag == "--help" {
                return Ok(None);
            }
            let value = args
                .next()
                .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))?;
            match flag.as_str() {
                "--concurrency" => {
                    options.concurrency = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_CONCURRENCY).contains(n))
                        .with_context(|| {
                            format!("--concurrency takes a whole number from 1 to {MAX_CONCURRENCY}, not {value:?}")
                        })?;
                }
                "--seconds" => {
                    let seconds: f64 = value
                        .parse()
                        .ok()
                        .filter(|s: &f64| s.is_finite() && *s > 0.0)
                        .with_context(|| {
                            format!("--seconds takes a positive number, not {value:?}")
                        })?;
                    options.measured = Duration::from_secs_f64(seconds);
                }
                "--only" => {
                    options.only = Some(match value.as_str() {
                        "login" => Only::Login,
                        "gateway" => Only::Gateway,
                        "direct" => Only::Direct,
                        "tracing" => Only::Tracing,
                        "catalog" => Only::Catalog,
                        "reservations" => Only::Reservations,
                        "orders" => Only::Orders,
                        "paid" => Only::Paid,
                        "notifications" => Only::Notifications,
                        "analytics" => Only::Analytics,
                        other => bail!(
                            "--only takes login, gateway, direct, tracing, catalog, reservations, orders, paid, notifications or analytics, not {other:?}"
                        ),
                    });
                }
                other => bail!("unknown argument {other:?}\n\n{USAGE}"),
            }
        }
        Ok(Some(options))
    }

    pub fn runs(&self, scenario: Only) -> bool {
        self.only.is_none_or(|only| only == scenario)
    }
}
