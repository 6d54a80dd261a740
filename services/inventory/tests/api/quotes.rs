//! Quotes for the orders service: prices and availability per line, from one read.

use contracts::quote::{Quote, QuoteRequest, QuoteRequestLine};
use route_testing::Caller;
use salvo::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{TestApp, admin, spawn_app};

const QUOTES: &str = "/internal/quotes";

async fn quote(app: &TestApp, lines: &[(&str, u32)]) -> Quote {
    let request = QuoteRequest {
        lines: lines
            .iter()
            .map(|(sku, quantity)| QuoteRequestLine {
                sku: (*sku).to_owned(),
                quantity: *quantity,
            })
            .collect(),
    };
    let answer = app
        .post(
            QUOTES,
            Caller::Anonymous,
            &serde_json::to_value(request).unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    serde_json::from_value(answer.body).expect("the contract's shape")
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn each_line_gets_its_price_and_availability(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 4_900).await;
    app.restock("LAMP-1", 2).await;
    app.create_product("OLD-1", "Old lamp", "home", 1_000).await;
    app.restock("OLD-1", 9).await;
    app.delete("/admin/catalog/products/OLD-1", admin()).await;

    let quote = quote(
        &app,
        &[("lamp-1", 2), ("LAMP-1", 3), ("NOPE-1", 1), ("OLD-1", 1)],
    )
    .await;
    let lines: Vec<_> = quote
        .lines
        .iter()
        .map(|l| {
            (
                l.sku.as_str(),
                l.quantity,
                l.unit_price_minor,
                l.available,
                l.active,
                l.orderable,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("LAMP-1", 2, Some(4_900), 2, true, true),
            ("LAMP-1", 3, Some(4_900), 2, true, false),
            ("NOPE-1", 1, None, 0, false, false),
            ("OLD-1", 1, Some(1_000), 9, false, false),
        ]
    );
    assert_eq!(quote.lines[0].currency.as_deref(), Some("EUR"));
    assert_eq!(quote.lines[2].currency, None);
}

/// The wire shape orders reads: camelCase, the product's name and category (which the order
/// line keeps, for analytics), and no price or product members at all for an unknown SKU.
#[sqlx::test(migrations = "../../migrations/inventory")]
async fn the_answer_has_the_contract_shape(pool: PgPool) {
    let app = spawn_app(pool);
    app.create_product("LAMP-1", "Lamp", "home", 4_900).await;
    let answer = app
        .post(
            QUOTES,
            Caller::Anonymous,
            &json!({ "lines": [{ "sku": "LAMP-1", "quantity": 1 }, { "sku": "NOPE-1", "quantity": 1 }] }),
        )
        .await;
    assert_eq!(
        answer.body,
        json!({ "lines": [
            { "sku": "LAMP-1", "quantity": 1, "unitPriceMinor": 4_900, "currency": "EUR",
              "productName": "Lamp", "category": "home",
              "available": 0, "active": true, "orderable": false },
            { "sku": "NOPE-1", "quantity": 1, "available": 0, "active": false, "orderable": false },
        ] })
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn bad_lines_are_refused(pool: PgPool) {
    let app = spawn_app(pool);
    let cases = [
        (
            json!({ "lines": [{ "sku": "LAMP-1", "quantity": 0 }] }),
            vec!["quantity"],
        ),
        (
            json!({ "lines": [{ "sku": "LAMP-1", "quantity": 10_001 }] }),
            vec!["quantity"],
        ),
        (
            json!({ "lines": [{ "sku": "x", "quantity": 1 }] }),
            vec!["sku"],
        ),
        (json!({ "lines": [] }), vec!["lines"]),
        (
            json!({ "lines": [{ "sku": "x", "quantity": 1 }, { "sku": "LAMP-1", "quantity": 0 }] }),
            vec!["sku", "quantity"],
        ),
    ];
    for (body, fields) in cases {
        let answer = app.post(QUOTES, Caller::Anonymous, &body).await;
        answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.invalid_fields(), fields, "{body}");
    }
    let too_many: Vec<_> = (0..101)
        .map(|_| json!({ "sku": "LAMP-1", "quantity": 1 }))
        .collect();
    app.post(QUOTES, Caller::Anonymous, &json!({ "lines": too_many }))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    for body in [
        json!({ "lines": [{ "sku": "LAMP-1" }] }),
        json!({ "items": [] }),
    ] {
        app.post(QUOTES, Caller::Anonymous, &body)
            .await
            .assert_problem(StatusCode::BAD_REQUEST);
    }
}
