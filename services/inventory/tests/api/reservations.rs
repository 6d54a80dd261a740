//! The order saga's events, delivered as Dapr delivers them (a CloudEvent per request): stock is
//! reserved all or nothing, once per order, and settled once. No sidecar runs, so the outgoing
//! events are asserted where the use case records them: the outbox.

use contracts::order::{OrderCancelled, OrderConfirmed, OrderLine, OrderPlaced};
use contracts::payment::PaymentFailed;
use route_testing::Caller;
use serde_json::{Value, json};
use service_runtime::{DomainEvent, EventEnvelope};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

const ORDER_EVENTS: &str = "/events/orders";
const PAYMENT_EVENTS: &str = "/events/payments";
const CLOUDEVENT: &str = "application/cloudevents+json";

/// Delivers `event` under `event_id` and returns Dapr's answer (`SUCCESS`, `RETRY`, `DROP`).
async fn deliver<E: DomainEvent>(app: &TestApp, route: &str, event_id: Uuid, event: &E) -> String {
    let envelope = EventEnvelope::wrap_with_id(event_id.to_string(), "shop/route-tests", event)
        .unwrap()
        .to_json()
        .unwrap();
    let body = String::from_utf8(envelope).unwrap();
    let answer = app
        .post_raw(route, Caller::Anonymous, CLOUDEVENT, body)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["status"].as_str().unwrap().to_owned()
}

fn placed(order_id: Uuid, lines: &[(&str, u32)]) -> OrderPlaced {
    OrderPlaced {
        order_id,
        customer_id: Uuid::new_v4(),
        lines: lines
            .iter()
            .map(|(sku, quantity)| OrderLine {
                sku: (*sku).to_owned(),
                quantity: *quantity,
                unit_price_minor: 100,
                currency: "EUR".into(),
                product_name: None,
                category: None,
            })
            .collect(),
        currency: "EUR".into(),
        total_minor: 100,
        payment_method_id: contracts::payment::PaymentMethodId::parse("pm_card_visa").ok(),
    }
}

async fn product_with_stock(app: &TestApp, sku: &str, units: i32) {
    app.create_product(sku, &format!("Product {sku}"), "home", 100)
        .await;
    app.restock(sku, units).await;
}

async fn reservation_status(app: &TestApp, order_id: Uuid) -> Option<String> {
    sqlx::query_scalar("SELECT status FROM reservations WHERE order_id = $1")
        .bind(order_id)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
}

/// (reason, on hand delta, reserved delta, actor, order id) of the ledger entries of a SKU.
async fn ledger(app: &TestApp, sku: &str) -> Vec<(String, i64, i64, String, Option<Uuid>)> {
    sqlx::query_as(
        "SELECT reason, on_hand_delta, reserved_delta, actor, order_id FROM stock_ledger
         WHERE sku = $1 ORDER BY entry_id",
    )
    .bind(sku)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn an_order_placed_reserves_every_line_once(pool: PgPool) {
    let app = spawn_app(pool);
    product_with_stock(&app, "LAMP-1", 10).await;
    product_with_stock(&app, "DESK-1", 3).await;
    let order_id = Uuid::new_v4();
    let event = placed(order_id, &[("lamp-1", 2), ("DESK-1", 1), ("LAMP-1", 1)]);
    let event_id = Uuid::now_v7();
    assert_eq!(
        deliver(&app, ORDER_EVENTS, event_id, &event).await,
        "SUCCESS"
    );

    assert_eq!(
        reservation_status(&app, order_id).await.as_deref(),
        Some("reserved")
    );
    assert_eq!(
        app.stock_row("LAMP-1").await,
        (10, 3),
        "both LAMP-1 lines, summed"
    );
    assert_eq!(app.stock_row("DESK-1").await, (3, 1));
    assert_eq!(
        ledger(&app, "LAMP-1").await.last().unwrap(),
        &(
            "reservation".into(),
            0,
            3,
            "order-saga".into(),
            Some(order_id)
        )
    );
    let events = app.outbox_events().await;
    let reserved: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "shop.stock.reserved.v1")
        .collect();
    assert_eq!(reserved.len(), 1);
    assert_eq!(reserved[0]["subject"], order_id.to_string());
    assert_eq!(reserved[0]["data"], json!({ "orderId": order_id }));

    // The same event again (a redelivery), then the same order under a new event id.
    let outbox_before = app.outbox_event_types().await;
    for id in [event_id, Uuid::now_v7()] {
        assert_eq!(deliver(&app, ORDER_EVENTS, id, &event).await, "SUCCESS");
    }
    assert_eq!(
        app.stock_row("LAMP-1").await,
        (10, 3),
        "reserved once, not three times"
    );
    assert_eq!(app.stock_row("DESK-1").await, (3, 1));
    assert_eq!(
        app.ledger_len("LAMP-1").await,
        2,
        "restock and one reservation"
    );
    assert_eq!(
        app.outbox_event_types().await,
        outbox_before,
        "nothing announced twice"
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn an_order_that_cannot_be_served_is_rejected_whole_with_a_reason_per_line(pool: PgPool) {
    let app = spawn_app(pool);
    product_with_stock(&app, "LAMP-1", 2).await;
    product_with_stock(&app, "DESK-1", 5).await;
    product_with_stock(&app, "OLD-1", 5).await;
    app.delete("/admin/catalog/products/OLD-1", crate::helpers::admin())
        .await;
    let order_id = Uuid::new_v4();
    let event = placed(
        order_id,
        &[("LAMP-1", 3), ("DESK-1", 1), ("NOPE-1", 1), ("OLD-1", 1)],
    );
    assert_eq!(
        deliver(&app, ORDER_EVENTS, Uuid::now_v7(), &event).await,
        "SUCCESS"
    );

    assert_eq!(
        reservation_status(&app, order_id).await.as_deref(),
        Some("rejected")
    );
    assert_eq!(app.stock_row("LAMP-1").await, (2, 0), "all or nothing");
    assert_eq!(app.stock_row("DESK-1").await, (5, 0), "all or nothing");
    let events = app.outbox_events().await;
    assert_eq!(app.outbox_event_types().await, ["shop.stock.rejected.v1"]);
    assert_eq!(
        events[0]["data"]["lines"],
        json!([
            { "sku": "LAMP-1", "requested": 3, "available": 2, "reason": "insufficient-stock" },
            { "sku": "NOPE-1", "requested": 1, "available": 0, "reason": "unknown-sku" },
            { "sku": "OLD-1", "requested": 1, "available": 0, "reason": "inactive-product" },
        ])
    );
    // Rejected is a decision too: a redelivery does not try again.
    app.restock("LAMP-1", 10).await;
    assert_eq!(
        deliver(&app, ORDER_EVENTS, Uuid::now_v7(), &event).await,
        "SUCCESS"
    );
    assert_eq!(app.stock_row("LAMP-1").await, (12, 0));
    assert_eq!(app.outbox_event_types().await.len(), 1);
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn a_cancellation_releases_the_stock_once(pool: PgPool) {
    let app = spawn_app(pool);
    product_with_stock(&app, "LAMP-1", 5).await;
    let order_id = Uuid::new_v4();
    deliver(
        &app,
        ORDER_EVENTS,
        Uuid::now_v7(),
        &placed(order_id, &[("LAMP-1", 2)]),
    )
    .await;
    assert_eq!(app.stock_row("LAMP-1").await, (5, 2));

    let cancelled = OrderCancelled {
        order_id,
        reason: "customer".into(),
    };
    for _ in 0..2 {
        assert_eq!(
            deliver(&app, ORDER_EVENTS, Uuid::now_v7(), &cancelled).await,
            "SUCCESS"
        );
    }
    assert_eq!(app.stock_row("LAMP-1").await, (5, 0));
    assert_eq!(
        reservation_status(&app, order_id).await.as_deref(),
        Some("released")
    );
    let reasons: Vec<String> = ledger(&app, "LAMP-1")
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(
        reasons,
        ["delivery", "reservation", "release"],
        "nothing doubled"
    );
    assert_eq!(
        ledger(&app, "LAMP-1").await[2],
        ("release".into(), 0, -2, "order-saga".into(), Some(order_id))
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn a_failed_payment_releases_and_a_confirmation_commits(pool: PgPool) {
    let app = spawn_app(pool);
    product_with_stock(&app, "LAMP-1", 6).await;
    let (unpaid, confirmed) = (Uuid::new_v4(), Uuid::new_v4());
    for order_id in [unpaid, confirmed] {
        deliver(
            &app,
            ORDER_EVENTS,
            Uuid::now_v7(),
            &placed(order_id, &[("LAMP-1", 2)]),
        )
        .await;
    }
    assert_eq!(app.stock_row("LAMP-1").await, (6, 4));

    let failed = PaymentFailed {
        order_id: unpaid,
        reason: "Your card was declined.".into(),
        code: Some("card_declined".into()),
    };
    assert_eq!(
        deliver(&app, PAYMENT_EVENTS, Uuid::now_v7(), &failed).await,
        "SUCCESS"
    );
    assert_eq!(app.stock_row("LAMP-1").await, (6, 2));

    let confirmation = OrderConfirmed {
        order_id: confirmed,
    };
    for _ in 0..2 {
        deliver(&app, ORDER_EVENTS, Uuid::now_v7(), &confirmation).await;
    }
    assert_eq!(
        app.stock_row("LAMP-1").await,
        (4, 0),
        "committed once: the stock left"
    );
    assert_eq!(
        reservation_status(&app, confirmed).await.as_deref(),
        Some("committed")
    );
    // The payment failed: its cancellation finds the stock already released.
    let cancelled = OrderCancelled {
        order_id: unpaid,
        reason: "payment-failed".into(),
    };
    deliver(&app, ORDER_EVENTS, Uuid::now_v7(), &cancelled).await;
    assert_eq!(app.stock_row("LAMP-1").await, (4, 0));
    assert_eq!(
        reservation_status(&app, unpaid).await.as_deref(),
        Some("released")
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn a_confirmed_order_cancelled_before_shipping_puts_its_stock_back_once(pool: PgPool) {
    let app = spawn_app(pool);
    product_with_stock(&app, "LAMP-1", 6).await;
    product_with_stock(&app, "DESK-1", 2).await;
    let order_id = Uuid::new_v4();
    deliver(
        &app,
        ORDER_EVENTS,
        Uuid::now_v7(),
        &placed(order_id, &[("LAMP-1", 2), ("DESK-1", 1)]),
    )
    .await;
    deliver(
        &app,
        ORDER_EVENTS,
        Uuid::now_v7(),
        &OrderConfirmed { order_id },
    )
    .await;
    assert_eq!(app.stock_row("LAMP-1").await, (4, 0), "committed: gone");
    assert_eq!(app.stock_row("DESK-1").await, (1, 0));

    // The customer takes the confirmed order back; the event comes twice (a redelivery under
    // its id, then the same cancellation under another).
    let cancelled = OrderCancelled {
        order_id,
        reason: "customer".into(),
    };
    let announced = app.outbox_event_types().await;
    let event_id = Uuid::now_v7();
    for id in [event_id, event_id, Uuid::now_v7()] {
        assert_eq!(deliver(&app, ORDER_EVENTS, id, &cancelled).await, "SUCCESS");
    }
    assert_eq!(app.stock_row("LAMP-1").await, (6, 0), "back on hand, once");
    assert_eq!(app.stock_row("DESK-1").await, (2, 0));
    assert_eq!(
        reservation_status(&app, order_id).await.as_deref(),
        Some("returned")
    );
    let saga = |reason: &str, on_hand: i64, reserved: i64| {
        (
            reason.to_owned(),
            on_hand,
            reserved,
            "order-saga".to_owned(),
            Some(order_id),
        )
    };
    assert_eq!(
        ledger(&app, "LAMP-1").await[1..],
        [
            saga("reservation", 0, 2),
            saga("commit", -2, -2),
            saga("return", 2, 0)
        ],
        "the return recorded once, with its reason"
    );
    // Neither a late confirmation nor a payment failure moves it again.
    deliver(
        &app,
        ORDER_EVENTS,
        Uuid::now_v7(),
        &OrderConfirmed { order_id },
    )
    .await;
    let failed = PaymentFailed {
        order_id,
        reason: "Your card was declined.".into(),
        code: None,
    };
    deliver(&app, PAYMENT_EVENTS, Uuid::now_v7(), &failed).await;
    assert_eq!(app.stock_row("LAMP-1").await, (6, 0));
    assert_eq!(app.ledger_len("LAMP-1").await, 4);
    assert_eq!(
        app.outbox_event_types().await,
        announced,
        "a return announces nothing"
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn falling_below_the_threshold_announces_low_stock_once(pool: PgPool) {
    let app = spawn_app(pool);
    product_with_stock(&app, "LAMP-1", 6).await; // default threshold: 5
    deliver(
        &app,
        ORDER_EVENTS,
        Uuid::now_v7(),
        &placed(Uuid::new_v4(), &[("LAMP-1", 1)]),
    )
    .await;
    assert!(
        !app.outbox_event_types()
            .await
            .contains(&"shop.stock.low.v1".to_owned()),
        "6 -> 5"
    );
    deliver(
        &app,
        ORDER_EVENTS,
        Uuid::now_v7(),
        &placed(Uuid::new_v4(), &[("LAMP-1", 2)]),
    )
    .await;
    deliver(
        &app,
        ORDER_EVENTS,
        Uuid::now_v7(),
        &placed(Uuid::new_v4(), &[("LAMP-1", 1)]),
    )
    .await;
    let low: Vec<Value> = app
        .outbox_events()
        .await
        .into_iter()
        .filter(|e| e["type"] == "shop.stock.low.v1")
        .collect();
    assert_eq!(
        low.len(),
        1,
        "5 -> 3 crosses the threshold, 3 -> 2 does not again"
    );
    assert_eq!(low[0]["subject"], "LAMP-1");
    assert_eq!(
        low[0]["data"],
        json!({ "sku": "LAMP-1", "available": 3, "threshold": 5 })
    );
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn what_can_never_be_processed_is_dropped_and_other_events_acknowledged(pool: PgPool) {
    let app = spawn_app(pool);
    product_with_stock(&app, "LAMP-1", 5).await;
    let not_a_cloudevent = app
        .post_raw(ORDER_EVENTS, Caller::Anonymous, CLOUDEVENT, "{ not json")
        .await;
    assert_eq!(not_a_cloudevent.body, json!({ "status": "DROP" }));
    let broken = json!({
        "specversion": "1.0", "id": Uuid::now_v7().to_string(), "type": OrderPlaced::EVENT_TYPE,
        "source": "shop/route-tests", "datacontenttype": "application/json",
        "data": { "orderId": "not-a-uuid" },
    });
    let answer = app
        .post_raw(
            ORDER_EVENTS,
            Caller::Anonymous,
            CLOUDEVENT,
            broken.to_string(),
        )
        .await;
    assert_eq!(
        answer.body,
        json!({ "status": "DROP" }),
        "it breaks its contract"
    );
    let other = json!({
        "specversion": "1.0", "id": Uuid::now_v7().to_string(), "type": "shop.order.shipped.v1",
        "source": "shop/route-tests", "datacontenttype": "application/json",
        "data": { "orderId": Uuid::new_v4() },
    });
    let answer = app
        .post_raw(
            ORDER_EVENTS,
            Caller::Anonymous,
            CLOUDEVENT,
            other.to_string(),
        )
        .await;
    assert_eq!(
        answer.body,
        json!({ "status": "SUCCESS" }),
        "not about stock"
    );
    assert_eq!(app.stock_row("LAMP-1").await, (5, 0));
    assert_eq!(app.outbox_event_types().await, Vec::<String>::new());
}

#[sqlx::test(migrations = "../../migrations/inventory")]
async fn dapr_learns_the_subscriptions_with_their_dead_letter_topic(pool: PgPool) {
    let app = spawn_app(pool);
    let answer = app.get("/dapr/subscribe", Caller::Anonymous).await;
    assert_eq!(answer.status, 200);
    let subscriptions = answer.body.as_array().unwrap();
    let routes: Vec<(&str, &str)> = subscriptions
        .iter()
        .map(|s| (s["topic"].as_str().unwrap(), s["route"].as_str().unwrap()))
        .collect();
    assert_eq!(
        routes,
        [
            ("order-events", ORDER_EVENTS),
            ("payment-events", PAYMENT_EVENTS)
        ]
    );
    assert!(
        subscriptions
            .iter()
            .all(|s| s["deadLetterTopic"] == "inventory-dead-letters")
    );
}
