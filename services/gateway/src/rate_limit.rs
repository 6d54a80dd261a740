//! Per-client rate limiting: a token bucket per client IP address. Each request takes a token;
//! tokens come back at a steady rate up to the burst size. An empty bucket means 429 with
//! `retry-after`, the number of seconds until a token is back.
//!
//! The buckets live in this gateway instance's memory: with several gateway replicas each
//! enforces its share, which is the usual trade-off for not adding a round trip per request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use salvo::http::StatusCode;
use salvo::http::header::{HeaderValue, RETRY_AFTER};
use salvo::prelude::*;
use service_runtime::Problem;

/// Buckets idle this long are forgotten when the table grows large.
const IDLE_SECONDS: f64 = 300.0;
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

#[derive(Clone)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<IpAddr, Bucket>>>,
}

impl RateLimiter {
    pub fn new(per_second: f64, burst: f64) -> Self {
        Self {
            per_second,
            burst,
            buckets: Arc::default(),
        }
    }

    /// Takes a token for `client` at `now`; on refusal, the seconds until one is available.
    fn try_acquire(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| now.duration_since(b.refilled_at).as_secs_f64() < IDLE_SECONDS);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            refilled_at: now,
        });
        let elapsed = now.duration_since(bucket.refilled_at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }
}

#[async_trait]
impl Handler for RateLimiter {
    async fn handle(
        &self,
        req: &mut Request,
        depot: &mut Depot,
        res: &mut Response,
        ctrl: &mut FlowCtrl,
    ) {
        let Some(client) = req.remote_addr().clone().into_std().map(|addr| addr.ip()) else {
            ctrl.call_next(req, depot, res).await;
            return;
        };
        match self.try_acquire(client, Instant::now()) {
            Ok(()) => {
                ctrl.call_next(req, depot, res).await;
            }
            Err(retry_after) => {
                res.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(retry_after));
                res.render(
                    Problem::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "rate-limited",
                        "Too many requests",
                    )
                    .with_detail(format!("retry after {retry_after} s")),
                );
                ctrl.skip_rest();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_client_gets_its_burst_then_waits_for_refill() {
        let limiter = RateLimiter::new(2.0, 3.0);
        let client: IpAddr = "10.0.0.1".parse().unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.try_acquire(client, start).is_ok());
        }
        assert_eq!(limiter.try_acquire(client, start), Err(1));
        // Half a second at 2 tokens/s brings one back.
        assert!(
            limiter
                .try_acquire(client, start + Duration::from_millis(500))
                .is_ok()
        );
        assert!(
            limiter
                .try_acquire(client, start + Duration::from_millis(500))
                .is_err()
        );
    }

    #[test]
    fn clients_have_separate_buckets() {
        let limiter = RateLimiter::new(1.0, 1.0);
        let now = Instant::now();
        assert!(
            limiter
                .try_acquire("10.0.0.1".parse().unwrap(), now)
                .is_ok()
        );
        assert!(
            limiter
                .try_acquire("10.0.0.1".parse().unwrap(), now)
                .is_err()
        );
        assert!(
            limiter
                .try_acquire("10.0.0.2".parse().unwrap(), now)
                .is_ok()
        );
    }
}
