//! The orders service's own configuration, from the environment (the runtime reads the rest:
//! ports, sidecar, database).

use std::time::Duration;

/// How long an order may stay unconfirmed (no stock answer, no payment) before its reminder
/// cancels it with reason `timeout`.
pub const DEFAULT_CONFIRMATION_DEADLINE: Duration = Duration::from_secs(15 * 60);

/// `ORDER_CONFIRMATION_DEADLINE_SECONDS`, whole positive seconds; the default when unset.
pub fn confirmation_deadline() -> anyhow::Result<Duration> {
    match std::env::var("ORDER_CONFIRMATION_DEADLINE_SECONDS") {
        Err(_) => Ok(DEFAULT_CONFIRMATION_DEADLINE),
        Ok(raw) => parse_deadline(&raw),
    }
}

fn parse_deadline(raw: &str) -> anyhow::Result<Duration> {
    let seconds: u64 = raw.parse().map_err(|_| {
        anyhow::anyhow!("ORDER_CONFIRMATION_DEADLINE_SECONDS must be whole seconds, not {raw:?}")
    })?;
    anyhow::ensure!(
        seconds > 0,
        "ORDER_CONFIRMATION_DEADLINE_SECONDS must be positive"
    );
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_whole_positive_seconds() {
        assert_eq!(parse_deadline("30").unwrap(), Duration::from_secs(30));
        assert!(parse_deadline("0").is_err());
        assert!(parse_deadline("1.5").is_err());
        assert!(parse_deadline("-3").is_err());
    }
}
