//! The demo data: the catalog `./shop seed` loads (320 products in 8 categories) and what
//! `./shop seed` and `./shop demo` share, both speaking to the running system through the gateway
//! as a client would.

use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::StatusCode;

pub struct Category {
    pub slug: &'static str,
    pub prefix: &'static str,
    pub nouns: &'static [&'static str],
    /// Price range in minor units (EUR cents).
    pub price_range: (i64, i64),
}

pub const CATEGORIES: &[Category] = &[
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

pub const ADJECTIVES: &[&str] = &["Classic", "Compact", "Deluxe", "Eco"];
pub const COLOURS: &[&str] = &["Graphite", "Sand", "Forest", "Ocean", "Coral"];

/// A small deterministic generator, so a second run makes the same catalog.
pub fn mix(seed: u64) -> u64 {
    let mut x = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Sends a request, waiting out the gateway's rate limit when it says so.
pub async fn send(
    request: impl Fn() -> reqwest::RequestBuilder,
) -> anyhow::Result<reqwest::Response> {
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

/// Products per category in the demo catalog; their SKUs are `<prefix>-0001` and on.
pub const PRODUCTS_PER_CATEGORY: u64 = 40;

/// The SKU of product `n` (from 0) of a category.
pub fn sku(category: &Category, n: u64) -> String {
    format!("{}-{:04}", category.prefix, n + 1)
}
