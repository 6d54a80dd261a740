//! Observability end to end: an order placed through the gateway is one trace in Zipkin, from
//! the gateway through every service the saga touches and their sidecars, across Kafka and
//! RabbitMQ; its log lines carry that trace's id; Prometheus holds the services' and the
//! sidecars' series for its requests; and both UIs are captured with headless Chromium under
//! `$SHOP_RUN/test-output/observability/`.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::collections::{BTreeSet, HashMap};

use e2e::observability::*;
use e2e::orders::{TEST_CARD, customer, wait_for_status};
use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Every service an order's saga reaches: placed through the gateway into orders (which asks
/// inventory for a quote and payments about the card), reserved by inventory, authorized and
/// captured by payments, told to the customer by notifications, recorded by analytics.
const SAGA: &[&str] = &[
    "gateway",
    "orders",
    "inventory",
    "payments",
    "notifications",
    "analytics",
];

/// Places a one-line order with the client's own `traceparent`; answers the order id.
async fn place_traced(token: &str, sku: &str, traceparent: &str) -> String {
    let response = http()
        .post(format!("{GATEWAY}/api/orders"))
        .bearer_auth(token)
        .header("traceparent", traceparent)
        .json(&json!({ "lines": [{ "sku": sku, "quantity": 1 }], "paymentMethodId": TEST_CARD }))
        .send()
        .await
        .expect("gateway answers");
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["orderId"].as_str().unwrap().to_owned()
}

/// The services with spans of their own app, and those with spans of their sidecar, in `spans`.
fn services_seen(spans: &[Span]) -> (BTreeSet<String>, BTreeSet<String>) {
    let apps = spans
        .iter()
        .filter(|s| !s.from_sidecar())
        .map(|s| s.service.clone())
        .collect();
    let sidecars = spans
        .iter()
        .filter(|s| s.from_sidecar())
        .map(|s| s.service.clone())
        .collect();
    (apps, sidecars)
}

/// The nearest ancestor of `span` made by another service than `span`'s: the publisher's side
/// of a hop. Passed over on the way up are the consumer's own spans: its sidecar's delivery span
/// (when daprd hands the app its own span as the parent) and a delivery's earlier attempt.
fn publishing_side<'a>(by_id: &HashMap<&str, &'a Span>, span: &Span) -> &'a Span {
    let mut parent = by_id[span.parent_id.as_deref().unwrap()];
    while parent.service == span.service {
        parent = by_id[parent.parent_id.as_deref().unwrap()];
    }
    parent
}

/// `span` and its ancestors as `service/name` (for a failure's message).
fn chain(by_id: &HashMap<&str, &Span>, span: &Span) -> String {
    let mut names = vec![format!("{}/{}", span.service, span.name)];
    let mut next = span.parent_id.as_deref();
    while let Some(parent) = next.and_then(|id| by_id.get(id)) {
        names.push(format!("{}/{}", parent.service, parent.name));
        next = parent.parent_id.as_deref();
    }
    names.join(" <- ")
}

#[tokio::test]
async fn an_order_is_one_trace_through_every_service_and_sidecar_with_logs_that_name_it() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 3).await;
    let shopper = customer().await;

    let (trace_id, traceparent) = new_trace();
    let order_id = place_traced(&shopper.token, &sku, &traceparent).await;
    wait_for_status(&shopper.token, &order_id, "confirmed").await;

    // Spans arrive in batches, from fourteen processes: wait until every service and sidecar
    // has its own in the trace, the hops looked at below are there, and every span's parent
    // has arrived too.
    let wanted: BTreeSet<String> = SAGA.iter().map(|s| (*s).to_owned()).collect();
    let client_span = traceparent[36..52].to_owned();
    let spans = eventually(
        "the order's trace to reach every service and sidecar in Zipkin",
        PATIENCE,
        || async {
            let spans = trace(&trace_id).await;
            let (apps, sidecars) = services_seen(&spans);
            let ids: BTreeSet<&str> = spans.iter().map(|s| s.id.as_str()).collect();
            let connected = spans.iter().all(|s| {
                s.parent_id
                    .as_deref()
                    .is_some_and(|p| ids.contains(p) || p == client_span)
            });
            // The last hops to arrive: the stock decision back in orders, the job sent.
            let hops = ["stock-events", "notification-jobs"]
                .iter()
                .all(|topic| spans.iter().any(|s| s.tag("topic") == Some(*topic)));
            (wanted.is_subset(&apps) && wanted.is_subset(&sidecars) && connected && hops)
                .then_some(spans)
        },
    )
    .await;
    // One trace, one root: the client's span, named in the traceparent it sent; the gateway's
    // request span hangs below it.
    let by_id: HashMap<&str, &Span> = spans.iter().map(|s| (s.id.as_str(), s)).collect();
    let roots: Vec<&Span> = spans
        .iter()
        .filter(|s| s.parent_id.as_deref() == Some(client_span.as_str()))
        .collect();
    assert_eq!(roots.len(), 1, "{roots:?}");
    assert_eq!(
        (roots[0].service.as_str(), roots[0].name.as_str()),
        ("gateway", "request")
    );

    // The Kafka hop: inventory's span for the order being placed hangs below orders' side (the
    // command's span, whose context the order's events carry); the consumers' spans hang below
    // their publishers' the same way across RabbitMQ (notifications' jobs).
    let consumed: Vec<&Span> = spans
        .iter()
        .filter(|s| !s.from_sidecar() && s.name == "event")
        .collect();
    let placed_in_inventory = consumed
        .iter()
        .find(|s| s.service == "inventory" && s.tag("topic") == Some("order-events"))
        .unwrap_or_else(|| panic!("no inventory span for order-events in {consumed:?}"));
    let publisher = publishing_side(&by_id, placed_in_inventory);
    assert_eq!(
        publisher.service,
        "orders",
        "the order-events hop hangs below orders: {}",
        chain(&by_id, placed_in_inventory)
    );
    let stock_decision_in_orders = consumed
        .iter()
        .find(|s| s.service == "orders" && s.tag("topic") == Some("stock-events"))
        .unwrap_or_else(|| panic!("no orders span for stock-events in {consumed:?}"));
    let publisher = publishing_side(&by_id, stock_decision_in_orders);
    assert_eq!(
        publisher.service,
        "inventory",
        "the stock-events hop hangs below inventory's consuming span (its outbox keeps the \
         context): {}",
        chain(&by_id, stock_decision_in_orders)
    );
    // The RabbitMQ hop: notifications turns an event into a job on `notification-jobs` (its
    // outbox) and sends it when the job comes back; the job's span hangs below the span that
    // made it.
    let job = consumed
        .iter()
        .find(|s| s.service == "notifications" && s.tag("topic") == Some("notification-jobs"))
        .unwrap_or_else(|| panic!("no notifications span for a job in {consumed:?}"));
    let maker = by_id[job.parent_id.as_deref().unwrap()];
    assert_eq!(
        (maker.service.as_str(), maker.name.as_str()),
        ("notifications", "event"),
        "the notification-jobs hop hangs below the event that made the job: {maker:?}"
    );
    for span in &consumed {
        let parent = by_id[span.parent_id.as_deref().unwrap()];
        assert!(
            span.tag("type").is_some_and(|t| t.starts_with("shop.")),
            "{span:?} (below {parent:?})"
        );
    }

    // Logs: inventory's JSON line for consuming that event names the trace and the span.
    let logs = app_log_lines("inventory");
    assert!(
        logs.iter().any(|line| {
            line["trace_id"] == trace_id.as_str()
                && line["span_id"] == placed_in_inventory.id.as_str()
                && line["fields"]["message"] == "event consumed"
        }),
        "no JSON log line of inventory with trace_id {trace_id} and span_id {}",
        placed_in_inventory.id
    );

    // What an operator sees: the trace in Zipkin's UI, rendered by a real browser. The span
    // list is virtualized (only the rows on screen are in the page), so the header's counts
    // stand for the rest.
    let page = format!("{}/zipkin/traces/{trace_id}", zipkin());
    let dom = rendered_dom(&page);
    assert!(
        dom.contains(&trace_id),
        "Zipkin's page does not show the trace"
    );
    let services_shown = header_count(&dom, "Services");
    assert!(
        services_shown >= SAGA.len(),
        "Zipkin's page shows {services_shown} services"
    );
    // At least the spans read above: the saga's last steps may have added more since.
    let spans_shown = header_count(&dom, "Total Spans");
    assert!(
        spans_shown >= spans.len(),
        "Zipkin's page shows {spans_shown} spans"
    );
    screenshot(&page, &output_dir().join("zipkin-order-trace.png"));
}

/// A number in the header of Zipkin's trace page: `<div>Services</div><div …>7</div>`.
fn header_count(dom: &str, label: &str) -> usize {
    let after = &dom[dom
        .find(&format!(">{label}</div>"))
        .unwrap_or_else(|| panic!("no {label} in Zipkin's trace page"))..];
    let value = after.split("</div>").nth(1).unwrap();
    value[value.rfind('>').unwrap() + 1..]
        .trim()
        .parse()
        .unwrap()
}

/// The JSON lines of the newest log file of `app` (`dapr run` writes one per start; its name
/// ends in the start time, so the greatest name is the newest).
fn app_log_lines(app: &str) -> Vec<Value> {
    let dir = std::path::PathBuf::from(required_env("SHOP_RUN"))
        .join("apps")
        .join(app)
        .join("logs");
    let newest = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().contains("_app_"))
        })
        .max()
        .expect("an app log");
    std::fs::read_to_string(&newest)
        .unwrap()
        .lines()
        // The Dapr CLI puts "== APP - <app> == " before each line it copies into the file.
        .filter_map(|line| serde_json::from_str(&line[line.find('{')?..]).ok())
        .collect()
}

#[tokio::test]
async fn prometheus_has_the_service_and_sidecar_series_of_an_orders_requests() {
    require_kafka();
    let admin = admin_access_token().await;
    let sku = product_with_stock(&admin, 3).await;
    let shopper = customer().await;

    // Counters only grow, and other tests place orders too: this order's requests show as an
    // increase over what each series held before it.
    let series = [
        // The services' own /metrics: the placement at the gateway and at orders, the event
        // consumed by inventory.
        r#"http_server_requests_total{job="services",app_id="gateway",method="POST",route="api/orders/{**rest}",status="201"}"#,
        r#"http_server_requests_total{job="services",app_id="orders",method="POST",route="orders",status="201"}"#,
        r#"http_server_request_duration_seconds_count{job="services",app_id="orders",method="POST",route="orders"}"#,
        r#"events_consumed_total{job="services",app_id="inventory",topic="order-events",outcome="handled"}"#,
        // Outcomes by kind, as the services published them: the reservation, the payment.
        r#"outbox_published_total{job="services",app_id="inventory",type="shop.stock.reserved.v1"}"#,
        r#"outbox_published_total{job="services",app_id="payments",type="shop.payment.authorized.v1"}"#,
        // The sidecars': the invocation served by orders' daprd, the event published by it and
        // delivered by inventory's.
        r#"dapr_http_server_request_count{job="daprd",app_id="orders"}"#,
        r#"dapr_component_pubsub_egress_count{job="daprd",app_id="orders",topic="order-events",success="true"}"#,
        r#"dapr_component_pubsub_ingress_count{job="daprd",app_id="inventory",topic="order-events",process_status="success"}"#,
    ];
    let mut before = Vec::new();
    for expr in series {
        before.push(query_sum(&format!("sum({expr})")).await);
    }

    let (_, traceparent) = new_trace();
    let order_id = place_traced(&shopper.token, &sku, &traceparent).await;
    wait_for_status(&shopper.token, &order_id, "confirmed").await;

    for (expr, before) in series.iter().zip(before) {
        wait_for_series(&format!("sum({expr})"), before + 1.0).await;
    }

    // The recording rules make their series too. (Their rate may be 0 here: a counter that a
    // service's first such request created is first scraped at 1, and shows no increase.)
    wait_for_series(
        r#"count(app_route_status:http_server_requests:rate1m{app_id="orders",route="orders",status="201"})"#,
        1.0,
    )
    .await;
    let expr = r#"sum by (app_id) (rate(http_server_requests_total{job="services"}[1m]))"#;
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("g0.expr", expr)
        .append_pair("g0.tab", "0")
        .append_pair("g0.range_input", "15m")
        .finish();
    screenshot(
        &format!("{}/graph?{query}", prometheus()),
        &output_dir().join("prometheus-requests-graph.png"),
    );
}
