//! From logged events to the facts the projections hold: pure, no database.
//!
//! Every fact merges with the one already known by a rule that ignores arrival order and
//! repetition (earliest time, largest running total, first one-off value, highest sequence), so
//! a batch folds the same whatever order its events come in, twice delivered or not, and a
//! rebuild from the log equals the live tables. [`Changes`] collects a batch's facts, merged per
//! row, for [`crate::projection`] to write with one statement per table.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use contracts::DomainEvent;
use contracts::order::{
    OrderCancelled, OrderConfirmed, OrderLine, OrderPaymentUpdated, OrderShipped,
    OrderStockRejected, OrderStockReserved,
};
use contracts::payment::{
    PaymentAuthorized, PaymentCaptured, PaymentFailed, PaymentRefunded, PaymentVoided,
};
use contracts::stock::{RejectedLine, StockLow};
use contracts::user::UserRegistered;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// One logged event, as the fold reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRecord {
    pub event_id: String,
    pub event_type: String,
    pub payload: serde_json::Value,
    /// When it happened (its CloudEvent `time`, else when analytics received it).
    pub occurred_at: DateTime<Utc>,
    /// Its place in its order's stream (orders' `sequence` extension), for order events.
    pub sequence: Option<i64>,
}

/// What is known about one order; `None` is "not known yet".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFacts {
    pub customer_id: Option<Uuid>,
    pub currency: Option<String>,
    pub total_minor: Option<i64>,
    pub placed_at: Option<DateTime<Utc>>,
    pub stock_reserved_at: Option<DateTime<Utc>>,
    pub stock_rejected_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub payment_failed_at: Option<DateTime<Utc>>,
    pub payment_failure_code: Option<String>,
    pub authorized_minor: i64,
    pub captured_minor: i64,
    pub voided_minor: i64,
    pub refunded_minor: i64,
    /// The payment's status as the order last recorded it, with that event's sequence.
    pub payment_status: Option<(i64, String)>,
    pub last_sequence: i64,
}

fn earliest<T: Ord + Copy>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl OrderFacts {
    /// The rules the SQL upsert in `projection` mirrors, column by column.
    pub fn merge(&mut self, other: OrderFacts) {
        self.customer_id = self.customer_id.or(other.customer_id);
        self.currency = self.currency.take().or(other.currency);
        self.total_minor = self.total_minor.or(other.total_minor);
        self.placed_at = earliest(self.placed_at, other.placed_at);
        self.stock_reserved_at = earliest(self.stock_reserved_at, other.stock_reserved_at);
        self.stock_rejected_at = earliest(self.stock_rejected_at, other.stock_rejected_at);
        self.confirmed_at = earliest(self.confirmed_at, other.confirmed_at);
        self.shipped_at = earliest(self.shipped_at, other.shipped_at);
        self.cancelled_at = earliest(self.cancelled_at, other.cancelled_at);
        self.cancel_reason = self.cancel_reason.take().or(other.cancel_reason);
        self.payment_failed_at = earliest(self.payment_failed_at, other.payment_failed_at);
        self.payment_failure_code = self
            .payment_failure_code
            .take()
            .or(other.payment_failure_code);
        self.authorized_minor = self.authorized_minor.max(other.authorized_minor);
        self.captured_minor = self.captured_minor.max(other.captured_minor);
        self.voided_minor = self.voided_minor.max(other.voided_minor);
        self.refunded_minor = self.refunded_minor.max(other.refunded_minor);
        self.payment_status = match (self.payment_status.take(), other.payment_status) {
            (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        self.last_sequence = self.last_sequence.max(other.last_sequence);
    }
}

/// One line of an order as placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub order_id: Uuid,
    pub line_no: i32,
    pub sku: String,
    pub product_name: Option<String>,
    pub category: Option<String>,
    pub quantity: i32,
    pub unit_price_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFacts {
    pub registered_at: Option<DateTime<Utc>>,
    pub first_order_at: Option<DateTime<Utc>>,
}

/// A line inventory could not reserve, as the order recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectionRow {
    pub order_id: Uuid,
    pub sku: String,
    pub requested: i32,
    pub available: i32,
    pub reason: String,
    pub rejected_at: DateTime<Utc>,
}

/// A low-stock signal; the newest per SKU wins (by time, then event id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalRow {
    pub sku: String,
    pub available: i64,
    pub threshold: i64,
    pub signalled_at: DateTime<Utc>,
    pub event_id: String,
}

impl SignalRow {
    fn is_newer_than(&self, other: &SignalRow) -> bool {
        (self.signalled_at, &self.event_id) > (other.signalled_at, &other.event_id)
    }
}

/// A batch's facts, merged per row. BTreeMaps, so rows are written in key order and two
/// concurrent batches lock shared rows in the same order.
#[derive(Debug, Default)]
pub struct Changes {
    pub orders: BTreeMap<Uuid, OrderFacts>,
    pub lines: BTreeMap<(Uuid, i32), LineRow>,
    pub customers: BTreeMap<Uuid, CustomerFacts>,
    pub rejections: BTreeMap<(Uuid, String), RejectionRow>,
    pub signals: BTreeMap<String, SignalRow>,
}

/// Why an event could not be folded: its data does not match its type. The event stays in the
/// log (it was delivered), and the fold says so rather than guess.
#[derive(Debug, thiserror::Error)]
#[error("event {event_id} ({event_type}) does not match its type: {reason}")]
pub struct MalformedEvent {
    pub event_id: String,
    pub event_type: String,
    pub reason: String,
}

/// `shop.order.placed`, v1 or v2: v1 had no order currency or total (they follow from the lines).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlacedAnyVersion {
    order_id: Uuid,
    customer_id: Uuid,
    lines: Vec<OrderLine>,
    currency: Option<String>,
    total_minor: Option<i64>,
}

const ORDER_PLACED_V1: &str = "shop.order.placed.v1";
const ORDER_PLACED_V2: &str = "shop.order.placed.v2";

impl Changes {
    /// Folds one event in. Types analytics draws nothing from (payment requested, for one) are
    /// logged but change no table.
    pub fn fold(&mut self, event: &EventRecord) -> Result<(), MalformedEvent> {
        let at = Some(event.occurred_at);
        let order_sequence = event.sequence.unwrap_or(0);
        let order = |order_id: Uuid, facts: OrderFacts| {
            (
                order_id,
                OrderFacts {
                    last_sequence: order_sequence,
                    ..facts
                },
            )
        };
        // An order's milestones come from its own stream (order-events): inventory's and
        // payments' reports are answers the order may refuse (a reservation that arrives after
        // the order timed out, say). Payments' events are the source of the money.
        let (order_id, facts) = match event.event_type.as_str() {
            ORDER_PLACED_V1 | ORDER_PLACED_V2 => {
                let placed: PlacedAnyVersion = data(event)?;
                self.fold_placed(&placed, event.occurred_at);
                let currency = placed
                    .currency
                    .or_else(|| placed.lines.first().map(|l| l.currency.clone()));
                let total = placed.total_minor.unwrap_or_else(|| {
                    placed
                        .lines
                        .iter()
                        .map(|l| i64::from(l.quantity) * l.unit_price_minor)
                        .sum()
                });
                order(
                    placed.order_id,
                    OrderFacts {
                        customer_id: Some(placed.customer_id),
                        currency,
                        total_minor: Some(total),
                        placed_at: at,
                        ..OrderFacts::default()
                    },
                )
            }
            OrderStockReserved::EVENT_TYPE => {
                let e: OrderStockReserved = data(event)?;
                order(e.order_id, reserved_at(at))
            }
            OrderStockRejected::EVENT_TYPE => {
                let e: OrderStockRejected = data(event)?;
                self.fold_rejected(e.order_id, &e.lines, event.occurred_at);
                order(e.order_id, rejected_at(at))
            }
            OrderConfirmed::EVENT_TYPE => {
                let e: OrderConfirmed = data(event)?;
                order(
                    e.order_id,
                    OrderFacts {
                        confirmed_at: at,
                        ..OrderFacts::default()
                    },
                )
            }
            OrderShipped::EVENT_TYPE => {
                let e: OrderShipped = data(event)?;
                order(
                    e.order_id,
                    OrderFacts {
                        shipped_at: at,
                        ..OrderFacts::default()
                    },
                )
            }
            OrderCancelled::EVENT_TYPE => {
                let e: OrderCancelled = data(event)?;
                order(
                    e.order_id,
                    OrderFacts {
                        cancelled_at: at,
                        cancel_reason: Some(e.reason),
                        ..OrderFacts::default()
                    },
                )
            }
            OrderPaymentUpdated::EVENT_TYPE => {
                let e: OrderPaymentUpdated = data(event)?;
                order(
                    e.order_id,
                    OrderFacts {
                        payment_status: Some((order_sequence, e.payment_status)),
                        ..OrderFacts::default()
                    },
                )
            }
            PaymentAuthorized::EVENT_TYPE => {
                let e: PaymentAuthorized = data(event)?;
                (
                    e.order_id,
                    OrderFacts {
                        authorized_minor: e.amount_minor,
                        ..OrderFacts::default()
                    },
                )
            }
            PaymentFailed::EVENT_TYPE => {
                let e: PaymentFailed = data(event)?;
                (
                    e.order_id,
                    OrderFacts {
                        payment_failed_at: at,
                        payment_failure_code: Some(e.code.unwrap_or_else(|| "unknown".into())),
                        ..OrderFacts::default()
                    },
                )
            }
            PaymentCaptured::EVENT_TYPE => {
                let e: PaymentCaptured = data(event)?;
                (
                    e.order_id,
                    OrderFacts {
                        captured_minor: e.amount_minor,
                        ..OrderFacts::default()
                    },
                )
            }
            PaymentVoided::EVENT_TYPE => {
                let e: PaymentVoided = data(event)?;
                (
                    e.order_id,
                    OrderFacts {
                        voided_minor: e.amount_minor,
                        ..OrderFacts::default()
                    },
                )
            }
            PaymentRefunded::EVENT_TYPE => {
                // Each refund carries the running total, so the largest is everything refunded.
                let e: PaymentRefunded = data(event)?;
                (
                    e.order_id,
                    OrderFacts {
                        refunded_minor: e.total_refunded_minor,
                        ..OrderFacts::default()
                    },
                )
            }
            StockLow::EVENT_TYPE => {
                let e: StockLow = data(event)?;
                let signal = SignalRow {
                    sku: e.sku.clone(),
                    available: e.available,
                    threshold: e.threshold,
                    signalled_at: event.occurred_at,
                    event_id: event.event_id.clone(),
                };
                match self.signals.get(&e.sku) {
                    Some(known) if !signal.is_newer_than(known) => {}
                    _ => {
                        self.signals.insert(e.sku, signal);
                    }
                }
                return Ok(());
            }
            UserRegistered::EVENT_TYPE => {
                let e: UserRegistered = data(event)?;
                self.customer(
                    e.user_id,
                    CustomerFacts {
                        registered_at: at,
                        first_order_at: None,
                    },
                );
                return Ok(());
            }
            _ => return Ok(()),
        };
        self.orders.entry(order_id).or_default().merge(facts);
        Ok(())
    }

    fn fold_placed(&mut self, placed: &PlacedAnyVersion, at: DateTime<Utc>) {
        for (line_no, line) in (1..).zip(&placed.lines) {
            self.lines.insert(
                (placed.order_id, line_no),
                LineRow {
                    order_id: placed.order_id,
                    line_no,
                    sku: line.sku.clone(),
                    product_name: line.product_name.clone(),
                    category: line.category.clone(),
                    quantity: i32::try_from(line.quantity).unwrap_or(i32::MAX),
                    unit_price_minor: line.unit_price_minor,
                    currency: line.currency.clone(),
                },
            );
        }
        self.customer(
            placed.customer_id,
            CustomerFacts {
                registered_at: None,
                first_order_at: Some(at),
            },
        );
    }

    fn fold_rejected(&mut self, order_id: Uuid, lines: &[RejectedLine], at: DateTime<Utc>) {
        for line in lines {
            let row = self
                .rejections
                .entry((order_id, line.sku.clone()))
                .or_insert_with(|| RejectionRow {
                    order_id,
                    sku: line.sku.clone(),
                    requested: i32::try_from(line.requested).unwrap_or(i32::MAX),
                    available: i32::try_from(line.available).unwrap_or(i32::MAX),
                    reason: line.reason.clone(),
                    rejected_at: at,
                });
            row.rejected_at = row.rejected_at.min(at);
        }
    }

    fn customer(&mut self, customer_id: Uuid, facts: CustomerFacts) {
        let known = self.customers.entry(customer_id).or_default();
        known.registered_at = earliest(known.registered_at, facts.registered_at);
        known.first_order_at = earliest(known.first_order_at, facts.first_order_at);
    }
}

fn reserved_at(at: Option<DateTime<Utc>>) -> OrderFacts {
    OrderFacts {
        stock_reserved_at: at,
        ..OrderFacts::default()
    }
}

fn rejected_at(at: Option<DateTime<Utc>>) -> OrderFacts {
    OrderFacts {
        stock_rejected_at: at,
        ..OrderFacts::default()
    }
}

fn data<T: DeserializeOwned>(event: &EventRecord) -> Result<T, MalformedEvent> {
    serde_json::from_value(event.payload.clone()).map_err(|error| MalformedEvent {
        event_id: event.event_id.clone(),
        event_type: event.event_type.clone(),
        reason: error.to_string(),
    })
}

/// Folds a whole batch; a malformed event is reported and skipped, the rest still count.
pub fn fold_all<'a>(
    events: impl IntoIterator<Item = &'a EventRecord>,
) -> (Changes, Vec<MalformedEvent>) {
    let mut changes = Changes::default();
    let mut malformed = Vec::new();
    for event in events {
        if let Err(error) = changes.fold(event) {
            malformed.push(error);
        }
    }
    (changes, malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use contracts::stock::StockReserved;
    use serde_json::json;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 10, minute, 0).unwrap()
    }

    fn record(
        id: &str,
        ty: &str,
        minute: u32,
        sequence: Option<i64>,
        payload: serde_json::Value,
    ) -> EventRecord {
        EventRecord {
            event_id: id.into(),
            event_type: ty.into(),
            payload,
            occurred_at: at(minute),
            sequence,
        }
    }

    fn life_of_an_order(order: Uuid, customer: Uuid) -> Vec<EventRecord> {
        vec![
            record(
                "o:1",
                ORDER_PLACED_V2,
                0,
                Some(1),
                json!({
                    "orderId": order, "customerId": customer, "currency": "EUR", "totalMinor": 2500,
                    "lines": [
                        {"sku": "LAMP-1", "quantity": 2, "unitPriceMinor": 1000, "currency": "EUR", "productName": "Lamp", "category": "lighting"},
                        {"sku": "MUG-1", "quantity": 1, "unitPriceMinor": 500, "currency": "EUR"}
                    ]
                }),
            ),
            record(
                "s:1",
                StockReserved::EVENT_TYPE,
                1,
                None,
                json!({"orderId": order}),
            ),
            record(
                "o:2",
                OrderStockReserved::EVENT_TYPE,
                2,
                Some(2),
                json!({"orderId": order}),
            ),
            record(
                "p:1",
                PaymentAuthorized::EVENT_TYPE,
                3,
                None,
                json!({"orderId": order, "amountMinor": 2500, "currency": "EUR", "providerPaymentId": "pi_1"}),
            ),
            record(
                "o:3",
                OrderConfirmed::EVENT_TYPE,
                4,
                Some(3),
                json!({"orderId": order}),
            ),
            record(
                "p:2",
                PaymentCaptured::EVENT_TYPE,
                5,
                None,
                json!({"orderId": order, "amountMinor": 2500, "currency": "EUR"}),
            ),
            record(
                "o:4",
                OrderPaymentUpdated::EVENT_TYPE,
                6,
                Some(4),
                json!({"orderId": order, "paymentStatus": "captured", "capturedMinor": 2500, "refundedMinor": 0}),
            ),
            record(
                "p:3",
                PaymentRefunded::EVENT_TYPE,
                7,
                None,
                json!({"orderId": order, "amountMinor": 1000, "totalRefundedMinor": 1000, "currency": "EUR", "reason": "r", "providerRefundId": "re_1"}),
            ),
            record(
                "p:4",
                PaymentRefunded::EVENT_TYPE,
                8,
                None,
                json!({"orderId": order, "amountMinor": 1500, "totalRefundedMinor": 2500, "currency": "EUR", "reason": "r", "providerRefundId": "re_2"}),
            ),
            record(
                "o:5",
                OrderPaymentUpdated::EVENT_TYPE,
                9,
                Some(5),
                json!({"orderId": order, "paymentStatus": "refunded", "capturedMinor": 2500, "refundedMinor": 2500}),
            ),
            record(
                "o:6",
                OrderCancelled::EVENT_TYPE,
                10,
                Some(6),
                json!({"orderId": order, "reason": "customer"}),
            ),
        ]
    }

    fn folded(events: &[EventRecord]) -> OrderFacts {
        let (changes, malformed) = fold_all(events);
        assert!(malformed.is_empty(), "{malformed:?}");
        changes.orders.values().next().cloned().expect("one order")
    }

    #[test]
    fn an_order_life_folds_into_its_milestones_and_money() {
        let (order, customer) = (Uuid::now_v7(), Uuid::now_v7());
        let facts = folded(&life_of_an_order(order, customer));
        assert_eq!(facts.customer_id, Some(customer));
        assert_eq!(facts.total_minor, Some(2500));
        assert_eq!(facts.placed_at, Some(at(0)));
        assert_eq!(
            facts.stock_reserved_at,
            Some(at(2)),
            "the order's own record, not inventory's earlier report"
        );
        assert_eq!(facts.confirmed_at, Some(at(4)));
        assert_eq!(
            facts.refunded_minor, 2500,
            "the running total, not the sum of refunds"
        );
        assert_eq!(facts.payment_status, Some((5, "refunded".into())));
        assert_eq!(facts.cancel_reason.as_deref(), Some("customer"));
        assert_eq!(facts.last_sequence, 6);
    }

    #[test]
    fn any_order_of_arrival_and_any_repetition_folds_the_same() {
        let (order, customer) = (Uuid::now_v7(), Uuid::now_v7());
        let events = life_of_an_order(order, customer);
        let expected = folded(&events);
        let mut reversed = events.clone();
        reversed.reverse();
        assert_eq!(folded(&reversed), expected);
        // Every event twice, interleaved oddly: odd positions first, then everything again.
        let twice: Vec<EventRecord> = events
            .iter()
            .skip(1)
            .step_by(2)
            .chain(events.iter().rev())
            .chain(events.iter().step_by(3))
            .cloned()
            .collect();
        assert_eq!(folded(&twice), expected);
        // And in two batches merged afterwards, as the database merges them.
        let (first, _) = fold_all(&events[5..]);
        let (second, _) = fold_all(&events[..5]);
        let mut merged = first.orders[&order].clone();
        merged.merge(second.orders[&order].clone());
        assert_eq!(merged, expected);
    }

    #[test]
    fn lines_keep_product_and_category_and_the_first_order_marks_the_customer() {
        let (order, customer) = (Uuid::now_v7(), Uuid::now_v7());
        let (changes, _) = fold_all(&life_of_an_order(order, customer));
        assert_eq!(changes.lines.len(), 2);
        let lamp = &changes.lines[&(order, 1)];
        assert_eq!(
            (lamp.sku.as_str(), lamp.category.as_deref()),
            ("LAMP-1", Some("lighting"))
        );
        assert_eq!(changes.lines[&(order, 2)].category, None);
        assert_eq!(changes.customers[&customer].first_order_at, Some(at(0)));
    }

    #[test]
    fn a_v1_placement_takes_currency_and_total_from_its_lines() {
        let order = Uuid::now_v7();
        let facts = folded(&[record(
            "o:1",
            ORDER_PLACED_V1,
            0,
            Some(1),
            json!({
                "orderId": order, "customerId": Uuid::now_v7(),
                "lines": [{"sku": "A-1", "quantity": 3, "unitPriceMinor": 700, "currency": "USD"}]
            }),
        )]);
        assert_eq!(
            (facts.currency.as_deref(), facts.total_minor),
            (Some("USD"), Some(2100))
        );
    }

    #[test]
    fn the_newest_low_stock_signal_wins_whatever_arrives_first() {
        let low = |id: &str, minute, available| {
            record(
                id,
                StockLow::EVENT_TYPE,
                minute,
                None,
                json!({"sku": "LAMP-1", "available": available, "threshold": 5}),
            )
        };
        for events in [
            [low("a", 1, 4), low("b", 2, 1)],
            [low("b", 2, 1), low("a", 1, 4)],
        ] {
            let (changes, _) = fold_all(&events);
            assert_eq!(changes.signals["LAMP-1"].available, 1);
        }
    }

    #[test]
    fn a_malformed_event_is_reported_and_the_rest_still_count() {
        let order = Uuid::now_v7();
        let events = [
            record(
                "bad",
                OrderConfirmed::EVENT_TYPE,
                0,
                Some(1),
                json!({"orderId": "not-a-uuid"}),
            ),
            record(
                "good",
                OrderShipped::EVENT_TYPE,
                1,
                Some(2),
                json!({"orderId": order, "carrier": "c", "trackingNumber": "t"}),
            ),
        ];
        let (changes, malformed) = fold_all(&events);
        assert_eq!(malformed.len(), 1);
        assert_eq!(malformed[0].event_id, "bad");
        assert_eq!(changes.orders[&order].shipped_at, Some(at(1)));
    }
}
