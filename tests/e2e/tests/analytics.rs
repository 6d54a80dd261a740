//! Analytics end to end: a known mix of orders goes through the whole saga (confirmed and
//! shipped, refunded in part and in full, cancelled for every reason), and every KPI, series
//! point, funnel step, top-N entry, cancellation reason, cohort and lost sale the reporting API
//! gives is checked against figures this test computes itself from what it did. Then a real
//! headless Chromium signs in to the dashboard, finds the same numbers drawn, and sees it update
//! live when one more order comes in (screenshots under `$SHOP_RUN/test-output/analytics/`).
//!
//! The scenario prices its products in SEK, a currency no other test uses, and compares the
//! reports after it with the reports before it: other tests' orders of the day do not disturb
//! it, and the checks are exact. It is its own test binary, so nothing else places orders while
//! it runs.
#![allow(clippy::unwrap_used)] // a test that cannot go on should stop right there, loudly

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use e2e::analytics::*;
use e2e::browser::{Browser, test_output_dir};
use e2e::orders::{customer, hold_stock, wait_for_status};
use e2e::payments::{
    DECLINED, VISA, cancel, order_id_of, place_with, processor_idle, refund, ship, wait_for_order,
    wait_for_payment,
};
use e2e::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const CURRENCY: &str = "SEK";

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

/// The KPIs of `CURRENCY` in a KPI report (zeros when it has none yet).
fn sek(kpis: &Value) -> Value {
    kpis["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["currency"] == CURRENCY)
        .map(|c| c["current"].clone())
        .unwrap_or_else(|| json!({}))
}

/// Orders, paid orders and gross revenue per hour bucket start, of `CURRENCY`.
fn series_by_hour(series: &Value) -> BTreeMap<String, (i64, i64, i64)> {
    series["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["currency"] == CURRENCY)
        .flat_map(|c| c["points"].as_array().unwrap().clone())
        .map(|p| {
            (
                p["start"].as_str().unwrap().to_owned(),
                (
                    int(&p["orders"]),
                    int(&p["paidOrders"]),
                    int(&p["grossRevenueMinor"]),
                ),
            )
        })
        .collect()
}

fn counts(report: &Value, list: &str, key: &str, value: &str) -> BTreeMap<String, i64> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e[key].as_str().unwrap().to_owned(), int(&e[value])))
        .collect()
}

fn hour_of(view: &Value) -> String {
    let placed: DateTime<Utc> = view["placedAt"].as_str().unwrap().parse().unwrap();
    let hour = placed
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap();
    hour.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One order of the scenario as the test knows it.
struct Placed {
    view: Value,
    total: i64,
    paid: bool,
}

#[tokio::test]
async fn every_report_matches_a_known_mix_of_orders_and_the_dashboard_draws_it_live() {
    require_kafka();
    let admin = admin_access_token().await;
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let (lamps, rugs) = (format!("lamps-{run}"), format!("rugs-{run}"));
    let lamp = product("AN", &admin, ("Desk lamp", &lamps), (10_000, CURRENCY), 20).await;
    let rug = product("AN", &admin, ("Wool rug", &rugs), (25_000, CURRENCY), 20).await;
    let scarce = product("AN", &admin, ("Floor lamp", &lamps), (4_000, CURRENCY), 1).await;
    let stuck = product("AN", &admin, ("Table lamp", &lamps), (7_000, CURRENCY), 5).await;
    let today = Utc::now().date_naive();
    // Every report of this currency only: the scenario's own market.
    let period = format!("from={today}&to={today}&tz=UTC&currency={CURRENCY}");

    wait_until_quiet(&admin, Duration::from_secs(3)).await;
    let kpis_before = report(&admin, "kpis", &period).await;
    let series_before = report(&admin, "series", &format!("{period}&granularity=hour")).await;
    let funnel_before = report(&admin, "funnel", &period).await;
    let cancelled_before = report(&admin, "cancellations", &period).await;
    let cohorts_before = report(&admin, "cohorts", &period).await;

    let (first, second, third) = (customer().await, customer().await, customer().await);
    let mut placed: Vec<Placed> = Vec::new();

    // 1. Timeout: inventory cannot answer while the stock row is held; the order's deadline
    //    (30 s here) cancels it. First and alone: the held row holds up its Kafka partition.
    let held = hold_stock(&stuck).await;
    let view = place_with(&third.token, &[(&stuck, 1)], VISA).await;
    let timed_out = wait_for_status(&third.token, &order_id_of(&view), "cancelled").await;
    held.release().await;
    assert_eq!(timed_out["cancellationReason"], "timeout", "{timed_out}");
    placed.push(Placed {
        view,
        total: 7_000,
        paid: false,
    });

    // 2. Confirmed, captured and shipped: 2 lamps and a rug.
    let view = place_with(&first.token, &[(&lamp, 2), (&rug, 1)], VISA).await;
    let id = order_id_of(&view);
    wait_for_payment(&admin, &id, "captured", |p| {
        p["status"] == "captured" && processor_idle(p)
    })
    .await;
    assert_eq!(ship(&admin, &id).await.status(), StatusCode::OK);
    placed.push(Placed {
        view,
        total: 45_000,
        paid: true,
    });

    // 3. Confirmed, shipped, then refunded in part (100.00 of 500.00).
    let view = place_with(&second.token, &[(&rug, 2)], VISA).await;
    let id = order_id_of(&view);
    wait_for_payment(&admin, &id, "captured", |p| {
        p["status"] == "captured" && processor_idle(p)
    })
    .await;
    assert_eq!(ship(&admin, &id).await.status(), StatusCode::OK);
    let refunded = refund(
        &admin,
        &id,
        &json!({ "amountMinor": 10_000, "reason": "one rug was stained" }),
        None,
    )
    .await;
    assert!(refunded.status().is_success(), "{}", refunded.status());
    wait_for_payment(&admin, &id, "refunded in part", |p| {
        p["status"] == "partially-refunded" && processor_idle(p)
    })
    .await;
    placed.push(Placed {
        view,
        total: 50_000,
        paid: true,
    });

    // 4. Confirmed and captured, then cancelled by the customer: refunded in full.
    let view = place_with(&first.token, &[(&lamp, 1)], VISA).await;
    let id = order_id_of(&view);
    wait_for_payment(&admin, &id, "captured", |p| {
        p["status"] == "captured" && processor_idle(p)
    })
    .await;
    assert_eq!(cancel(&first.token, &id).await.status(), StatusCode::OK);
    wait_for_payment(&admin, &id, "refunded", |p| {
        p["status"] == "refunded" && processor_idle(p)
    })
    .await;
    placed.push(Placed {
        view,
        total: 10_000,
        paid: true,
    });

    // 5. More than the stock: rejected (3 floor lamps, 1 on hand).
    let view = place_with(&third.token, &[(&scarce, 3)], VISA).await;
    let rejected = wait_for_status(&third.token, &order_id_of(&view), "cancelled").await;
    assert_eq!(
        rejected["cancellationReason"], "stock-rejected",
        "{rejected}"
    );
    placed.push(Placed {
        view,
        total: 12_000,
        paid: false,
    });

    // 6. A declined card: stock reserved, payment failed.
    let view = place_with(&second.token, &[(&lamp, 1)], DECLINED).await;
    let id = order_id_of(&view);
    let failed = wait_for_order(&second.token, &id, "cancelled", |v| {
        v["status"] == "cancelled"
    })
    .await;
    assert_eq!(failed["cancellationReason"], "payment-failed", "{failed}");
    placed.push(Placed {
        view,
        total: 10_000,
        paid: false,
    });

    // ------------------------------------------------------------------ the figures expected
    let orders = placed.len() as i64;
    let paid = placed.iter().filter(|p| p.paid).count() as i64;
    let gross: i64 = placed.iter().filter(|p| p.paid).map(|p| p.total).sum();
    let refunded_minor = 10_000 + 10_000;
    let net = gross - refunded_minor;

    let before = sek(&kpis_before);
    let expected = |field: &str, delta: i64| int(&before[field]) + delta;
    let kpis = eventually(
        "analytics to report the scenario",
        INGEST_PATIENCE,
        || async {
            let kpis = report(&admin, "kpis", &period).await;
            let now = sek(&kpis);
            (int(&now["orders"]) == expected("orders", orders)
                && int(&now["refundedMinor"]) == expected("refundedMinor", refunded_minor)
                && int(&now["shippedOrders"]) == expected("shippedOrders", 2)
                && int(&now["cancelledOrders"]) == expected("cancelledOrders", 4))
            .then_some(kpis)
        },
    )
    .await;
    let now = sek(&kpis);
    let after = |field: &str| int(&now[field]);
    assert_eq!(after("paidOrders"), expected("paidOrders", paid), "{now}");
    assert_eq!(
        after("refundedOrders"),
        expected("refundedOrders", 2),
        "{now}"
    );
    assert_eq!(
        after("grossRevenueMinor"),
        expected("grossRevenueMinor", gross),
        "{now}"
    );
    assert_eq!(
        after("netRevenueMinor"),
        expected("netRevenueMinor", net),
        "{now}"
    );
    // The derived figures, computed here from the counts.
    let (all_orders, all_paid, all_gross) = (
        after("orders"),
        after("paidOrders"),
        after("grossRevenueMinor"),
    );
    assert_eq!(
        int(&now["averageOrderValueMinor"]),
        (all_gross * 2 + all_paid) / (all_paid * 2),
        "the average order value, rounded half up: {now}"
    );
    let rate = |v: &Value| v.as_f64().unwrap();
    assert!((rate(&now["conversionRate"]) - all_paid as f64 / all_orders as f64).abs() < 1e-12);
    assert!(
        (rate(&now["cancellationRate"]) - after("cancelledOrders") as f64 / all_orders as f64)
            .abs()
            < 1e-12
    );
    assert!(
        (rate(&now["refundRate"]) - after("refundedOrders") as f64 / all_paid as f64).abs() < 1e-12
    );
    // Three customers, each ordering for the first time (ever, and in this currency).
    assert_eq!(
        int(&kpis["customers"]["newCustomers"]) - int(&kpis_before["customers"]["newCustomers"]),
        3,
        "{kpis}"
    );
    assert_eq!(
        kpis["customers"]["returningCustomers"], kpis_before["customers"]["returningCustomers"],
        "nobody in the scenario had ordered before today"
    );

    // Series: every order in the hour it was placed (by the orders service's own clock).
    let series = report(&admin, "series", &format!("{period}&granularity=hour")).await;
    let (old, new) = (series_by_hour(&series_before), series_by_hour(&series));
    assert_eq!(new.len(), 24, "every hour of the day is a point: {series}");
    let mut delta: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for order in &placed {
        let point = delta.entry(hour_of(&order.view)).or_default();
        point.0 += 1;
        if order.paid {
            point.1 += 1;
            point.2 += order.total;
        }
    }
    for (hour, now) in &new {
        let was = old.get(hour).copied().unwrap_or_default();
        let added = delta.get(hour).copied().unwrap_or_default();
        assert_eq!(
            (now.0 - was.0, now.1 - was.1, now.2 - was.2),
            added,
            "the point of {hour}"
        );
    }

    // The funnel: 6 placed, 4 reserved (not the rejected, not the timed-out), 3 paid, 2 shipped.
    let funnel = report(&admin, "funnel", &period).await;
    let steps = |f: &Value| counts(f, "steps", "step", "orders");
    let (was, is) = (steps(&funnel_before), steps(&funnel));
    for (step, added) in [
        ("placed", 6),
        ("stock-reserved", 4),
        ("paid", 3),
        ("shipped", 2),
    ] {
        assert_eq!(is[step] - was[step], added, "funnel step {step}: {funnel}");
    }
    for step in funnel["steps"].as_array().unwrap().iter().skip(1) {
        let median = step["medianSecondsFromPrevious"].as_f64().unwrap();
        assert!(median >= 0.0, "{step}");
    }

    // Cancellations: one for each reason.
    let cancelled = report(&admin, "cancellations", &period).await;
    let reasons = |r: &Value| counts(r, "reasons", "reason", "orders");
    let (was, is) = (reasons(&cancelled_before), reasons(&cancelled));
    for reason in ["customer", "timeout", "stock-rejected", "payment-failed"] {
        assert_eq!(
            is.get(reason).copied().unwrap_or(0) - was.get(reason).copied().unwrap_or(0),
            1,
            "cancelled for {reason}: {cancelled}"
        );
    }

    // Top products and categories of paid orders: the SKUs are this test's own, so exact.
    let top = report(&admin, "top/products", &format!("{period}&limit=100")).await;
    let mine: Vec<(String, i64, i64, i64)> = top["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["key"] == rug.as_str() || e["key"] == lamp.as_str())
        .map(|e| {
            (
                e["key"].as_str().unwrap().to_owned(),
                int(&e["units"]),
                int(&e["revenueMinor"]),
                int(&e["orders"]),
            )
        })
        .collect();
    assert_eq!(
        mine,
        [(rug.clone(), 3, 75_000, 2), (lamp.clone(), 3, 30_000, 2)],
        "rugs before lamps by revenue: {top}"
    );
    let rug_entry = top["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == rug.as_str())
        .unwrap();
    assert_eq!(
        (rug_entry["name"].as_str(), rug_entry["category"].as_str()),
        (Some("Wool rug"), Some(rugs.as_str()))
    );
    let categories = report(
        &admin,
        "top/categories",
        &format!("{period}&limit=100&by=units"),
    )
    .await;
    let mine: BTreeMap<String, (i64, i64)> = categories["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["key"] == lamps.as_str() || e["key"] == rugs.as_str())
        .map(|e| {
            (
                e["key"].as_str().unwrap().to_owned(),
                (int(&e["units"]), int(&e["revenueMinor"])),
            )
        })
        .collect();
    assert_eq!(
        mine,
        BTreeMap::from([(lamps.clone(), (3, 30_000)), (rugs.clone(), (3, 75_000))])
    );

    // The SKU that lost an order to missing stock.
    let stock = report(&admin, "stock", &format!("{period}&limit=100")).await;
    let lost = stock["lostSales"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == scarce.as_str());
    let lost = lost.unwrap_or_else(|| panic!("{scarce} lost an order: {stock}"));
    assert_eq!(
        (
            int(&lost["orders"]),
            int(&lost["units"]),
            int(&lost["lostRevenueMinor"])
        ),
        (1, 3, 12_000)
    );

    // This week's cohort grew by the three new customers, all active in their first week.
    let cohorts = report(&admin, "cohorts", &period).await;
    let week0 = |c: &Value| {
        c["cohorts"]
            .as_array()
            .unwrap()
            .last()
            .map_or((0, 0), |c| (int(&c["customers"]), int(&c["active"][0])))
    };
    let (was, is) = (week0(&cohorts_before), week0(&cohorts));
    assert_eq!((is.0 - was.0, is.1 - was.1), (3, 3), "{cohorts}");

    // CSV, as a spreadsheet gets it: the same figures.
    let csv = http()
        .get(format!(
            "{GATEWAY}/api/admin/analytics/kpis?{period}&format=csv"
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("kpis-{today}-{today}.csv"))
    );
    let csv = csv.text().await.unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("current,") && l.contains(&format!(",{CURRENCY},")))
        .unwrap()
        .split(',')
        .collect();
    let column = |name: &str| {
        row[header.iter().position(|h| *h == name).unwrap()]
            .parse::<i64>()
            .unwrap()
    };
    assert_eq!(column("orders"), after("orders"));
    assert_eq!(column("gross_revenue_minor"), after("grossRevenueMinor"));

    // Bad input is a clear 422 naming each parameter; a period to come is empty, not an error.
    let bad = http()
        .get(format!("{GATEWAY}/api/admin/analytics/series?from=2026-02-30&tz=Mars/Olympus&granularity=minute"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let bad = problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["tz", "from", "granularity"], "{bad}");
    let future = report(&admin, "kpis", "from=2099-01-01&to=2099-01-31").await;
    assert_eq!(future["currencies"], json!([]));
    let not_admin = http()
        .get(format!("{GATEWAY}/api/admin/analytics/kpis"))
        .bearer_auth(&first.token)
        .send()
        .await
        .unwrap();
    problem(not_admin, StatusCode::FORBIDDEN).await;

    // ------------------------------------------------------------------------ the dashboard
    let out = test_output_dir("analytics");
    let browser = Browser::start().await;
    browser.open(&format!("{GATEWAY}/dashboard")).await;
    browser
        .type_into("#sign-in-form input[name=email]", &secret("admin-email"))
        .await;
    browser
        .type_into(
            "#sign-in-form input[name=password]",
            &secret("admin-password"),
        )
        .await;
    browser.click("#sign-in-form button[type=submit]").await;
    browser
        .wait_for(
            "the board",
            Duration::from_secs(20),
            "return !document.getElementById('board').hidden",
        )
        .await;
    browser.click("#periods button[data-period=today]").await;
    let pick_currency = format!(
        "const s = document.getElementById('currency');
         if (![...s.options].some(o => o.value === '{CURRENCY}')) return false;
         if (s.value !== '{CURRENCY}') {{ s.value = '{CURRENCY}'; s.dispatchEvent(new Event('change')); }}
         return true;"
    );
    let tile = |kpi: &str| {
        format!(
            "const t = document.querySelector('[data-kpi={kpi}]'); return t ? Number(t.dataset.value) : null;"
        )
    };
    let drawn = |orders: i64| {
        format!(
            "const t = document.querySelector('[data-kpi=orders]');
             const c = document.querySelector('#series-chart');
             return t && Number(t.dataset.value) === {orders} && Number(c.dataset.orders) === {orders}
                 && document.querySelector('#series-chart canvas') !== null;"
        )
    };
    browser
        .wait_for("SEK to be offered", Duration::from_secs(30), &pick_currency)
        .await;
    browser
        .wait_for(
            "the scenario's figures drawn",
            Duration::from_secs(30),
            &drawn(after("orders")),
        )
        .await;
    assert_eq!(
        browser.run(&tile("grossRevenueMinor"), json!([])).await,
        json!(after("grossRevenueMinor"))
    );
    assert_eq!(
        browser.run(&tile("paidOrders"), json!([])).await,
        json!(after("paidOrders"))
    );
    let funnel_drawn = browser
        .run("return [...document.querySelectorAll('#funnel .bar-row')].map(r => [r.dataset.key, Number(r.dataset.value)]);", json!([]))
        .await;
    let funnel_today = report(&admin, "funnel", &period).await;
    let expected_rows: Vec<Value> = funnel_today["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!([s["step"], s["orders"]]))
        .collect();
    assert_eq!(funnel_drawn, json!(expected_rows));
    let top_drawn = browser
        .run("return [...document.querySelectorAll('#top-products tbody tr')].map(r => r.dataset.key);", json!([]))
        .await;
    let top_drawn: Vec<String> = serde_json::from_value(top_drawn).unwrap();
    let rug_at = top_drawn
        .iter()
        .position(|k| *k == rug)
        .expect("the rug is drawn");
    let lamp_at = top_drawn
        .iter()
        .position(|k| *k == lamp)
        .expect("the lamp is drawn");
    assert!(rug_at < lamp_at, "{top_drawn:?}");
    let chart_width = browser
        .run(
            "return document.querySelector('#series-chart canvas').width;",
            json!([]),
        )
        .await;
    assert!(
        chart_width.as_i64().unwrap() > 300,
        "the chart is drawn: {chart_width}"
    );
    let first_shot = out.join("dashboard-1-scenario.png");
    assert!(
        browser.screenshot(&first_shot).await > 20_000,
        "{first_shot:?} holds a drawn page"
    );

    // Live: one more paid order, and the page shows it without a reload.
    let view = place_with(&first.token, &[(&rug, 1)], VISA).await;
    wait_for_order(&first.token, &order_id_of(&view), "confirmed", |v| {
        v["status"] == "confirmed"
    })
    .await;
    browser
        .wait_for(
            "the new order drawn",
            Duration::from_secs(60),
            &drawn(after("orders") + 1),
        )
        .await;
    browser
        .wait_for(
            "the new revenue drawn",
            Duration::from_secs(60),
            &format!("return Number(document.querySelector('[data-kpi=grossRevenueMinor]').dataset.value) === {};", after("grossRevenueMinor") + 25_000),
        )
        .await;
    let second_shot = out.join("dashboard-2-live-update.png");
    assert!(
        browser.screenshot(&second_shot).await > 20_000,
        "{second_shot:?} holds a drawn page"
    );
    println!(
        "screenshots: {} and {}",
        first_shot.display(),
        second_shot.display()
    );
}
