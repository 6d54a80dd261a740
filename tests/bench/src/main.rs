//! `shop-bench`: throughput and latency percentiles of the running system (`./shop bench`).
//!
//! Scenarios under the same closed-loop load (see `load`):
//! - `login`: POST /api/users/login through the gateway: gateway, its sidecar, the users
//!   sidecar, the users service, and an argon2id verification, which is slow on purpose;
//! - `profile via gateway`: GET /api/users/me with a bearer token, the same path for a cheap read;
//! - `profile direct`: the same read straight on the users service's port, with the headers
//!   its sidecar would add. The difference between the last two is what the gateway and the two
//!   Dapr hops cost;
//! - `catalog list` and `catalog search` through the gateway;
//! - `order placed` through the gateway and `event append` straight to the orders event store
//!   through Dapr, then one replay of the read models (see `orders`);
//! - `order paid e2e`: orders paid end to end, each placed with a test card and read back until
//!   it is confirmed (stock reserved through Kafka, payment authorized at the provider); its
//!   "requests" are confirmed orders and its latency is placement -> confirmed, shown beside the
//!   placement alone (see `paid`).
//!
//! - `profile traced 100%`, `10%` and `0%`: the gateway profile read with every request traced,
//!   one in ten and none, side by side (see `tracing_cost`).
//!
//! And ones that are not a closed loop: reservations processed from Kafka (see `reservations`);
//! a million order events folded into analytics' projections and its report queries timed over
//! them (see `analytics`).

mod analytics;
mod cli;
mod cpu;
mod decisions;
mod load;
mod notifications;
mod orders;
mod paid;
mod processes;
mod raw_postgres;
mod reservations;
mod sidecar_ops;
mod summary;
mod tracing_cost;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, ensure};
use shop_client::GATEWAY;

use crate::cli::{Only, Options};
use crate::load::{RequestFactory, Session};
use crate::summary::Summary;

const LOGIN: &str = "login";
const PROFILE_VIA_GATEWAY: &str = "profile via gateway";
const PROFILE_DIRECT: &str = "profile direct";
const CATALOG_LIST: &str = "catalog list";
const CATALOG_SEARCH: &str = "catalog search";
const ORDER_PLACED: &str = "order placed";
const EVENT_APPEND: &str = "event append";
const SIDECAR_APPEND: &str = "sidecar append";
const ORDER_PAID: &str = "order paid e2e";

/// Order events published for the reservation throughput figure.
const RESERVATION_EVENTS: usize = 400;
const NOTIFICATION_EVENTS: usize = 300;
/// The open loop's arrival rate and length (see `decisions::open_loop`).
const OPEN_LOOP_RATE: u32 = 100;
const OPEN_LOOP_SECONDS: u64 = 30;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Some(options) = Options::parse(std::env::args().skip(1))? else {
        println!("{}", cli::USAGE);
        return Ok(());
    };
    ensure!(
        std::env::var_os("SHOP_RUN").is_some(),
        "SHOP_RUN is not set: run the benchmarks with `./shop bench`, which sets it to the run directory"
    );
    require_system_up().await?;

    // One account for every request: the figures are about the path, not the data.
    let user = shop_client::register_user().await;
    let access_token = shop_client::access_token(&user).await;
    let app_api_token = shop_client::secret("app-api-token");

    print_header(&options);
    let mut summaries = Vec::new();
    let mut cpu_shares = Vec::new();

    if options.runs(Only::Login) {
        let url = format!("{GATEWAY}/api/users/login");
        let body = serde_json::json!({ "email": user.email, "password": user.password });
        let request: RequestFactory = Arc::new(move |client| client.post(&url).json(&body));
        summaries.push(measure(LOGIN, request, &options, &mut cpu_shares).await?);
    }
    if options.runs(Only::Gateway) {
        let url = format!("{GATEWAY}/api/users/me");
        let bearer = format!("Bearer {access_token}");
        let request: RequestFactory =
            Arc::new(move |client| client.get(&url).header("authorization", bearer.as_str()));
        summaries.push(measure(PROFILE_VIA_GATEWAY, request, &options, &mut cpu_shares).await?);
    }
    if options.runs(Only::Direct) {
        let url = format!(
            "http://127.0.0.1:{}/users/me",
            shop_client::app_port("users")
        );
        let user_id = user.user_id.clone();
        let app_api_token = app_api_token.clone();
        let request: RequestFactory = Arc::new(move |client| {
            client
                .get(&url)
                .header("dapr-api-token", app_api_token.as_str())
                .header("x-user-id", user_id.as_str())
                .header("x-user-roles", "customer")
        });
        summaries.push(measure(PROFILE_DIRECT, request, &options, &mut cpu_shares).await?);
    }
    if options.runs(Only::Tracing) {
        // Interleaved, twice: drift of the machine falls on every rate.
        for _ in 0..2 {
            for (scenario, ratio) in tracing_cost::RATES {
                let request = tracing_cost::profile_read(&access_token, ratio);
                summaries.push(measure(scenario, request, &options, &mut cpu_shares).await?);
            }
        }
    }

    if options.runs(Only::Catalog) {
        let url = format!("{GATEWAY}/api/catalog/products?category=electronics&limit=20");
        let request: RequestFactory = Arc::new(move |client| client.get(&url));
        summaries.push(measure(CATALOG_LIST, request, &options, &mut cpu_shares).await?);
        let url = format!("{GATEWAY}/api/catalog/products?q=lamp&sort=price&limit=20");
        let request: RequestFactory = Arc::new(move |client| client.get(&url));
        summaries.push(measure(CATALOG_SEARCH, request, &options, &mut cpu_shares).await?);
    }
    let reservations = if options.runs(Only::Reservations) {
        Some(reservations::measure(RESERVATION_EVENTS).await?)
    } else {
        None
    };
    let replay = if options.runs(Only::Orders) {
        Some(orders_scenarios(&access_token, &options, &mut summaries, &mut cpu_shares).await?)
    } else {
        None
    };
    let paid_placements = if options.runs(Only::Paid) {
        let admin = shop_client::admin_access_token().await;
        let sku = reservations::stocked_product(&admin, orders::STOCK).await?;
        let (summary, placements) =
            measure_paid(&access_token, &sku, &options, &mut cpu_shares).await?;
        summaries.push(summary);
        Some(placements)
    } else {
        None
    };

    let notifications = if options.runs(Only::Notifications) {
        Some(notifications::measure(NOTIFICATION_EVENTS).await?)
    } else {
        None
    };
    let analytics = if options.runs(Only::Analytics) {
        Some(analytics::measure().await?)
    } else {
        None
    };

    println!();
    summary::print_table(&summaries);
    for report in [reservations, replay, notifications, analytics]
        .into_iter()
        .flatten()
    {
        println!("{report}");
    }
    if !cpu_shares.is_empty() {
        println!(
            "load generator's own CPU, in % of one core: {}",
            cpu_shares.join(", ")
        );
    }
    let find = |name| summaries.iter().find(|s| s.scenario == name);
    if let (Some(via_gateway), Some(direct)) = (find(PROFILE_VIA_GATEWAY), find(PROFILE_DIRECT)) {
        summary::print_hop_cost(via_gateway, direct);
    }
    if options.runs(Only::Tracing) {
        let rounds: Vec<(f64, Vec<&Summary>)> = tracing_cost::RATES
            .iter()
            .map(|(name, ratio)| {
                (
                    *ratio,
                    summaries.iter().filter(|s| s.scenario == *name).collect(),
                )
            })
            .collect();
        tracing_cost::print_comparison(&rounds);
    }
    if let (Some(paid_orders), Some(placements)) = (find(ORDER_PAID), paid_placements) {
        summary::print_payment_cost(paid_orders, placements, find(ORDER_PLACED), paid::POLL);
    }
    Ok(())
}

/// The orders figures, each beside its baseline from this same run: raw Postgres (pgbench) and
/// event appends through the sidecar; orders placed through the gateway with the sidecar
/// operations and the CPU they cost and how soon inventory decided them; an open loop at a
/// fixed rate; a replay of every stream. Answers the report lines that are not table rows.
async fn orders_scenarios(
    access_token: &str,
    options: &Options,
    summaries: &mut Vec<Summary>,
    cpu_shares: &mut Vec<String>,
) -> anyhow::Result<String> {
    let mut report = Vec::new();
    let raw = raw_postgres::two_row_transactions_per_second(options.concurrency, options.measured)?;
    let sessions = orders::SidecarAppend::sessions(options.concurrency);
    let sidecar = measure_sessions(SIDECAR_APPEND, sessions, options, cpu_shares).await?;
    let sessions = orders::Append::sessions(options.concurrency);
    let appends = measure_sessions(EVENT_APPEND, sessions, options, cpu_shares).await?;
    report.push(format!(
        "raw Postgres, same machine and run: {raw:.0} two-row transactions/s (pgbench, {} clients); the same append through the orders sidecar's state API: {:.0}/s = {:.0} % of it; through the orders service's internal API (invocation, head read, transaction): {:.0}/s = {:.0} %",
        options.concurrency,
        sidecar.rps,
        100.0 * sidecar.rps / raw.max(f64::EPSILON),
        appends.rps,
        100.0 * appends.rps / raw.max(f64::EPSILON)
    ));
    summaries.push(sidecar);
    summaries.push(appends);

    let admin = shop_client::admin_access_token().await;
    let sku = reservations::stocked_product(&admin, orders::STOCK).await?;
    let placed = decisions::PlacedSink::default();
    let sessions = (0..options.concurrency)
        .map(|_| orders::PlaceOrder::new(access_token, &sku, placed.clone()))
        .collect();
    let ops_before = sidecar_ops::Counts::read().await?;
    let cpu_before = processes::CpuTicks::read();
    let started = tokio::time::Instant::now();
    let window_start = chrono::Utc::now() + chrono::Duration::from_std(load::WARM_UP)?;
    let placements = measure_sessions(ORDER_PLACED, sessions, options, cpu_shares).await?;
    let busy = started.elapsed();
    let cpu = processes::CpuTicks::read().shares_since(&cpu_before, busy);
    // Every placement's follow-ups (reservation, payment, confirmation, capture, e-mails) have
    // settled when the sidecars stop counting.
    let ops = sidecar_ops::Counts::settled().await?.since(&ops_before);
    let (all_placed, placed) = {
        let every = placed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let measured: Vec<decisions::Placed> = every
            .iter()
            .filter(|(_, measured)| *measured)
            .map(|(order, _)| order.clone())
            .collect();
        (every.len() as u64, measured)
    };
    let follow_up = decisions::placed_and_decided(&placed, window_start).await?;
    report.push(format!(
        "orders placed and decided by inventory (closed loop, {} workers): {} placed in the window, {} decided, {:.1} orders/s from the window's start to the last decision = {:.1} % of raw Postgres",
        options.concurrency,
        follow_up.placed,
        follow_up.decided,
        follow_up.per_second,
        100.0 * follow_up.per_second / raw.max(f64::EPSILON)
    ));
    report.push(format!(
        "sidecar operations per placed order, over its whole saga (placed, reserved, paid, confirmed, captured, notified; {all_placed} orders, warm-up included): {:.1}, by app and API call:\n{}",
        ops.total() as f64 / all_placed.max(1) as f64,
        ops.breakdown(all_placed).join("\n")
    ));
    report.push(format!(
        "CPU during `{ORDER_PLACED}` ({:.0} s), in % of one core (2 cores = 200 %):\n{}",
        busy.as_secs_f64(),
        cpu.iter()
            .map(|(group, share)| format!("    {share:>5.1}  {group}"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    summaries.push(placements);

    // First at a rate the closed loop showed the system sustains (so the latencies are those of
    // a system keeping up), then at the fixed target rate, whatever that does to it.
    let sustainable = (follow_up.per_second * 0.6).floor() as u32;
    if sustainable > 0 && sustainable < OPEN_LOOP_RATE {
        let mut open =
            decisions::open_loop(access_token, &sku, sustainable, OPEN_LOOP_SECONDS).await?;
        open.print();
    }
    // A failed replay is reported in its place; the figures measured before it still count.
    // Before the target-rate loop, which may leave a backlog behind.
    let replay = orders::replay().await;
    report.push(replay.unwrap_or_else(|error| format!("read-model replay: FAILED: {error:#}")));

    let mut open =
        decisions::open_loop(access_token, &sku, OPEN_LOOP_RATE, OPEN_LOOP_SECONDS).await?;
    open.print();
    Ok(report.join("\n"))
}

/// Fails early, with the fix, rather than in the middle of registering the benchmark's user.
async fn require_system_up() -> anyhow::Result<()> {
    let url = format!("{GATEWAY}/healthz");
    let response = shop_client::http()
        .get(&url)
        .send()
        .await
        .with_context(|| {
            format!("the gateway does not answer at {url}: is the system up? (`./shop status`)")
        })?;
    ensure!(
        response.status().is_success(),
        "the gateway is not healthy ({} from {url}): see `./shop status`",
        response.status()
    );
    Ok(())
}

fn print_header(options: &Options) {
    let cores = std::thread::available_parallelism()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown number of".to_owned());
    let client_profile = if cfg!(debug_assertions) {
        "dev profile"
    } else {
        "release profile"
    };
    println!(
        "shop-bench: closed loop, {} workers per scenario (each from its own 127.10.x.y source address), \
         {} s warm-up discarded, then {} s measured",
        options.concurrency,
        load::WARM_UP.as_secs_f64(),
        options.measured.as_secs_f64(),
    );
    println!(
        "builds: services as `./shop up` builds them (dev profile, dependencies at opt-level 1), \
         this client {client_profile}; {cores} cores shared by the client, the services, their \
         sidecars, Postgres and the brokers"
    );
}

async fn measure(
    scenario: &'static str,
    request: RequestFactory,
    options: &Options,
    cpu_shares: &mut Vec<String>,
) -> anyhow::Result<Summary> {
    let sessions = (0..options.concurrency)
        .map(|_| Arc::clone(&request))
        .collect();
    measure_sessions(scenario, sessions, options, cpu_shares).await
}

/// Like `measure`, with one session per worker (`options.concurrency` of them).
async fn measure_sessions<S: Session>(
    scenario: &'static str,
    sessions: Vec<S>,
    options: &Options,
    cpu_shares: &mut Vec<String>,
) -> anyhow::Result<Summary> {
    eprintln!(
        "running {scenario}: {} s warm-up + {} s ...",
        load::WARM_UP.as_secs_f64(),
        options.measured.as_secs_f64()
    );
    let cpu_before = cpu::process_cpu_time();
    let started = std::time::Instant::now();
    let samples = load::run_sessions(sessions, options.measured).await?;
    if let (Some(before), Some(after)) = (cpu_before, cpu::process_cpu_time()) {
        let share = cpu_share(after.saturating_sub(before), started.elapsed());
        cpu_shares.push(format!("{scenario} {share:.0}%"));
    }
    Ok(Summary::new(scenario, samples, options.measured))
}

/// The paid-orders scenario (see `paid`): its summary (confirmed orders, placement ->
/// confirmed latency) and the placement latencies of the same orders.
async fn measure_paid(
    access_token: &str,
    sku: &str,
    options: &Options,
    cpu_shares: &mut Vec<String>,
) -> anyhow::Result<(Summary, Vec<Duration>)> {
    eprintln!(
        "running {ORDER_PAID}: {} s warm-up + {} s ...",
        load::WARM_UP.as_secs_f64(),
        options.measured.as_secs_f64()
    );
    let cpu_before = cpu::process_cpu_time();
    let started = std::time::Instant::now();
    let samples = paid::measure(access_token, sku, options.concurrency, options.measured).await?;
    if let (Some(before), Some(after)) = (cpu_before, cpu::process_cpu_time()) {
        let share = cpu_share(after.saturating_sub(before), started.elapsed());
        cpu_shares.push(format!("{ORDER_PAID} {share:.0}%"));
    }
    Ok((
        Summary::new(ORDER_PAID, samples.confirmed, options.measured),
        samples.placed.latencies,
    ))
}

fn cpu_share(cpu: Duration, wall: Duration) -> f64 {
    100.0 * cpu.as_secs_f64() / wall.as_secs_f64().max(f64::EPSILON)
}
