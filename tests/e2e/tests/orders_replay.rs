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
    for order_id in [&shipped, &cancelled, &confirmed] {
        wait_for_status(&shopper.token, order_id, "awaiting-payment").await;
    }
    wait_for_status(&shopper.token, &rejected, "cancelled").await;
    // Settled orders only (nothing open), so no deadline fires between the two snapshots.
    publish_payment(&uuid::Uuid::now_v7().to_string(), &shipped, true, 9_800).await;
    publish_payment(&uuid::Uuid::now_v7().to_string(), &confirmed, true, 14_700).await;
    wait_for_status(&shopper.token, &shipped, "confirmed").await;
    wait_for_status(&shopper.token, &confirmed, "confirmed").await;
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

    let ids = [&shipped, &cancelled, &rejected, &confirmed];
    // The live models, once they have caught up with the streams.
    let live_views = settled_views(&shopper.token, &ids).await;
    let live_rows = admin_list(&admin, &shopper.user.user_id).await["items"].clone();
    assert_eq!(live_rows.as_array().unwrap().len(), 4);

    let report = replay_read_models().await;
    assert!(report["streams"].as_u64().unwrap() >= 4, "{report}");
    assert!(report["events"].as_u64().unwrap() >= 14, "{report}");

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
