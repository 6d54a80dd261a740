//! The read models are disposable: replaying every order stream rebuilds the OrderActor views
//! and the query table exactly as they were. Its own test binary: the replay empties the query
//! table first, which concurrent tests would notice.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use e2e::orders::*;
use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn replaying_every_stream_rebuilds_read_models_equal_to_the_live_ones() {
    require_kafka();
    let admin = admin_access_token().await;
    let plenty = product_with_stock(&admin, 100).await;
    let scarce = product_with_stock(&admin, 1).await;
    let shopper = customer().await;

    // Orders in every kind of end state: shipped, cancelled by the customer, rejected, confirmed.
    let shipped = place(&shopper.token, &plenty, 2).await["orderId"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancelled = place(&shopper.token, &plenty, 1).await["orderId"]
        .as_str()
        .unwrap()
        .to_owned();
    let rejected = place(&shopper.token, &scarce, 5).await["orderId"]
        .as_str()
        .unwrap()
        .to_owned();
    let confirmed = place(&shopper.token, &plenty, 3).await["orderId"]
        .as_str()
        .unwrap()
        .to_owned();
    // Inventory reserves and payments authorizes (confirms) and captures by themselves; the
    // scarce product is rejected.
    for order_id in [&shipped, &cancelled, &confirmed] {
        let paid = wait_for_order_payment(&shopper.token, order_id, "captured").await;
        assert_eq!(paid["status"], "confirmed");
    }
    wait_for_status(&shopper.token, &rejected, "cancelled").await;
    let ship = http()
        .post(format!("{GATEWAY}/api/admin/orders/{shipped}/ship"))
        .bearer_auth(&admin)
        .json(&json!({ "carrier": "UPS", "trackingNumber": "1Z999" }))
        .send()
        .await
        .unwrap();
    assert_eq!(ship.status(), StatusCode::OK);
    let cancel = http()
        .post(format!("{GATEWAY}/api/orders/{cancelled}/cancel"))
        .bearer_auth(&shopper.token)
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::OK);
    // Settled orders only (nothing open, and payments done with the money: the cancelled
    // order's capture refunded), so nothing moves between the two snapshots.
    wait_for_order_payment(&shopper.token, &cancelled, "refunded").await;

    let ids = [&shipped, &cancelled, &rejected, &confirmed];
    // The live models, once they have caught up with the streams.
    let live_views = settled_views(&shopper.token, &ids).await;
    let live_rows = settled_rows(&admin, &shopper.user.user_id, &ids).await;
    assert_eq!(live_rows.as_array().unwrap().len(), 4);

    // Every stream is replayed, these four among them, with every event they hold.
    let mut stored = 0;
    for order_id in ids {
        stored += assert_sequences_contiguous(&order_stream(order_id).await);
    }
    let report = replay_read_models().await;
    assert!(report["streams"].as_u64().unwrap() >= 4, "{report}");
    assert!(
        report["events"].as_u64().unwrap() >= stored,
        "{stored} events in these streams alone: {report}"
    );

    let rebuilt_views = settled_views(&shopper.token, &ids).await;
    let rebuilt_rows = admin_list(&admin, &shopper.user.user_id).await["items"].clone();
    assert_eq!(
        rebuilt_views, live_views,
        "actor views rebuilt from the streams"
    );
    assert_eq!(
        rebuilt_rows, live_rows,
        "query table rebuilt from the streams"
    );
}

/// The customer's rows in the query table, once each of `ids` is there at its stream's version
/// (nothing in flight).
async fn settled_rows(admin: &str, customer_id: &str, ids: &[&String]) -> Value {
    let mut versions = Vec::new();
    for order_id in ids {
        versions.push((*order_id, order_stream(order_id).await["version"].clone()));
    }
    eventually("the query table to match the streams", PATIENCE, || async {
        let rows = admin_list(admin, customer_id).await["items"].clone();
        versions
            .iter()
            .all(|(order_id, version)| {
                rows.as_array()
                    .unwrap()
                    .iter()
                    .any(|row| row["orderId"] == order_id.as_str() && row["version"] == *version)
            })
            .then_some(rows)
    })
    .await
}

/// Each order's view, once its version matches its stream (nothing in flight).
async fn settled_views(token: &str, ids: &[&String]) -> Vec<Value> {
    let mut views = Vec::new();
    for order_id in ids {
        let version = order_stream(order_id).await["version"].as_u64();
        let view = eventually("the view to match its stream", PATIENCE, || async {
            let (_, view) = get_order(token, order_id).await;
            (view["version"].as_u64() == version).then_some(view)
        })
        .await;
        views.push(view);
    }
    views
}
