//! Analytics loses nothing and counts nothing twice: the whole event log, published again
//! through Kafka (to the replay topic only analytics reads, under the events' own ids), leaves
//! every projection table as it was, row for row; and a full rebuild from the log gives the
//! same tables again. Its own test binary: it needs the system quiet while it compares.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::time::Duration;

use e2e::analytics::*;
use e2e::orders::customer;
use e2e::payments::{
    VISA, order_id_of, place_with, processor_idle, ship, wait_for_order, wait_for_payment,
};
use e2e::*;
use serde_json::{Value, json};

/// Every logged event as the CloudEvent it arrived as (same id, time, subject and sequence).
async fn logged_events() -> Vec<Value> {
    let mut db = analytics_db().await;
    let events: Vec<Value> = sqlx::query_scalar(
        r#"SELECT json_build_object(
               'specversion', '1.0', 'id', event_id, 'type', event_type, 'source', source,
               'subject', subject, 'sequence', sequence::text,
               'time', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               'datacontenttype', 'application/json', 'data', payload)
           FROM event_log ORDER BY occurred_at, event_id"#,
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    // An attribute without a value is left out, as the original left it out.
    events
        .into_iter()
        .map(|mut event| {
            let attributes = event.as_object_mut().unwrap();
            attributes.retain(|name, value| name == "data" || !value.is_null());
            event
        })
        .collect()
}

/// The replay topic's lag for analytics' consumer group, from Kafka's own tool.
fn replay_lag() -> Option<u64> {
    let described = kafka_tool(
        "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
        &[
            "--bootstrap-server",
            &required_env("KAFKA_BOOTSTRAP"),
            "--describe",
            "--group",
            "analytics",
        ],
    );
    let lags: Vec<Option<u64>> = described
        .lines()
        .filter(|line| line.split_whitespace().nth(1) == Some(contracts::topics::ANALYTICS_REPLAY))
        .map(|line| {
            line.split_whitespace()
                .nth(5)
                .and_then(|lag| lag.parse().ok())
        })
        .collect();
    if lags.is_empty() {
        return None;
    }
    lags.into_iter().sum()
}

#[tokio::test]
async fn republishing_the_whole_log_and_rebuilding_leave_every_table_equal() {
    require_kafka();
    let admin = admin_access_token().await;
    // Something of this run in the log, whatever ran before: a shipped order.
    let sku = product("AN", &admin, ("Replay lamp", "replay"), (3_000, "EUR"), 5).await;
    let shopper = customer().await;
    let id = order_id_of(&place_with(&shopper.token, &[(&sku, 1)], VISA).await);
    wait_for_order(&shopper.token, &id, "confirmed", |v| {
        v["status"] == "confirmed"
    })
    .await;
    wait_for_payment(&admin, &id, "captured", |p| {
        p["status"] == "captured" && processor_idle(p)
    })
    .await;
    assert_eq!(ship(&admin, &id).await.status(), reqwest::StatusCode::OK);
    wait_until_quiet(&admin, Duration::from_secs(3)).await;

    let before = projection_snapshot().await;
    let events = logged_events().await;
    assert!(events.len() > 5, "the log has the order's events at least");
    assert!(
        before
            .iter()
            .any(|(table, rows)| table == "order_facts" && rows.contains(&id)),
        "the order is in the projections"
    );

    // Published again through Kafka, in bulk, keyed as the originals were.
    let url = format!(
        "{}/v1.0-alpha1/publish/bulk/{}/{}",
        sidecar("analytics"),
        contracts::pubsub::EVENTS,
        contracts::topics::ANALYTICS_REPLAY
    );
    for chunk in events.chunks(500) {
        let entries: Vec<Value> = chunk
            .iter()
            .map(|event| {
                json!({
                    "entryId": event["id"], "event": event,
                    "contentType": "application/cloudevents+json",
                    "metadata": { "partitionKey": event["subject"].as_str().unwrap_or("none") },
                })
            })
            .collect();
        let published = http().post(&url).json(&entries).send().await.unwrap();
        let status = published.status();
        assert!(
            status.is_success(),
            "{status}: {}",
            published.text().await.unwrap()
        );
    }
    eventually(
        "analytics to consume the replay topic",
        INGEST_PATIENCE,
        || async { (replay_lag() == Some(0)).then_some(()) },
    )
    .await;

    assert_eq!(
        events_taken_in(&admin).await,
        events.len() as i64,
        "every copy was recognised by its id: nothing new in the log"
    );
    let after_redelivery = projection_snapshot().await;
    for ((table, was), (_, is)) in before.iter().zip(&after_redelivery) {
        assert!(
            was == is,
            "{table} changed when the log was delivered again"
        );
    }

    let rebuilt = rebuild_projections().await;
    assert_eq!(rebuilt["events"], json!(events.len()), "{rebuilt}");
    assert_eq!(rebuilt["malformed"], 0, "{rebuilt}");
    let after_rebuild = projection_snapshot().await;
    for ((table, was), (_, is)) in before.iter().zip(&after_rebuild) {
        if was != is {
            let (was, is): (Vec<Value>, Vec<Value>) = (
                serde_json::from_str(was).unwrap(),
                serde_json::from_str(is).unwrap(),
            );
            let differing: Vec<(&Value, Option<&Value>)> = was
                .iter()
                .filter(|row| !is.contains(row))
                .take(3)
                .map(|row| {
                    (
                        row,
                        is.iter().find(|r| {
                            r.as_object().and_then(|o| o.values().next())
                                == row.as_object().and_then(|o| o.values().next())
                        }),
                    )
                })
                .collect();
            panic!(
                "{table} differs after a rebuild from the log ({} rows live, {} rebuilt); live and rebuilt: {differing:#?}",
                was.len(),
                is.len()
            );
        }
    }
    println!(
        "{} events redelivered and rebuilt at {:.0} events/s",
        events.len(),
        rebuilt["eventsPerSecond"].as_f64().unwrap_or_default()
    );
}
