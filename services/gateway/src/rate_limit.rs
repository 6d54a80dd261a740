//! Per-client rate limiting: a token bucket per client IP address. Each request takes a token;
//! tokens come back at a steady rate up to the burst size. An empty bucket means 429 with
//! `retry-after` and a problem+json body.
//!
//! salvo's rate limiter does the bookkeeping: the client key (the remote IP), the table of
//! buckets (a moka cache that forgets idle clients) and the refusal. What it ships as guards are
//! fixed and sliding windows, and neither can say "100 per second on average, bursts of 200":
//! a window of 200 per 2 s lets a client that spent its burst wait up to two seconds, where a
//! bucket hands it a token every 10 ms. So the bucket arithmetic is ours, as a salvo
//! [`RateGuard`]. salvo's refusal is a bare 429; [`ClientRateLimit`] adds `retry-after` and the
//! problem body.
//!
//! The buckets live in this gateway instance's memory: with several gateway replicas each
//! enforces its share, which is the usual trade-off for not adding a round trip per request.

use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use salvo::http::StatusCode;
use salvo::http::header::{HeaderValue, RETRY_AFTER};
use salvo::prelude::*;
use salvo::rate_limiter::{MokaStore, RateGuard, RateLimiter, RemoteIpIssuer};
use service_runtime::Problem;

/// Buckets of clients idle this long are forgotten (a bucket refills long before that, and a
/// forgotten bucket comes back full, so forgetting changes nothing for the client).
const IDLE_BUCKETS_KEPT_FOR: Duration = Duration::from_secs(300);
/// Beyond this many clients, moka evicts the least used buckets first.
const MAX_BUCKETS: u64 = 100_000;

/// How fast a bucket refills and how many tokens it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketQuota {
    per_second: f64,
    burst: f64,
}

impl BucketQuota {
    pub fn new(per_second: f64, burst: f64) -> Self {
        Self { per_second, burst }
    }

    /// Whole seconds for one token to come back: the longest a refused client has to wait, as
    /// a refusal means less than one token is left.
    fn seconds_per_token(&self) -> u64 {
        (1.0 / self.per_second).ceil().max(1.0) as u64
    }
}

/// One client's bucket. A new client's bucket is full; salvo clones the empty `TokenBucket`
/// it was given for every new client, so "full" is the absence of a level rather than a level
/// stamped when the limiter was built.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenBucket {
    level: Option<Level>,
}

#[derive(Debug, Clone, Copy)]
struct Level {
    tokens: f64,
    at: Instant,
}

impl TokenBucket {
    fn tokens_at(&self, quota: &BucketQuota, now: Instant) -> f64 {
        match self.level {
            None => quota.burst,
            Some(level) => {
                let refill =
                    now.saturating_duration_since(level.at).as_secs_f64() * quota.per_second;
                (level.tokens + refill).min(quota.burst)
            }
        }
    }

    /// Takes a token at `now` if there is one.
    fn try_take(&mut self, quota: &BucketQuota, now: Instant) -> bool {
        let tokens = self.tokens_at(quota, now);
        let taken = tokens >= 1.0;
        self.level = Some(Level {
            tokens: if taken { tokens - 1.0 } else { tokens },
            at: now,
        });
        taken
    }
}

impl RateGuard for TokenBucket {
    type Quota = BucketQuota;

    async fn verify(&mut self, quota: &Self::Quota) -> bool {
        self.try_take(quota, Instant::now())
    }

    async fn remaining(&self, quota: &Self::Quota) -> usize {
        self.tokens_at(quota, Instant::now()) as usize
    }

    /// When the bucket is full again (a Unix timestamp); the store keeps it at least that long.
    async fn reset(&self, quota: &Self::Quota) -> i64 {
        let missing = quota.burst - self.tokens_at(quota, Instant::now());
        let unix_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs() as i64);
        unix_now.saturating_add((missing / quota.per_second).ceil() as i64)
    }

    async fn limit(&self, quota: &Self::Quota) -> usize {
        quota.burst as usize
    }
}

type ClientLimiter =
    RateLimiter<TokenBucket, MokaStore<IpAddr, TokenBucket>, RemoteIpIssuer, BucketQuota>;

/// salvo's rate limiter keyed by the client's IP address, answering its refusals as problems.
pub struct ClientRateLimit {
    limiter: ClientLimiter,
    retry_after: u64,
}

impl ClientRateLimit {
    pub fn new(per_second: f64, burst: f64) -> Self {
        let quota = BucketQuota::new(per_second, burst);
        Self {
            limiter: RateLimiter::new(
                TokenBucket::default(),
                MokaStore::with_capacity_and_time_to_idle(MAX_BUCKETS, IDLE_BUCKETS_KEPT_FOR),
                RemoteIpIssuer,
                quota,
            ),
            retry_after: quota.seconds_per_token(),
        }
    }
}

#[async_trait]
impl Handler for ClientRateLimit {
    async fn handle(
        &self,
        req: &mut Request,
        depot: &mut Depot,
        res: &mut Response,
        ctrl: &mut FlowCtrl,
    ) {
        // Nothing but the limiter has run on this response yet, so a 429 here is its refusal
        // (it sets the status and skips the rest of the chain), never a service's answer.
        self.limiter.handle(req, depot, res, ctrl).await;
        if res.status_code == Some(StatusCode::TOO_MANY_REQUESTS) {
            res.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(self.retry_after));
            res.render(
                Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many requests",
                )
                .with_detail(format!("retry after {} s", self.retry_after)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits_for_refill() {
        let quota = BucketQuota::new(2.0, 3.0);
        let mut bucket = TokenBucket::default();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(bucket.try_take(&quota, start));
        }
        assert!(!bucket.try_take(&quota, start));
        // Half a second at 2 tokens/s brings one back.
        let later = start + Duration::from_millis(500);
        assert!(bucket.try_take(&quota, later));
        assert!(!bucket.try_take(&quota, later));
    }

    #[test]
    fn a_bucket_never_holds_more_than_the_burst() {
        let quota = BucketQuota::new(100.0, 2.0);
        let mut bucket = TokenBucket::default();
        let start = Instant::now();
        assert!(bucket.try_take(&quota, start));
        let much_later = start + Duration::from_secs(60);
        assert!(bucket.try_take(&quota, much_later));
        assert!(bucket.try_take(&quota, much_later));
        assert!(!bucket.try_take(&quota, much_later));
    }

    #[test]
    fn retry_after_is_the_time_one_token_takes_in_whole_seconds() {
        assert_eq!(BucketQuota::new(100.0, 200.0).seconds_per_token(), 1);
        assert_eq!(BucketQuota::new(0.25, 1.0).seconds_per_token(), 4);
        assert_eq!(BucketQuota::new(0.3, 1.0).seconds_per_token(), 4);
    }
}
