//! Reservations per second processed from Kafka: publish a burst of `OrderPlaced` events for one
//! well-stocked SKU through a sidecar (as the orders service will), then time until inventory
//! has reserved every one. This covers the whole path: Dapr publish, Kafka, Dapr delivery,
//! the reservation transaction and its outbox row.

use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use serde_json::{Value, json};
use shop_client::{GATEWAY, admin_access_token, http, sidecar};

const PUBLISHERS: usize = 16;
const PATIENCE: Duration = Duration::from_secs(300);

pub async fn measure(events: usize) -> anyhow::Result<String> {
    eprintln!("running reservations: {events} OrderPlaced events through Kafka ...");
    let admin = admin_access_token().await;
    let sku = stocked_product(&admin, 1_000_000).await?;
    let client = http();

    let started = Instant::now();
    let publishers: Vec<_> = (0..PUBLISHERS)
        .map(|worker| {
            let sku = sku.clone();
            tokio::spawn(async move {
                let client = http();
                let url = format!("{}/v1.0/publish/events/order-events", sidecar("orders"));
                for _ in (worker..events).step_by(PUBLISHERS) {
                    let order_id = uuid::Uuid::new_v4();
                    let event = json!({
                        "specversion": "1.0", "id": uuid::Uuid::now_v7().to_string(), "type": "shop.order.placed.v2",
                        "source": "shop/bench", "subject": order_id.to_string(), "datacontenttype": "application/json",
                        "data": { "orderId": order_id, "customerId": uuid::Uuid::new_v4(),
                                  "lines": [{ "sku": sku, "quantity": 1, "unitPriceMinor": 100, "currency": "EUR" }],
                                  "currency": "EUR", "totalMinor": 100 }
                    });
                    let response = client
                        .post(&url)
                        .header("content-type", "application/cloudevents+json")
                        .json(&event)
                        .send()
                        .await?;
                    ensure!(response.status().is_success(), "publishing answered {}", response.status());
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for publisher in publishers {
        publisher.await.context("a publisher panicked")??;
    }
    let published = started.elapsed();
    let reserved = loop {
        let level: Value = client
            .get(format!("{GATEWAY}/api/admin/catalog/products/{sku}/stock"))
            .bearer_auth(&admin)
            .send()
            .await?
            .json()
            .await?;
        let reserved = level["reserved"].as_u64().unwrap_or(0);
        if reserved as usize >= events {
            break started.elapsed();
        }
        if started.elapsed() > PATIENCE {
            bail!("only {reserved} of {events} reservations after {PATIENCE:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    Ok(format!(
        "reservations from Kafka: {events} OrderPlaced events published in {:.2} s, all reserved after {:.2} s: {:.1} reservations/s end to end",
        published.as_secs_f64(),
        reserved.as_secs_f64(),
        events as f64 / reserved.as_secs_f64()
    ))
}

/// A product of the benchmark's own (`BENCH-...`), priced 1.00 EUR, with `units` on hand.
pub async fn stocked_product(admin: &str, units: i64) -> anyhow::Result<String> {
    let sku = format!(
        "BENCH-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12].to_uppercase()
    );
    let client = http();
    let product = json!({ "sku": sku, "name": "Benchmark Widget", "category": "bench", "price": { "minorUnits": 100, "currency": "EUR" } });
    let created = client
        .post(format!("{GATEWAY}/api/admin/catalog/products"))
        .bearer_auth(admin)
        .json(&product)
        .send()
        .await?;
    ensure!(
        created.status().is_success(),
        "creating the benchmark product answered {}",
        created.status()
    );
    let stock = json!({ "delta": units, "reason": "benchmark stock" });
    let stocked = client
        .post(format!("{GATEWAY}/api/admin/catalog/products/{sku}/stock"))
        .bearer_auth(admin)
        .json(&stock)
        .send()
        .await?;
    ensure!(
        stocked.status().is_success(),
        "stocking the benchmark product answered {}",
        stocked.status()
    );
    Ok(sku)
}
