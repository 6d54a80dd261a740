//! `./shop demo [minutes] [orders per second]`: a few minutes of a shop's life, driven through
//! the gateway as its customers and its staff would, so the dashboard (`/dashboard`) has
//! something to show on a fresh machine.
//!
//! A crowd of customers (a few new ones keep signing up; most come back) orders from the demo
//! catalog, favourites more often than the rest; some pay with a card that is declined, some
//! cancel, the warehouse ships most paid orders after a while and support refunds part of a few.
//! Popular products run low and some orders are lost to missing stock, as in any shop. Every
//! step goes through the public API, so every rule of the system applies.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use demo_data::{CATEGORIES, PRODUCTS_PER_CATEGORY, mix, send, sku};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shop_client::{GATEWAY, RegisteredUser, access_token, admin_access_token, http, register_user};

/// Stripe's test cards: always authorized, always declined.
const GOOD_CARD: &str = "pm_card_visa";
const DECLINED_CARD: &str = "pm_card_chargeCustomerFail";

/// A small xorshift generator: the demo needs variety, not cryptography.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A product, the first ones of each category (its favourites) far more often.
    fn product(&mut self) -> String {
        let category = &CATEGORIES[self.below(CATEGORIES.len() as u64) as usize];
        let rank = (self.below(PRODUCTS_PER_CATEGORY) * self.below(PRODUCTS_PER_CATEGORY))
            / PRODUCTS_PER_CATEGORY;
        sku(category, rank)
    }
}

#[derive(Default)]
struct Tally {
    placed: AtomicU64,
    refused: AtomicU64,
    cancelled: AtomicU64,
    shipped: AtomicU64,
    refunded: AtomicU64,
    customers: AtomicU64,
}

struct Shopper {
    token: String,
}

async fn new_shopper() -> anyhow::Result<Shopper> {
    let user: RegisteredUser = register_user().await;
    Ok(Shopper {
        token: access_token(&user).await,
    })
}

async fn order_status(token: &str, order_id: &str) -> Option<String> {
    let view: Value = send(|| {
        http()
            .get(format!("{GATEWAY}/api/orders/{order_id}"))
            .bearer_auth(token)
    })
    .await
    .ok()?
    .json()
    .await
    .ok()?;
    view["status"].as_str().map(str::to_owned)
}

/// What happens to an order after it is placed: the customer may cancel it; the warehouse ships
/// it once paid; support refunds part of a few.
async fn follow_up(
    order_id: String,
    token: String,
    admin: Arc<String>,
    roll: u64,
    tally: Arc<Tally>,
) {
    let client = http();
    tokio::time::sleep(Duration::from_secs(3 + roll % 8)).await;
    if roll % 100 < 6 {
        let cancelled = send(|| {
            client
                .post(format!("{GATEWAY}/api/orders/{order_id}/cancel"))
                .bearer_auth(&token)
        })
        .await;
        if cancelled.is_ok_and(|r| r.status().is_success()) {
            tally.cancelled.fetch_add(1, Ordering::Relaxed);
        }
        return;
    }
    if roll % 100 >= 75 {
        return; // not shipped yet when the demo ends: the funnel has a tail
    }
    for _ in 0..20 {
        match order_status(&token, &order_id).await.as_deref() {
            Some("confirmed") => break,
            Some("cancelled") | None => return,
            _ => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
    tokio::time::sleep(Duration::from_secs(5 + roll % 15)).await;
    let shipped = send(|| {
        client
            .post(format!("{GATEWAY}/api/admin/orders/{order_id}/ship"))
            .bearer_auth(admin.as_str())
            .json(&json!({ "carrier": "DHL", "trackingNumber": format!("JJD{roll:012}") }))
    })
    .await;
    if !shipped.is_ok_and(|r| r.status().is_success()) {
        return;
    }
    tally.shipped.fetch_add(1, Ordering::Relaxed);
    if roll % 100 < 10 {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let refunded = send(|| {
            client
                .post(format!("{GATEWAY}/api/admin/payments/{order_id}/refunds"))
                .bearer_auth(admin.as_str())
                .json(&json!({ "amountMinor": 500, "reason": "goodwill: late delivery" }))
        })
        .await;
        if refunded.is_ok_and(|r| r.status().is_success()) {
            tally.refunded.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let minutes: f64 = args
        .next()
        .map_or(Ok(3.0), |m| m.parse())
        .context("minutes: a number")?;
    let rate: f64 = args
        .next()
        .map_or(Ok(2.0), |r| r.parse())
        .context("orders per second: a number")?;
    if !(minutes > 0.0 && rate > 0.0 && rate <= 50.0) {
        bail!("usage: ./shop demo [minutes > 0] [orders per second, 0 to 50]");
    }
    let admin = Arc::new(admin_access_token().await);
    let tally = Arc::new(Tally::default());
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let mut dice = Dice(mix(seed) | 1);

    println!("demo: {minutes} minutes at about {rate} orders/s; watch it on {GATEWAY}/dashboard");
    let mut crowd: Vec<Arc<Shopper>> = Vec::new();
    for _ in 0..8 {
        crowd.push(Arc::new(new_shopper().await?));
        tally.customers.fetch_add(1, Ordering::Relaxed);
    }

    let started = Instant::now();
    let until = Duration::from_secs_f64(minutes * 60.0);
    let mut last_report = Instant::now();
    let mut follow_ups = tokio::task::JoinSet::new();
    while started.elapsed() < until {
        // Exponential gaps: a Poisson stream of orders, as real arrivals are.
        let uniform = (dice.below(1_000_000) as f64 + 1.0) / 1_000_001.0;
        tokio::time::sleep(Duration::from_secs_f64(-uniform.ln() / rate)).await;

        if dice.chance(15) || crowd.is_empty() {
            crowd.push(Arc::new(new_shopper().await?));
            tally.customers.fetch_add(1, Ordering::Relaxed);
        }
        let shopper = crowd[dice.below(crowd.len() as u64) as usize].clone();
        let mut lines: Vec<Value> = Vec::new();
        for _ in 0..1 + dice.below(3) {
            let sku = dice.product();
            if lines.iter().all(|l| l["sku"] != sku.as_str()) {
                lines.push(json!({ "sku": sku, "quantity": 1 + dice.below(2) }));
            }
        }
        let card = if dice.chance(7) {
            DECLINED_CARD
        } else {
            GOOD_CARD
        };
        let body = json!({ "lines": lines, "paymentMethodId": card });
        let placed = send(|| {
            http()
                .post(format!("{GATEWAY}/api/orders"))
                .bearer_auth(&shopper.token)
                .json(&body)
        })
        .await?;
        if placed.status() == StatusCode::CREATED {
            tally.placed.fetch_add(1, Ordering::Relaxed);
            let view: Value = placed.json().await.unwrap_or_default();
            if let Some(order_id) = view["orderId"].as_str() {
                follow_ups.spawn(follow_up(
                    order_id.to_owned(),
                    shopper.token.clone(),
                    admin.clone(),
                    dice.next(),
                    tally.clone(),
                ));
            }
        } else {
            // A product not for sale, sold out at quote time, a full gateway: a refusal. The
            // first one is shown, so a demo that only gets refusals says why.
            if tally.refused.fetch_add(1, Ordering::Relaxed) == 0 {
                let status = placed.status();
                let problem = placed.text().await.unwrap_or_default();
                println!("demo: the first refused order ({status}): {problem}");
            }
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            report(&tally, started.elapsed());
            last_report = Instant::now();
        }
    }
    println!("demo: no new orders; finishing the shipments and refunds under way");
    while follow_ups.join_next().await.is_some() {}
    report(&tally, started.elapsed());
    Ok(())
}

fn report(tally: &Tally, elapsed: Duration) {
    println!(
        "demo: {:>4.0} s  {} customers, {} orders placed ({} refused), {} cancelled by customers, {} shipped, {} refunded in part",
        elapsed.as_secs_f64(),
        tally.customers.load(Ordering::Relaxed),
        tally.placed.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
        tally.cancelled.load(Ordering::Relaxed),
        tally.shipped.load(Ordering::Relaxed),
        tally.refunded.load(Ordering::Relaxed),
    );
}
