//! The closed-loop load generator.
//!
//! Closed loop: each of C workers sends a request, waits for the whole response, and sends the
//! next one at once. The offered load therefore adapts to the system (C requests are always in
//! flight), so the figures say "how fast does it go with C concurrent callers" rather than
//! "what happens at a fixed arrival rate", and a slow system cannot bury itself under a queue
//! the generator keeps filling.
//!
//! Each run starts with a warm-up whose samples are discarded: it opens every worker's
//! connection, fills the services' connection pools and the sidecars' caches (name resolution,
//! mTLS sessions), so the first expensive requests do not skew the percentiles.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::time::Instant;

pub const WARM_UP: Duration = Duration::from_secs(2);

/// Generous enough for a login queued behind a dozen argon2 hashes; a timeout is an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds one request of a scenario on a worker's client.
pub type RequestFactory = Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>;

/// One worker's own sequence of requests, for scenarios where a request depends on how the
/// worker's earlier ones went (a stream version that moves on only when an append succeeds)
/// or where only one status is a success (201 for a creation). A `RequestFactory` is a session
/// with no memory that takes any 2xx, shared by every worker.
pub trait Session: Send + Sync + 'static {
    /// The next request to send.
    fn request(&mut self, client: &reqwest::Client) -> reqwest::RequestBuilder;

    /// Whether an answer with `status` is a success; any other is counted as an error.
    fn accepts(&self, status: reqwest::StatusCode) -> bool {
        status.is_success()
    }

    /// The status the last request got, `None` after a transport error (a timeout, say).
    /// Called after every request, measured or not: a warm-up append moves a stream on too.
    fn answered(&mut self, _status: Option<reqwest::StatusCode>) {}

    /// The body of a successful answer, and whether its request was in the measured window:
    /// for scenarios that follow up on what they created (an order's stock decision).
    fn succeeded(&mut self, _body: &[u8], _measured: bool) {}
}

impl Session for RequestFactory {
    fn request(&mut self, client: &reqwest::Client) -> reqwest::RequestBuilder {
        (**self)(client)
    }
}

/// What one scenario measured: the latency of every successful request in the measured window,
/// and the failures by kind.
#[derive(Debug, Default)]
pub struct Samples {
    pub latencies: Vec<Duration>,
    pub errors: BTreeMap<String, u64>,
    /// One failure's details, to say what went wrong without flooding the output.
    pub first_error: Option<String>,
}

impl Samples {
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    pub fn merge(&mut self, other: Self) {
        self.latencies.extend(other.latencies);
        for (kind, count) in other.errors {
            *self.errors.entry(kind).or_default() += count;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// The source address of worker `index`: 127.10.x.y, all distinct.
///
/// The gateway rate-limits per client IP (a token bucket of 100/s, burst 200), so sixteen
/// workers sharing 127.0.0.1 would soon measure the limiter's 429s instead of the system. The
/// whole of 127.0.0.0/8 is loopback on Linux, so binding each worker's client to its own
/// address there gives every worker its own bucket while the traffic stays on `lo`. The limit
/// is not switched off: a worker that outruns 100 requests/s still gets 429s, counted as errors.
pub fn source_address(index: usize) -> anyhow::Result<IpAddr> {
    let high = u8::try_from(index / 254).context("too many workers for 127.10.0.0/16")?;
    let low = u8::try_from(index % 254 + 1).context("host byte in 1..=254")?;
    Ok(IpAddr::V4(Ipv4Addr::new(127, 10, high, low)))
}

/// Runs one worker per session, each with its own source address, for the warm-up then
/// `measured`, and gathers what they measured.
pub async fn run_sessions<S: Session>(
    sessions: Vec<S>,
    measured: Duration,
) -> anyhow::Result<Samples> {
    let clients = (0..sessions.len())
        .map(worker_client)
        .collect::<anyhow::Result<Vec<_>>>()?;

    let window = Window::after_warm_up(measured);
    let workers: Vec<_> = clients
        .into_iter()
        .zip(sessions)
        .map(|(client, session)| tokio::spawn(worker(client, session, window)))
        .collect();
    let mut samples = Samples::default();
    for worker in workers {
        samples.merge(worker.await.context("a load worker panicked")?);
    }
    Ok(samples)
}

/// Worker `index`'s HTTP client, bound to its own source address (see `source_address`).
pub fn worker_client(index: usize) -> anyhow::Result<reqwest::Client> {
    let source = source_address(index)?;
    reqwest::Client::builder()
        .local_address(source)
        // A proxy from the environment would see one client, and defeat the point.
        .no_proxy()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .with_context(|| format!("an HTTP client bound to {source}"))
}

/// The measured window: after the warm-up, for the measured time.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    measure_from: Instant,
    pub end: Instant,
}

impl Window {
    /// The window that opens once the warm-up, starting now, is over.
    pub fn after_warm_up(measured: Duration) -> Self {
        let measure_from = Instant::now() + WARM_UP;
        Self {
            measure_from,
            end: measure_from + measured,
        }
    }

    /// Only requests wholly inside the measured window count: then successes / window length
    /// is the throughput, and warm-up requests cannot leak in.
    pub fn contains(&self, started: Instant, finished: Instant) -> bool {
        started >= self.measure_from && finished <= self.end
    }
}

async fn worker<S: Session>(client: reqwest::Client, mut session: S, window: Window) -> Samples {
    let mut samples = Samples::default();
    while Instant::now() < window.end {
        let started = Instant::now();
        let request = session.request(&client);
        let outcome = exchange(request, |status| session.accepts(status)).await;
        let finished = Instant::now();
        session.answered(match &outcome {
            Ok((status, _)) => Some(*status),
            Err(failure) => failure.status,
        });
        let measured = window.contains(started, finished);
        if let Ok((_, body)) = &outcome {
            session.succeeded(body, measured);
        }
        if !measured {
            continue;
        }
        match outcome {
            Ok(_) => samples.latencies.push(finished - started),
            Err(failure) => {
                *samples.errors.entry(failure.kind).or_default() += 1;
                samples.first_error.get_or_insert(failure.detail);
            }
        }
    }
    samples
}

pub struct Failure {
    /// What the error table groups by: the status code, or the kind of transport error.
    pub kind: String,
    pub detail: String,
    /// The status of an answer that was not a success; `None` for a transport error.
    status: Option<reqwest::StatusCode>,
}

/// Sends the request and reads the whole body: the latency is what a caller waits for, and a
/// body left unread would keep the connection from being reused.
pub async fn exchange(
    request: reqwest::RequestBuilder,
    accepts: impl Fn(reqwest::StatusCode) -> bool,
) -> Result<(reqwest::StatusCode, bytes::Bytes), Failure> {
    let transport = |error: reqwest::Error| Failure {
        kind: if error.is_timeout() {
            "timeout".to_owned()
        } else if error.is_connect() {
            "connect".to_owned()
        } else {
            "transport".to_owned()
        },
        detail: format!("{error:#}"),
        status: None,
    };
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    let body = response.bytes().await.map_err(transport)?;
    if accepts(status) {
        Ok((status, body))
    } else {
        let body = String::from_utf8_lossy(&body);
        Err(Failure {
            kind: status.as_u16().to_string(),
            detail: format!("{status}: {}", body.chars().take(300).collect::<String>()),
            status: Some(status),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_worker_gets_its_own_loopback_address() -> anyhow::Result<()> {
        let addresses = (0..1000)
            .map(source_address)
            .collect::<anyhow::Result<std::collections::HashSet<_>>>()?;
        assert_eq!(addresses.len(), 1000);
        assert!(addresses.iter().all(IpAddr::is_loopback));
        assert_eq!(source_address(0)?, IpAddr::V4(Ipv4Addr::new(127, 10, 0, 1)));
        Ok(())
    }
}
