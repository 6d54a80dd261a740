//! The catalog through the gateway: admins manage products, everyone browses, with filters and
//! keyset pagination that stays correct while rows change.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::collections::HashSet;

use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn unique_category() -> String {
    format!("e2e-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

async fn create_product(token: &str, body: Value) -> reqwest::Response {
    http()
        .post(format!("{GATEWAY}/api/admin/catalog/products"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn product(sku: &str, name: &str, category: &str, price: i64) -> Value {
    json!({
        "sku": sku, "name": name, "category": category,
        "description": format!("{name}, a fine thing for e2e tests"),
        "price": { "minorUnits": price, "currency": "EUR" }
    })
}

fn new_sku() -> String {
    format!(
        "E2E-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16].to_uppercase()
    )
}

#[tokio::test]
async fn admins_manage_products_and_everyone_reads_them() {
    let admin = admin_access_token().await;
    let category = unique_category();
    let sku = new_sku();
    let created = create_product(
        &admin,
        product(&sku.to_lowercase(), "Walnut Desk", &category, 24_900),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["sku"], sku, "SKUs are stored upper case");
    assert_eq!(
        created["price"],
        json!({ "minorUnits": 24_900, "currency": "EUR" })
    );
    assert_eq!(created["available"], 0);

    let read: Value = http()
        .get(format!("{GATEWAY}/api/catalog/products/{sku}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["name"], "Walnut Desk");

    let duplicate = create_product(&admin, product(&sku, "Another Desk", &category, 100)).await;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);

    let customer = access_token(&register_user().await).await;
    let forbidden = create_product(&customer, product(&new_sku(), "Sneaky", &category, 100)).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    let updated = http()
        .patch(format!("{GATEWAY}/api/admin/catalog/products/{sku}"))
        .bearer_auth(&admin)
        .json(&json!({ "price": { "minorUnits": 19_900, "currency": "EUR" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(
        updated.json::<Value>().await.unwrap()["price"]["minorUnits"],
        19_900
    );

    let removed = http()
        .delete(format!("{GATEWAY}/api/admin/catalog/products/{sku}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let listed: Value = http()
        .get(format!(
            "{GATEWAY}/api/catalog/products?category={category}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"],
        json!([]),
        "inactive products are not listed"
    );
}

#[tokio::test]
async fn bad_catalog_input_gets_clear_4xx_problems() {
    let admin = admin_access_token().await;
    let category = unique_category();
    let cases = [
        (product(&new_sku(), "Negative", &category, -1), "price"),
        (
            json!({ "sku": new_sku(), "name": "Typo", "category": category, "price": { "minorUnits": 100, "currency": "EUO" } }),
            "currency",
        ),
        (product("x", "Short SKU", &category, 100), "sku"),
        (
            product(&new_sku(), "Bad Category", "Home & Garden", 100),
            "category",
        ),
    ];
    for (body, field) in cases {
        let response = create_product(&admin, body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["errors"].to_string().to_lowercase().contains(field),
            "{field} not named: {problem}"
        );
    }
    for query in [
        "limit=500",
        "limit=0",
        "min_price=-5",
        "cursor=garbage",
        "sort=cheapest",
    ] {
        let response = http()
            .get(format!("{GATEWAY}/api/catalog/products?{query}"))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{query}: {}",
            response.status()
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{query}"
        );
    }
    let unknown = http()
        .get(format!("{GATEWAY}/api/catalog/products/{}", new_sku()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn filters_narrow_the_listing() {
    let admin = admin_access_token().await;
    let category = unique_category();
    let word = format!("zq{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    for (name, price) in [
        (format!("Lamp {word}"), 1_500),
        ("Chair".to_owned(), 5_000),
        ("Table".to_owned(), 12_000),
    ] {
        assert_eq!(
            create_product(&admin, product(&new_sku(), &name, &category, price))
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let list = |query: String| async move {
        let page: Value = http()
            .get(format!("{GATEWAY}/api/catalog/products?{query}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        list(format!("category={category}&q={word}")).await,
        [format!("Lamp {word}")]
    );
    assert_eq!(
        list(format!(
            "category={category}&min_price=2000&max_price=12000"
        ))
        .await,
        ["Chair", "Table"]
    );
    assert_eq!(
        list(format!("category={category}&sort=-price")).await,
        [
            "Table".to_owned(),
            "Chair".to_owned(),
            format!("Lamp {word}")
        ]
    );
}

#[tokio::test]
async fn walking_all_pages_while_rows_change_skips_and_repeats_nothing() {
    let admin = admin_access_token().await;
    let category = unique_category();
    let mut existing = HashSet::new();
    for i in 0..30 {
        let sku = new_sku();
        assert_eq!(
            create_product(
                &admin,
                product(&sku, &format!("Item {i:02}"), &category, 1_000 + i)
            )
            .await
            .status(),
            StatusCode::CREATED
        );
        existing.insert(sku);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut page_number = 0;
    loop {
        let mut url = format!("{GATEWAY}/api/catalog/products?category={category}&limit=7");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page: Value = http().get(url).send().await.unwrap().json().await.unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["sku"].as_str().unwrap().to_owned()),
        );
        // Meanwhile: new rows both before and after the current position, and updates.
        page_number += 1;
        let early = product(
            &new_sku(),
            &format!("Aardvark {page_number}"),
            &category,
            10,
        );
        let late = product(&new_sku(), &format!("Zebra {page_number}"), &category, 10);
        assert_eq!(
            create_product(&admin, early).await.status(),
            StatusCode::CREATED
        );
        assert_eq!(
            create_product(&admin, late).await.status(),
            StatusCode::CREATED
        );
        let some_sku = existing.iter().nth(page_number % existing.len()).unwrap();
        let price = json!({ "price": { "minorUnits": 777, "currency": "EUR" } });
        let updated = http()
            .patch(format!("{GATEWAY}/api/admin/catalog/products/{some_sku}"))
            .bearer_auth(&admin)
            .json(&price)
            .send()
            .await
            .unwrap();
        assert_eq!(updated.status(), StatusCode::OK);
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(page_number < 50, "pagination does not end");
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a product was listed twice");
    let missing: Vec<&String> = existing
        .iter()
        .filter(|sku| !unique.contains(sku))
        .collect();
    assert!(
        missing.is_empty(),
        "rows that existed throughout were skipped: {missing:?}"
    );
}
