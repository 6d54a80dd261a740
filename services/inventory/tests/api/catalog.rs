//! Browsing the catalogue: listing, filters, sorts, keyset pagination and one product by SKU.

use route_testing::Caller;
use salvo::http::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{TestApp, admin, spawn_app};

const ANYONE: Caller = Caller::Anonymous;

/// Five products (one inactive), created in this order, with some stock.
async fn seeded(pool: PgPool) -> TestApp {
    let app = spawn_app(pool);
    for (sku, name, category, price, stock) in [
        ("LAMP-1", "Desk lamp", "home", 1_500, 3),
        ("CHAIR-1", "Chair", "home", 5_000, 0),
        ("TABLE-1", "Table", "home", 12_000, 1),
        ("KEYB-1", "Keyboard", "office", 4_000, 7),
        ("CLOCK-1", "Antique clock", "home", 900, 2),
    ] {
        app.create_product(sku, name, category, price).await;
        if stock > 0 {
            app.restock(sku, stock).await;
        }
    }
    let removed = app.delete("/admin/catalog/products/CLOCK-1", admin()).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    app
}

fn names(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

async fn list(app: &TestApp, query: &str) -> Value {
    let answer = app.get(&format!("/catalog/products?{query}"), ANYONE).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    answer.body
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn the_listing_shows_active_products_by_name_with_what_is_available(pool: PgPool) {
    let app = seeded(pool).await;
    let answer = app.get("/catalog/products", ANYONE).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.content_type.starts_with("application/json"));
    let page = answer.body;
    assert_eq!(names(&page), ["Chair", "Desk lamp", "Keyboard", "Table"]);
    assert!(page.get("nextCursor").is_none(), "one page holds them all");
    let lamp = &page["items"][1];
    assert_eq!(lamp["sku"], "LAMP-1");
    assert_eq!(lamp["category"], "home");
    assert_eq!(
        lamp["price"],
        serde_json::json!({ "minorUnits": 1_500, "currency": "EUR" })
    );
    assert_eq!(lamp["available"], 3);
    assert_eq!(lamp["active"], true);
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn filters_narrow_the_listing(pool: PgPool) {
    let app = seeded(pool).await;
    let cases: [(&str, &[&str]); 7] = [
        ("category=home", &["Chair", "Desk lamp", "Table"]),
        ("category=HOME", &["Chair", "Desk lamp", "Table"]),
        ("q=lamp", &["Desk lamp"]),
        ("q=keyb", &["Keyboard"]),
        (
            "min_price=2000&max_price=12000",
            &["Chair", "Keyboard", "Table"],
        ),
        ("in_stock=true", &["Desk lamp", "Keyboard", "Table"]),
        ("category=home&in_stock=true&max_price=2000", &["Desk lamp"]),
    ];
    for (query, expected) in cases {
        assert_eq!(names(&list(&app, query).await), expected, "{query}");
    }
    assert_eq!(
        names(&list(&app, "q=%20%20").await).len(),
        4,
        "a blank search is no search"
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn every_sort_orders_the_listing(pool: PgPool) {
    let app = seeded(pool).await;
    let cases: [(&str, [&str; 4]); 5] = [
        ("sort=name", ["Chair", "Desk lamp", "Keyboard", "Table"]),
        ("sort=price", ["Desk lamp", "Keyboard", "Chair", "Table"]),
        ("sort=-price", ["Table", "Chair", "Keyboard", "Desk lamp"]),
        ("sort=newest", ["Keyboard", "Table", "Chair", "Desk lamp"]),
        ("", ["Chair", "Desk lamp", "Keyboard", "Table"]),
    ];
    for (query, expected) in cases {
        assert_eq!(names(&list(&app, query).await), expected, "{query}");
    }
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn pages_follow_each_other_without_gaps_or_repeats_in_every_sort(pool: PgPool) {
    let app = seeded(pool).await;
    for sort in ["name", "price", "-price", "newest"] {
        let all = names(&list(&app, &format!("sort={sort}")).await)
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        for limit in [1, 2, 3] {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            for _ in 0..10 {
                let mut query = format!("sort={sort}&limit={limit}");
                if let Some(cursor) = &cursor {
                    query.push_str(&format!("&cursor={cursor}"));
                }
                let page = list(&app, &query).await;
                let items = names(&page);
                assert!(items.len() <= limit, "{query}: {items:?}");
                seen.extend(items.into_iter().map(str::to_owned));
                match page["nextCursor"].as_str() {
                    Some(next) => cursor = Some(next.to_owned()),
                    None => break,
                }
            }
            assert_eq!(seen, all, "sort={sort} limit={limit}");
        }
    }
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn a_page_size_out_of_range_is_refused_not_clamped(pool: PgPool) {
    let app = seeded(pool).await;
    assert_eq!(names(&list(&app, "limit=1").await).len(), 1);
    assert_eq!(names(&list(&app, "limit=100").await).len(), 4);
    for limit in [
        "0",
        "101",
        "500",
        "-5",
        "99999999999999999999999",
        "abc",
        "",
    ] {
        let answer = app
            .get(&format!("/catalog/products?limit={limit}"), ANYONE)
            .await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.invalid_fields(), ["limit"], "limit={limit}");
    }
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn each_bad_query_parameter_is_named_in_one_422(pool: PgPool) {
    let app = seeded(pool).await;
    let long_search = "a".repeat(201);
    let cases = [
        ("sort=cheapest".to_owned(), vec!["sort"]),
        ("cursor=garbage".to_owned(), vec!["cursor"]),
        ("min_price=-5".to_owned(), vec!["min_price"]),
        ("max_price=-1".to_owned(), vec!["max_price"]),
        ("min_price=cheap".to_owned(), vec!["min_price"]),
        ("in_stock=maybe".to_owned(), vec!["in_stock"]),
        ("category=Home%20%26%20Garden".to_owned(), vec!["category"]),
        (format!("q={long_search}"), vec!["q"]),
        ("q=lamp%00".to_owned(), vec!["q"]),
        (
            "category=-&sort=cheapest&limit=0&min_price=-1".to_owned(),
            vec!["category", "sort", "limit", "min_price"],
        ),
    ];
    for (query, fields) in cases {
        let answer = app.get(&format!("/catalog/products?{query}"), ANYONE).await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.body["type"], "/problems/validation-error");
        assert_eq!(answer.invalid_fields(), fields, "{query}");
    }
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn a_cursor_only_continues_the_sort_it_was_made_for(pool: PgPool) {
    let app = seeded(pool).await;
    let page = list(&app, "sort=price&limit=2").await;
    let cursor = page["nextCursor"].as_str().unwrap();
    assert_eq!(
        names(&list(&app, &format!("sort=price&limit=2&cursor={cursor}")).await),
        ["Chair", "Table"]
    );
    let answer = app
        .get(
            &format!("/catalog/products?sort=-price&cursor={cursor}"),
            ANYONE,
        )
        .await;
    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.invalid_fields(), ["cursor"]);
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn one_product_is_read_by_its_sku_in_any_case(pool: PgPool) {
    let app = seeded(pool).await;
    for sku in ["LAMP-1", "lamp-1", "%20Lamp-1%20"] {
        let answer = app.get(&format!("/catalog/products/{sku}"), ANYONE).await;
        assert_eq!(answer.status, StatusCode::OK, "{sku}");
        assert_eq!(answer.body["sku"], "LAMP-1");
        assert_eq!(answer.body["name"], "Desk lamp");
        assert_eq!(answer.body["available"], 3);
    }
    let inactive = app.get("/catalog/products/CLOCK-1", ANYONE).await;
    assert_eq!(inactive.status, StatusCode::OK, "old orders still show it");
    assert_eq!(inactive.body["active"], false);
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn an_unknown_sku_is_404_and_an_invalid_one_422(pool: PgPool) {
    let app = seeded(pool).await;
    let unknown = app.get("/catalog/products/NOPE-1", ANYONE).await;
    let problem = unknown.assert_problem(StatusCode::NOT_FOUND);
    assert_eq!(problem["type"], "/problems/unknown-sku");
    assert_eq!(problem["detail"], "no product with SKU NOPE-1");

    for sku in ["x", "A--B", "%C3%84BC", "%20"] {
        let answer = app.get(&format!("/catalog/products/{sku}"), ANYONE).await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.invalid_fields(), ["sku"], "{sku}");
    }
}

/// Encoded slashes reach this service decoded, inside the one path segment of the SKU: no
/// other route answers them, and no SKU contains a slash.
#[sqlx::test(migrations = "../../migrations/inventory")]
async fn encoded_slashes_and_dots_in_a_sku_never_reach_another_route(pool: PgPool) {
    let app = seeded(pool).await;
    for sku in [
        "%2F",
        "%2f",
        "LAMP-1%2F",
        "a%2Fb",
        "..%2F..%2Fadmin%2Fcatalog%2Fproducts",
    ] {
        let answer = app.get(&format!("/catalog/products/{sku}"), ANYONE).await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.invalid_fields(), ["sku"], "{sku}");
    }
    let dots = app.get("/catalog/products/%2E%2E", ANYONE).await;
    dots.assert_problem(StatusCode::NOT_FOUND);
}
