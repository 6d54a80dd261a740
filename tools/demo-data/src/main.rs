//! `./shop seed`: a demo catalog of 320 products in 8 categories, with stock, created through the
//! gateway's admin API as an administrator would (so every rule of the API applies).
//!
//! Idempotent: SKUs are derived from the category and a number, a product that exists (409) is
//! left as it is, and only new products get their initial stock.

use anyhow::bail;
use demo_data::{ADJECTIVES, CATEGORIES, COLOURS, PRODUCTS_PER_CATEGORY, mix, send, sku};
use reqwest::StatusCode;
use serde_json::json;
use shop_client::{GATEWAY, admin_access_token, http};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let token = admin_access_token().await;
    let client = http();
    let (mut created, mut existing) = (0, 0);
    for (c, category) in CATEGORIES.iter().enumerate() {
        for n in 0..PRODUCTS_PER_CATEGORY {
            let r = mix((c as u64) << 32 | n);
            let noun = category.nouns[(n as usize) % category.nouns.len()];
            let adjective = ADJECTIVES[(n as usize / category.nouns.len()) % ADJECTIVES.len()];
            let colour = COLOURS[(r % COLOURS.len() as u64) as usize];
            let name = format!("{adjective} {noun} – {colour}");
            let (low, high) = category.price_range;
            // Prices end in 90 cents, like a shop's.
            let price = (low + (r % (high - low) as u64) as i64) / 100 * 100 + 90;
            let sku = sku(category, n);
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
