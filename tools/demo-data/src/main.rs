//! `./shop seed`: a demo catalog of 320 products in 8 categories, with stock, created through the
//! gateway's admin API as an administrator would (so every rule of the API applies).
//!
//! Idempotent: SKUs are derived from the category and a number, a product that exists (409) is
//! left as it is, and only new products get their initial stock.

use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::StatusCode;
use serde_json::json;
use shop_client::{GATEWAY, admin_access_token, http};

struct Category {
    slug: &'static str,
    prefix: &'static str,
    nouns: &'static [&'static str],
    /// Price range in minor units (EUR cents).
    price_range: (i64, i64),
}

const CATEGORIES: &[Category] = &[
    Category {
        slug: "electronics",
        prefix: "ELE",
        nouns: &[
            "Headphones",
            "Speaker",
            "Keyboard",
            "Mouse",
            "Monitor",
            "Charger",
            "Webcam",
            "Router",
        ],
        price_range: (1_990, 49_900),
    },
    Category {
        slug: "home-kitchen",
        prefix: "HOM",
        nouns: &[
            "Kettle",
            "Pan",
            "Knife Set",
            "Blender",
            "Teapot",
            "Cutting Board",
            "Lamp",
            "Rug",
        ],
        price_range: (990, 19_900),
    },
    Category {
        slug: "books",
        prefix: "BOO",
        nouns: &[
            "Novel",
            "Cookbook",
            "Atlas",
            "Poetry Collection",
            "Biography",
            "Field Guide",
            "Notebook",
            "Comic",
        ],
        price_range: (790, 4_900),
    },
    Category {
        slug: "outdoor",
        prefix: "OUT",
        nouns: &[
            "Tent",
            "Backpack",
            "Sleeping Bag",
            "Lantern",
            "Water Bottle",
            "Camp Stove",
            "Hammock",
            "Compass",
        ],
        price_range: (1_490, 39_900),
    },
    Category {
        slug: "toys",
        prefix: "TOY",
        nouns: &[
            "Puzzle",
            "Building Blocks",
            "Kite",
            "Board Game",
            "Plush Bear",
            "Train Set",
            "Yo-Yo",
            "Marble Run",
        ],
        price_range: (590, 8_900),
    },
    Category {
        slug: "fashion",
        prefix: "FAS",
        nouns: &[
            "Scarf",
            "Sneakers",
            "Jacket",
            "Beanie",
            "Belt",
            "Sunglasses",
            "Umbrella",
            "Wallet",
        ],
        price_range: (1_290, 24_900),
    },
    Category {
        slug: "office",
        prefix: "OFF",
        nouns: &[
            "Desk Organizer",
            "Fountain Pen",
            "Stapler",
            "Desk Chair",
            "Whiteboard",
            "Planner",
            "Desk Lamp",
            "Paper Tray",
        ],
        price_range: (490, 29_900),
    },
    Category {
        slug: "sports",
        prefix: "SPO",
        nouns: &[
            "Yoga Mat",
            "Dumbbells",
            "Tennis Racket",
            "Football",
            "Jump Rope",
            "Cycling Gloves",
            "Swim Goggles",
            "Running Belt",
        ],
        price_range: (690, 15_900),
    },
];

const ADJECTIVES: &[&str] = &["Classic", "Compact", "Deluxe", "Eco"];
const COLOURS: &[&str] = &["Graphite", "Sand", "Forest", "Ocean", "Coral"];

/// A small deterministic generator, so a second run makes the same catalog.
fn mix(seed: u64) -> u64 {
    let mut x = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Sends a request, waiting out the gateway's rate limit when it says so.
async fn send(request: impl Fn() -> reqwest::RequestBuilder) -> anyhow::Result<reqwest::Response> {
    for _ in 0..20 {
        let response = request()
            .send()
            .await
            .context("the gateway does not answer (./shop up)")?;
        if response.status() != StatusCode::TOO_MANY_REQUESTS {
            return Ok(response);
        }
        let wait = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .unwrap_or(1);
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
    bail!("still rate-limited after 20 attempts")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let token = admin_access_token().await;
    let client = http();
    let (mut created, mut existing) = (0, 0);
    for (c, category) in CATEGORIES.iter().enumerate() {
        for n in 0..40u64 {
            let r = mix((c as u64) << 32 | n);
            let noun = category.nouns[(n as usize) % category.nouns.len()];
            let adjective = ADJECTIVES[(n as usize / category.nouns.len()) % ADJECTIVES.len()];
            let colour = COLOURS[(r % COLOURS.len() as u64) as usize];
            let name = format!("{adjective} {noun} – {colour}");
            let (low, high) = category.price_range;
            // Prices end in 90 cents, like a shop's.
            let price = (low + (r % (high - low) as u64) as i64) / 100 * 100 + 90;
            let sku = format!("{}-{:04}", category.prefix, n + 1);
            let body = json!({
                "sku": sku,
                "name": name,
                "description": format!("{name}: a {} favourite from the demo catalog. {}", category.slug.replace('-', " & "), ["Built to last.", "Light and practical.", "A customer favourite.", "New this season."][(r >> 8) as usize % 4]),
                "category": category.slug,
                "price": { "minorUnits": price, "currency": "EUR" }
            });
            let response = send(|| {
                client
                    .post(format!("{GATEWAY}/api/admin/catalog/products"))
                    .bearer_auth(&token)
                    .json(&body)
            })
            .await?;
            match response.status() {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => {
                    existing += 1;
                    continue;
                }
                status => bail!(
                    "creating {sku} answered {status}: {}",
                    response.text().await.unwrap_or_default()
                ),
            }
            // A few products start sold out, so "in stock only" has something to hide.
            let units = if r.is_multiple_of(10) {
                0
            } else {
                5 + (r >> 16) % 60
            };
            if units > 0 {
                let stock = json!({ "delta": units, "reason": "demo catalog: initial stock" });
                let response = send(|| {
                    client
                        .post(format!("{GATEWAY}/api/admin/catalog/products/{sku}/stock"))
                        .bearer_auth(&token)
                        .json(&stock)
                })
                .await?;
                if !response.status().is_success() {
                    bail!("stocking {sku} answered {}", response.status());
                }
            }
        }
    }
    println!("demo catalog: {created} products created, {existing} were already there");
    Ok(())
}
