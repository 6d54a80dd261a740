//! Notifications delivered per second end to end: publish a burst of `UserRegistered` events
//! through the users sidecar (as users' outbox relay does), then wait until Mailpit holds every
//! welcome email. The path: Kafka, notifications' consumer (render, store, outbox), the relay,
//! RabbitMQ, the job handler, the SMTP binding, Mailpit. Beside it, in the same run, the floor:
//! emails sent straight through the notifications sidecar's SMTP binding, one at a time as the
//! service sends them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use shop_client::{http, sidecar};

const PUBLISHERS: usize = 8;
const DIRECT_SENDS: usize = 100;
const PATIENCE: Duration = Duration::from_secs(600);

fn mailpit() -> String {
    std::env::var("MAILPIT_URL").unwrap_or_else(|_| "http://127.0.0.1:8025".into())
}

pub async fn measure(events: usize) -> anyhow::Result<String> {
    let run = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let direct = direct_sends(&run).await?;

    eprintln!("running notifications: {events} registrations through Kafka to Mailpit ...");
    let domain = format!("welcome-{run}.bench.test");
    let started = Instant::now();
    let publishers: Vec<_> = (0..PUBLISHERS)
        .map(|worker| {
            let domain = domain.clone();
            tokio::spawn(async move {
                let client = http();
                let url = format!("{}/v1.0/publish/events/user-events", sidecar("users"));
                let mut sent_at = HashMap::new();
                for i in (worker..events).step_by(PUBLISHERS) {
                    let user_id = uuid::Uuid::new_v4();
                    let email = format!("bench-{i}@{domain}");
                    let event = json!({
                        "specversion": "1.0", "id": uuid::Uuid::now_v7().to_string(),
                        "type": "shop.user.registered.v1", "source": "shop/bench",
                        "subject": user_id.to_string(), "datacontenttype": "application/json",
                        "data": { "userId": user_id, "email": email, "displayName": "Bench" },
                    });
                    let response = client
                        .post(format!("{url}?metadata.partitionKey={user_id}"))
                        .header("content-type", "application/cloudevents+json")
                        .json(&event)
                        .send()
                        .await?;
                    ensure!(
                        response.status().is_success(),
                        "publishing answered {}",
                        response.status()
                    );
                    sent_at.insert(email, Utc::now());
                }
                anyhow::Ok(sent_at)
            })
        })
        .collect();
    let mut sent_at = HashMap::new();
    for publisher in publishers {
        sent_at.extend(publisher.await.context("a publisher panicked")??);
    }
    let all_in = loop {
        let count = mailpit_count(&domain).await?;
        if count >= events {
            break started.elapsed();
        }
        if started.elapsed() > PATIENCE {
            bail!("only {count} of {events} welcome emails after {PATIENCE:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut latencies: Vec<f64> = mailpit_arrivals(&domain, events)
        .await?
        .into_iter()
        .filter_map(|(to, created)| {
            let sent = sent_at.get(&to)?;
            Some((created - *sent).num_microseconds()? as f64 / 1000.0)
        })
        .collect();
    ensure!(
        latencies.len() == events,
        "{} of {events} emails matched a registration",
        latencies.len()
    );
    latencies.sort_by(f64::total_cmp);
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    Ok(format!(
        "notifications: {events} registrations on Kafka, every welcome email in Mailpit after {:.2} s: {:.1} emails/s end to end, event → Mailpit p50 {:.0} ms, p99 {:.0} ms; \
         the SMTP binding alone, one at a time as the service sends: {direct:.1} emails/s",
        all_in.as_secs_f64(),
        events as f64 / all_in.as_secs_f64(),
        percentile(0.5),
        percentile(0.99),
    ))
}

/// Emails/s straight through the notifications sidecar's `email` binding, one after the other.
async fn direct_sends(run: &str) -> anyhow::Result<f64> {
    eprintln!("running notifications baseline: {DIRECT_SENDS} emails through the SMTP binding ...");
    let client = http();
    let url = format!("{}/v1.0/bindings/email", sidecar("notifications"));
    let started = Instant::now();
    for i in 0..DIRECT_SENDS {
        let response = client
            .post(&url)
            .json(&json!({
                "operation": "create",
                "data": "<p>A benchmark's email.</p>",
                "metadata": { "emailTo": format!("direct-{i}@direct-{run}.bench.test"), "subject": "bench" },
            }))
            .send()
            .await?;
        ensure!(
            response.status().is_success(),
            "the email binding answered {}",
            response.status()
        );
    }
    Ok(DIRECT_SENDS as f64 / started.elapsed().as_secs_f64())
}

async fn mailpit_search(query: &str, start: usize, limit: usize) -> anyhow::Result<Value> {
    Ok(http()
        .get(format!("{}/api/v1/search", mailpit()))
        .query(&[
            ("query", query.to_owned()),
            ("start", start.to_string()),
            ("limit", limit.to_string()),
        ])
        .send()
        .await?
        .json()
        .await?)
}

async fn mailpit_count(domain: &str) -> anyhow::Result<usize> {
    let found = mailpit_search(&format!("to:\"{domain}\""), 0, 1).await?;
    Ok(found["messages_count"].as_u64().unwrap_or(0) as usize)
}

/// (recipient, when Mailpit received it) of every message to `domain`.
async fn mailpit_arrivals(
    domain: &str,
    count: usize,
) -> anyhow::Result<Vec<(String, DateTime<Utc>)>> {
    let mut arrivals = Vec::with_capacity(count);
    let page = 200;
    for start in (0..count).step_by(page) {
        let found = mailpit_search(&format!("to:\"{domain}\""), start, page).await?;
        for message in found["messages"].as_array().cloned().unwrap_or_default() {
            let to = message["To"][0]["Address"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let created: DateTime<Utc> = message["Created"]
                .as_str()
                .unwrap_or_default()
                .parse()
                .context("Mailpit's Created time")?;
            arrivals.push((to, created));
        }
    }
    Ok(arrivals)
}
