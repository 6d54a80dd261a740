//! Helpers for the end-to-end tests. They talk to the system `./shop up` started: the gateway,
//! the Dapr sidecars' HTTP APIs, and the real brokers (Kafka through its own command-line
//! tools, RabbitMQ through its management API). Nothing here is a stand-in: when a piece of the
//! infrastructure is missing, the test that needs it fails and says which piece.
//!
//! What the seed tool and the benchmarks need as well (addresses, the HTTP client, secrets,
//! accounts) lives in `shop-client` and is re-exported here, so a test needs only `e2e::*`.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
pub use shop_client::*;

pub fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests with `./shop test`, which starts the system and sets it")
    })
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The problem+json body of an answer that must have `status`.
pub async fn problem(response: reqwest::Response, status: reqwest::StatusCode) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["content-type"], PROBLEM_JSON);
    response.json().await.expect("problem json")
}

/// Polls `probe` until it yields a value, or fails the test with `what` after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A structured CloudEvent with a fresh id.
pub fn cloud_event(event_type: &str, subject: &str, data: Value) -> (String, Value) {
    let id = uuid::Uuid::now_v7().to_string();
    let event = serde_json::json!({
        "specversion": "1.0",
        "id": id,
        "type": event_type,
        "source": "shop/e2e-tests",
        "subject": subject,
        "datacontenttype": "application/json",
        "data": data,
    });
    (id, event)
}

/// Publishes a CloudEvent through `app`'s sidecar; panics with the broker in the message if
/// Dapr cannot deliver it to the broker.
pub async fn publish(app: &str, pubsub: &str, topic: &str, event: &Value, broker: &str) {
    publish_through(app, pubsub, topic, event, broker, None).await;
}

/// Publishes a CloudEvent with a Kafka key (Dapr's `partitionKey`), as services publish events
/// of one aggregate so they stay in order.
pub async fn publish_keyed(app: &str, topic: &str, event: &Value, key: &str) {
    publish_through(app, "events", topic, event, "Kafka", Some(key)).await;
}

async fn publish_through(
    app: &str,
    pubsub: &str,
    topic: &str,
    event: &Value,
    broker: &str,
    key: Option<&str>,
) {
    let mut url = format!("{}/v1.0/publish/{pubsub}/{topic}", sidecar(app));
    if let Some(key) = key {
        url = format!("{url}?metadata.partitionKey={key}");
    }
    let response = http()
        .post(&url)
        .header("content-type", "application/cloudevents+json")
        .json(event)
        .send()
        .await
        .unwrap_or_else(|e| panic!("the {app} sidecar is unreachable at {url}: {e}"));
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(
        status.is_success(),
        "publishing to {pubsub}/{topic} through Dapr failed with {status}: {body}\n\
         => is {broker} running? (`./shop status`)"
    );
}

/// Fails the test at once, naming the broker, when nothing listens at `addr` (the brokers'
/// own clients would retry for minutes before giving up).
pub fn require_reachable(broker: &str, addr: &str) {
    let socket: std::net::SocketAddr = addr.parse().expect("a socket address");
    if let Err(error) = std::net::TcpStream::connect_timeout(&socket, Duration::from_secs(2)) {
        panic!(
            "{broker} is not reachable at {addr}: {error}. The system is incomplete: `./shop status`, then `./shop up`"
        );
    }
}

pub fn require_kafka() {
    require_reachable("Kafka", &required_env("KAFKA_BOOTSTRAP"));
}

pub fn require_rabbitmq() {
    require_reachable("RabbitMQ", &required_env("RABBITMQ_AMQP_ADDR"));
}

/// Runs one of Kafka's own command-line tools (from the jars `./shop` fetched from Maven
/// Central) and returns its standard output.
pub fn kafka_tool(main_class: &str, args: &[&str]) -> String {
    let kafka_home = PathBuf::from(required_env("KAFKA_HOME"));
    let classpath = format!("{}/libs/*", kafka_home.display());
    let output = std::process::Command::new("java")
        .args([
            "-Xmx256m",
            "-Dlog4j.configuration=file:/dev/null",
            "-cp",
            &classpath,
            main_class,
        ])
        .args(args)
        .output()
        .expect("java runs");
    assert!(
        output.status.success(),
        "{main_class} {args:?} failed (is Kafka running? `./shop status`):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every record of `topic` that contains `needle`, as (key, value), read from the beginning by
/// Kafka's own console consumer: what is really on the broker, keys included.
pub fn kafka_records_containing(topic: &str, needle: &str) -> Vec<(String, Value)> {
    let bootstrap = required_env("KAFKA_BOOTSTRAP");
    let out = kafka_tool(
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        &[
            "--bootstrap-server",
            &bootstrap,
            "--topic",
            topic,
            "--from-beginning",
            "--timeout-ms",
            "6000",
            "--property",
            "print.key=true",
            "--property",
            "key.separator=\t",
        ],
    );
    out.lines()
        .filter(|line| line.contains(needle))
        .filter_map(|line| {
            let (key, value) = line.split_once('\t')?;
            Some((key.to_owned(), serde_json::from_str(value).ok()?))
        })
        .collect()
}

/// The end offsets of every partition of `topic`, summed: how many records it ever received.
pub fn kafka_topic_end_offset(topic: &str) -> u64 {
    let bootstrap = required_env("KAFKA_BOOTSTRAP");
    let out = kafka_tool(
        "org.apache.kafka.tools.GetOffsetShell",
        &["--bootstrap-server", &bootstrap, "--topic", topic],
    );
    // One line per partition: `topic:partition:offset`.
    out.lines()
        .filter_map(|line| line.rsplit(':').next()?.trim().parse::<u64>().ok())
        .sum()
}

/// `GET` on RabbitMQ's management API, as the `shop` user.
pub async fn rabbitmq_api(path: &str) -> (reqwest::StatusCode, Value) {
    let base = required_env("RABBITMQ_MGMT_URL");
    let password = secret("rabbitmq-password");
    let url = format!("{base}/api/{}", path.trim_start_matches('/'));
    let response = http()
        .get(&url)
        .basic_auth("shop", Some(password))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!("RabbitMQ's management API is unreachable at {url} (is RabbitMQ running?): {e}")
        });
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A Python test tool from the virtualenv `./shop test` installs (schemathesis, the validator).
pub fn python_tool(name: &str) -> PathBuf {
    let path = PathBuf::from(required_env("PYTHON_TOOLS"))
        .join("bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `./shop test`, which installs it",
        path.display()
    );
    path
}

/// A product of its own for one test, with `units` on hand, priced 49.00 EUR.
pub async fn product_with_stock(admin: &str, units: i32) -> String {
    product(
        "STK",
        admin,
        ("Limited Lamp", "e2e-stock"),
        (4_900, "EUR"),
        units,
    )
    .await
}

/// A product of one test's own: a fresh SKU starting with `prefix`, its name and category, its
/// price in minor units of its currency, and `units` on hand.
pub async fn product(
    prefix: &str,
    admin: &str,
    (name, category): (&str, &str),
    (price_minor, currency): (i64, &str),
    units: i32,
) -> String {
    let sku = format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16].to_uppercase()
    );
    let body = serde_json::json!({ "sku": sku, "name": name, "category": category,
                                   "price": { "minorUnits": price_minor, "currency": currency } });
    let created = http()
        .post(format!("{GATEWAY}/api/admin/catalog/products"))
        .bearer_auth(admin)
        .json(&body)
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(created.status(), reqwest::StatusCode::CREATED, "{sku}");
    let restock = http()
        .post(format!("{GATEWAY}/api/admin/catalog/products/{sku}/stock"))
        .bearer_auth(admin)
        .json(&serde_json::json!({ "delta": units, "reason": "initial delivery" }))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(restock.status(), reqwest::StatusCode::OK, "{sku}");
    sku
}

/// A product's stock (on hand, reserved, available) as the admin API reports it.
pub async fn stock(admin: &str, sku: &str) -> Value {
    http()
        .get(format!("{GATEWAY}/api/admin/catalog/products/{sku}/stock"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("gateway answers")
        .json()
        .await
        .expect("json")
}

/// Whether consumer group `group` has read everything published to `topic` so far (lag 0 on
/// every partition), by Kafka's own ConsumerGroupCommand.
pub fn consumer_group_caught_up(group: &str, topic: &str) -> bool {
    let bootstrap = required_env("KAFKA_BOOTSTRAP");
    let out = kafka_tool(
        "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
        &[
            "--bootstrap-server",
            &bootstrap,
            "--describe",
            "--group",
            group,
        ],
    );
    let mut seen = false;
    for line in out.lines() {
        let columns: Vec<&str> = line.split_whitespace().collect();
        // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
        if columns.len() >= 6 && columns[1] == topic {
            seen = true;
            // A partition that never had a record shows no committed offset and no lag ("-").
            let empty = columns[3] == "-" && columns[4] == "0";
            if columns[5] != "0" && !empty {
                return false;
            }
        }
    }
    seen
}

pub mod analytics;
pub mod browser;
pub mod notifications;
pub mod observability;
pub mod orders;
pub mod payments;
pub mod process;
