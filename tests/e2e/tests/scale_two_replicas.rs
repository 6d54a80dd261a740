//! Two replicas of orders and of inventory side by side, as a cluster would run them: a second
//! instance of each app with its own sidecar under the same app id, started from how `dapr run
//! -f` started the first (argv and environment from `/proc`, every port moved). Then a burst
//! of orders through the gateway. Dapr's placement spreads the `OrderActor`s over both orders
//! replicas, and Kafka's consumer group spreads inventory's partitions over both inventory
//! replicas. Afterwards every order is in its stream once, on Kafka, in both read models, and
//! reserved once (`burst_of_orders_survives`). The test prints how the work was shared. Its own
//! test binary: nothing else runs while the extra replicas are up, and they are stopped at the
//! end (on failure too).
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::Duration;

use e2e::orders::{burst_of_orders_survives, customer, send_order};
use e2e::process::{Launch, app_process, relaunch, sidecar_process, wait_until_healthy};
use e2e::*;

/// How long a sidecar's name resolution keeps an address it no longer sees.
const MDNS_ADDRESS_TTL: Duration = Duration::from_secs(60);
/// How far the second replica's ports are from the first's.
const PORT_OFFSET: u16 = 50;
/// The sidecar flags that name a port.
const PORT_FLAGS: [&str; 6] = [
    "--app-port",
    "--dapr-http-port",
    "--dapr-grpc-port",
    "--dapr-internal-grpc-port",
    "--metrics-port",
    "--profile-port",
];
/// The app's environment that names a port (set by the Dapr CLI).
const PORT_VARIABLES: [&str; 4] = [
    "APP_PORT",
    "DAPR_HTTP_PORT",
    "DAPR_GRPC_PORT",
    "DAPR_METRICS_PORT",
];

fn moved(port: &str) -> String {
    (port.parse::<u16>().unwrap() + PORT_OFFSET).to_string()
}

/// A second replica of `app`: its sidecar and the app, started, and stopped when dropped.
struct Replica {
    app: &'static str,
    pids: Vec<u32>,
    metrics_port: u16,
}

impl Replica {
    async fn start(app: &'static str) -> Self {
        let mut sidecar: Launch = sidecar_process(app);
        let mut metrics_port = 0;
        let mut http_port = 0;
        for i in 0..sidecar.argv.len() - 1 {
            if PORT_FLAGS.contains(&sidecar.argv[i].as_str()) {
                let port = moved(&sidecar.argv[i + 1]);
                match sidecar.argv[i].as_str() {
                    "--metrics-port" => metrics_port = port.parse().unwrap(),
                    "--dapr-http-port" => http_port = port.parse().unwrap(),
                    _ => {}
                }
                sidecar.argv[i + 1] = port;
            }
        }
        let mut instance: Launch = app_process(app);
        let mut app_port = 0;
        for (name, value) in &mut instance.env {
            if PORT_VARIABLES.contains(&name.as_str()) {
                *value = moved(value);
                if name == "APP_PORT" {
                    app_port = value.parse().unwrap();
                }
            }
        }
        let pids = vec![
            relaunch(&sidecar, &format!("{app}-daprd-second-replica")),
            relaunch(&instance, &format!("{app}-app-second-replica")),
        ];
        let replica = Self {
            app,
            pids,
            metrics_port,
        };
        wait_until_healthy(
            &format!("http://127.0.0.1:{http_port}/v1.0/healthz"),
            Duration::from_secs(120),
        )
        .await;
        wait_until_healthy(
            &format!("http://127.0.0.1:{app_port}/readyz"),
            Duration::from_secs(60),
        )
        .await;
        replica
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        // SIGTERM: daprd hands its actors back and leaves the consumer group on the way out.
        for pid in &self.pids {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        // Gone (or a zombie, which is gone too) before the next test binary runs, within
        // daprd's drain timeout for ongoing actor calls (30 s) and some.
        let gone = |pid: &u32| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|stat| stat.contains(") Z "))
                .unwrap_or(true)
        };
        for _ in 0..400 {
            if self.pids.iter().all(gone) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("stopped the second {} replica", self.app);
    }
}

/// The sum of `metric`'s series on the sidecar at `port` whose labels contain `filter`.
async fn counter(port: u16, metric: &str, filter: &str) -> u64 {
    let text = http()
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|line| line.starts_with(&format!("{metric}{{")) && line.contains(filter))
        .filter_map(|line| line.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum::<f64>() as u64
}

/// Order commands each orders sidecar handed its app (the actors it hosts), and order events
/// each inventory sidecar delivered to its app.
async fn work_shares(orders: &Replica, inventory: &Replica) -> [u64; 4] {
    const EXECUTE: &str = "actors/OrderActor/{id}/method/execute";
    const DELIVERED: &str = "dapr_component_pubsub_ingress_count";
    [
        counter(
            sidecar_metrics_port("orders"),
            "dapr_http_client_completed_count",
            EXECUTE,
        )
        .await,
        counter(
            orders.metrics_port,
            "dapr_http_client_completed_count",
            EXECUTE,
        )
        .await,
        counter(
            sidecar_metrics_port("inventory"),
            DELIVERED,
            "topic=\"order-events\"",
        )
        .await,
        counter(inventory.metrics_port, DELIVERED, "topic=\"order-events\"").await,
    ]
}

fn sidecar_metrics_port(app: &str) -> u16 {
    shop_client::SIDECAR_METRICS_PORTS
        .iter()
        .find(|(id, _)| *id == app)
        .map(|(_, port)| *port)
        .unwrap()
}

#[tokio::test]
async fn two_replicas_of_orders_and_of_inventory_share_the_work_and_lose_nothing() {
    require_kafka();
    let orders = Replica::start("orders").await;
    let inventory = Replica::start("inventory").await;
    // Placement disseminates the new host, and the consumer group rebalances.
    tokio::time::sleep(Duration::from_secs(10)).await;

    let before = work_shares(&orders, &inventory).await;
    burst_of_orders_survives(async {}).await;
    let after = work_shares(&orders, &inventory).await;
    let done: Vec<u64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    eprintln!(
        "order commands run by the first / second orders replica: {} / {}; order events delivered to the first / second inventory replica: {} / {}",
        done[0], done[1], done[2], done[3]
    );
    assert!(
        done[0] > 0 && done[1] > 0,
        "OrderActors placed on both orders replicas: {done:?}"
    );
    assert!(
        done[2] > 0 && done[3] > 0,
        "order events consumed by both inventory replicas: {done:?}"
    );

    // Back to one replica each. Placement moves the actors back and the consumer group
    // rebalances; the callers' sidecars keep a departed instance's address until it expires
    // (the mDNS resolver's address TTL is 60 s, refreshed every 30 s: components-contrib
    // nameresolution/mdns), so until then a call may still go to it. The next test binary
    // starts once that has passed and every path to orders and inventory answers ten times
    // running.
    drop(orders);
    drop(inventory);
    tokio::time::sleep(MDNS_ADDRESS_TTL + Duration::from_secs(15)).await;
    back_to_one_replica_each().await;
}

/// Ten rounds in a row of: the catalog (gateway to inventory), a customer's orders (gateway to
/// orders), a stream read (orders' sidecar to orders) and a placement (orders to inventory and
/// payments, then the actor), every one answered.
async fn back_to_one_replica_each() {
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 1_000).await;
    let shopper = customer().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    let mut in_a_row = 0;
    while in_a_row < 10 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "every path to orders and inventory answers ten times running within 180 s"
        );
        let catalog = http()
            .get(format!("{GATEWAY}/api/catalog/products?limit=1"))
            .send()
            .await;
        let mine = http()
            .get(format!("{GATEWAY}/api/orders"))
            .bearer_auth(&shopper.token)
            .send()
            .await;
        let stream = http()
            .get(invoke_url("orders", "internal/streams/order-none"))
            .send()
            .await;
        let placed = send_order(&shopper.token, &[(&sku, 1)], None).await;
        let answered = |r: &reqwest::Result<reqwest::Response>| {
            r.as_ref().is_ok_and(|r| r.status().is_success())
        };
        if [catalog, mine, stream, placed].iter().all(answered) {
            in_a_row += 1;
        } else {
            in_a_row = 0;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
