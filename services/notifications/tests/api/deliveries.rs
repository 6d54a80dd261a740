//! Domain events become stored messages and queued jobs, once; jobs are sent only while their
//! message is queued; the dead-letter topic buries a message, and never a replay in flight.

use contracts::order::{OrderConfirmed, OrderLine, OrderPlaced};
use contracts::stock::StockLow;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{ADMIN_EMAIL, spawn_app};

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn a_registration_queues_one_welcome_email_however_often_it_is_delivered(pool: PgPool) {
    let app = spawn_app(pool);
    let user_id = Uuid::new_v4();
    let id = app.welcome(user_id, "ada@example.test").await;

    let messages = app.messages().await;
    assert_eq!(messages.len(), 1);
    let welcome = &messages[0];
    assert_eq!(welcome.notification_id, id);
    assert_eq!(
        (welcome.kind.as_str(), welcome.channel.as_str()),
        ("welcome", "email")
    );
    assert_eq!(welcome.recipient, "ada@example.test");
    assert_eq!(welcome.subject.as_deref(), Some("Welcome to Shop, Ada"));
    assert_eq!(welcome.status, "queued");

    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 1, "one job");
    let (topic, job) = &outbox[0];
    assert_eq!(topic, "notification-jobs");
    assert_eq!(job["type"], "shop.notification.requested.v1");
    assert_eq!(job["data"]["notificationId"], id.to_string());
    assert_eq!(job["data"]["channel"], "email");

    // The same event again (Kafka redelivers, a topic is replayed): nothing new.
    let event_id = sqlx::query_scalar::<_, String>("SELECT source_event_id FROM notifications")
        .fetch_one(&app.pool)
        .await
        .expect("the source event");
    let registered = contracts::user::UserRegistered {
        user_id,
        email: "ada@example.test".into(),
        display_name: "Ada".into(),
    };
    assert_eq!(app.deliver_event(&event_id, &registered).await, "SUCCESS");
    assert_eq!(app.messages().await.len(), 1);
    assert_eq!(app.outbox().await.len(), 1);
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn low_stock_is_emailed_to_the_administrators(pool: PgPool) {
    let app = spawn_app(pool);
    let low = StockLow {
        sku: "LAMP-1".into(),
        available: 2,
        threshold: 5,
    };
    assert_eq!(app.deliver_event("evt-low-1", &low).await, "SUCCESS");
    let messages = app.messages().await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].recipient, ADMIN_EMAIL);
    assert_eq!(
        messages[0].subject.as_deref(),
        Some("Low stock: LAMP-1 (2 left)")
    );
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn an_order_event_without_its_order_or_its_customer_stores_nothing(pool: PgPool) {
    let app = spawn_app(pool);
    let order_id = Uuid::new_v4();
    // An order notifications never saw placed (older than its subscription, or its `placed`
    // event dead-lettered): nothing to say, and waiting would only hold up the partition.
    let confirmed = OrderConfirmed { order_id };
    assert_eq!(app.deliver_event("evt-c", &confirmed).await, "SUCCESS");

    // Placed, but users (behind the sidecar) cannot say how to reach the customer: again later.
    let placed = OrderPlaced {
        order_id,
        customer_id: Uuid::new_v4(),
        lines: vec![OrderLine {
            sku: "LAMP-1".into(),
            quantity: 1,
            unit_price_minor: 2_499,
            currency: "EUR".into(),
            product_name: None,
            category: None,
        }],
        currency: "EUR".into(),
        total_minor: 2_499,
        payment_method_id: None,
    };
    assert_eq!(app.deliver_event("evt-p", &placed).await, "RETRY");
    assert!(app.messages().await.is_empty());
    assert!(app.outbox().await.is_empty());
    let remembered: i64 = sqlx::query_scalar("SELECT count(*) FROM order_summaries")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(
        remembered, 0,
        "the order is remembered with its messages, or not at all"
    );
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn events_nobody_is_told_about_are_acknowledged_and_broken_ones_dead_lettered(pool: PgPool) {
    let app = spawn_app(pool);
    let reserved = contracts::order::OrderStockReserved {
        order_id: Uuid::new_v4(),
    };
    assert_eq!(app.deliver_event("evt-r", &reserved).await, "SUCCESS");
    let broken = json!({
        "specversion": "1.0", "id": "evt-b", "source": "shop/tests",
        "type": "shop.order.shipped.v1", "datacontenttype": "application/json",
        "data": { "orderId": "not-a-uuid" },
    });
    assert_eq!(
        app.deliver_raw("/events/domain", broken.to_string()).await,
        "DROP"
    );
    assert_eq!(
        app.deliver_raw("/events/domain", "not a cloud event".into())
            .await,
        "DROP"
    );
    assert!(app.messages().await.is_empty());
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn a_failed_send_is_counted_with_its_error_and_retried(pool: PgPool) {
    let app = spawn_app(pool);
    let id = app.welcome(Uuid::new_v4(), "ada@example.test").await;
    // The email binding is behind a sidecar that does not answer.
    assert_eq!(
        app.deliver_job("/jobs/notification", &id.to_string(), id)
            .await,
        "RETRY"
    );
    assert_eq!(
        app.deliver_job("/jobs/notification", &id.to_string(), id)
            .await,
        "RETRY"
    );
    let message = app.message(id).await;
    assert_eq!(message.status, "queued");
    assert_eq!(message.attempts, 2);
    assert!(message.last_error.is_some_and(|e| !e.is_empty()));
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn a_job_for_a_message_sent_or_buried_before_sends_nothing(pool: PgPool) {
    let app = spawn_app(pool);
    let id = app.welcome(Uuid::new_v4(), "ada@example.test").await;
    for status in ["sent", "dead"] {
        app.set_status(id, status).await;
        assert_eq!(
            app.deliver_job("/jobs/notification", &id.to_string(), id)
                .await,
            "SUCCESS"
        );
        assert_eq!(app.message(id).await.attempts, 0, "no send was tried");
    }
    // A job whose message this database does not hold can never be sent.
    let unknown = contracts::notification::NotificationRequested {
        notification_id: Uuid::new_v4(),
        channel: contracts::notification::Channel::Email,
        recipient: "x@example.test".into(),
        template: "welcome".into(),
    };
    let body = crate::helpers::envelope("job-x", "shop/notifications", &unknown);
    assert_eq!(app.deliver_raw("/jobs/notification", body).await, "DROP");
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn the_dead_letter_topic_buries_a_queued_message_but_not_a_replay_in_flight(pool: PgPool) {
    let app = spawn_app(pool);
    let id = app.welcome(Uuid::new_v4(), "ada@example.test").await;
    assert_eq!(
        app.deliver_job("/jobs/dead-letters", &id.to_string(), id)
            .await,
        "SUCCESS"
    );
    assert_eq!(app.message(id).await.status, "dead");

    // An administrator replays it; then a late copy of the first job arrives dead.
    let replayed = app
        .post(
            &format!("/admin/notifications/dead-letters/{id}/replay"),
            crate::helpers::admin(),
        )
        .await;
    assert_eq!(
        replayed.status_code,
        Some(salvo::http::StatusCode::ACCEPTED)
    );
    assert_eq!(
        app.deliver_job("/jobs/dead-letters", &id.to_string(), id)
            .await,
        "SUCCESS"
    );
    let message = app.message(id).await;
    assert_eq!((message.status.as_str(), message.replays), ("queued", 1));
    // The replay's own job, dead in its turn, buries it.
    assert_eq!(
        app.deliver_job("/jobs/dead-letters", &format!("{id}:replay:1"), id)
            .await,
        "SUCCESS"
    );
    assert_eq!(app.message(id).await.status, "dead");
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn a_queued_message_without_a_sign_of_life_gets_a_new_job_once_per_sweep(pool: PgPool) {
    let app = spawn_app(pool);
    let id = app.welcome(Uuid::new_v4(), "ada@example.test").await;
    let sent = app.welcome(Uuid::new_v4(), "grace@example.test").await;
    app.set_status(sent, "sent").await;
    assert_eq!(app.outbox().await.len(), 2);

    // Quiet for an hour? Not yet: nothing to resend.
    let hour = std::time::Duration::from_secs(3600);
    assert_eq!(app.app.resend_stale(hour).await.expect("a sweep"), 0);
    // Quiet for any time at all: the queued one (only) gets a new job, its resend counted.
    let resent = app
        .app
        .resend_stale(std::time::Duration::ZERO)
        .await
        .expect("a sweep");
    assert_eq!(resent, 1);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 3);
    assert_eq!(outbox[2].1["id"], format!("{id}:replay:0:resend:1"));
    assert_eq!(outbox[2].1["data"]["notificationId"], id.to_string());
    // The sweep touched it: right after, it is not stale for a second.
    assert_eq!(
        app.app
            .resend_stale(std::time::Duration::from_secs(1))
            .await
            .expect("a sweep"),
        0
    );
    // The resent job, dead-lettered, still buries its message (same replay).
    assert_eq!(
        app.deliver_job("/jobs/dead-letters", &format!("{id}:replay:0:resend:1"), id)
            .await,
        "SUCCESS"
    );
    assert_eq!(app.message(id).await.status, "dead");
}

/// `event` as a CloudEvent that happened `days` ago.
fn old_event<E: contracts::DomainEvent>(id: &str, event: &E, days: i64) -> String {
    let mut envelope: serde_json::Value =
        serde_json::from_str(&crate::helpers::envelope(id, "shop/tests", event))
            .expect("an envelope");
    envelope["time"] = json!((chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339());
    envelope.to_string()
}

#[sqlx::test(migrations = "../../migrations/notifications")]
async fn an_event_older_than_a_day_tells_nobody_but_its_order_is_remembered(pool: PgPool) {
    let app = spawn_app(pool);
    let registered = contracts::user::UserRegistered {
        user_id: Uuid::new_v4(),
        email: "old@example.test".into(),
        display_name: "Old".into(),
    };
    assert_eq!(
        app.deliver_raw("/events/domain", old_event("evt-old-1", &registered, 2))
            .await,
        "SUCCESS"
    );
    let placed = OrderPlaced {
        order_id: Uuid::new_v4(),
        customer_id: Uuid::new_v4(),
        lines: vec![OrderLine {
            sku: "LAMP-1".into(),
            quantity: 1,
            unit_price_minor: 2_499,
            currency: "EUR".into(),
            product_name: None,
            category: None,
        }],
        currency: "EUR".into(),
        total_minor: 2_499,
        payment_method_id: None,
    };
    assert_eq!(
        app.deliver_raw("/events/domain", old_event("evt-old-2", &placed, 3))
            .await,
        "SUCCESS"
    );
    assert!(app.messages().await.is_empty(), "no news of old events");
    assert!(app.outbox().await.is_empty());
    let remembered: i64 =
        sqlx::query_scalar("SELECT count(*) FROM order_summaries WHERE order_id = $1")
            .bind(placed.order_id)
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(remembered, 1, "its shipment may be news later");
    // An hour old is still news.
    let welcome = contracts::user::UserRegistered {
        user_id: Uuid::new_v4(),
        email: "recent@example.test".into(),
        display_name: "Recent".into(),
    };
    let mut recent: serde_json::Value = serde_json::from_str(&crate::helpers::envelope(
        "evt-recent",
        "shop/tests",
        &welcome,
    ))
    .expect("an envelope");
    recent["time"] = json!((chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339());
    assert_eq!(
        app.deliver_raw("/events/domain", recent.to_string()).await,
        "SUCCESS"
    );
    assert_eq!(app.messages().await.len(), 1);
}
