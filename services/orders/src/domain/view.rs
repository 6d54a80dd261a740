//! The read model of one order: what `GET /api/orders/{id}` answers and the query table holds.
//! It is a pure fold of the recorded stream (times come from the events, never the clock), so a
//! replay from the first event gives exactly the live model.
//!
//! These types are also the API's answer, so they derive `ToSchema` (a derive, no salvo code
//! runs here); the JSON they serialize to is both the answer and the actor's stored state.

use chrono::{DateTime, Utc};
use contracts::order::OrderLine;
use contracts::stock::RejectedLine;
use salvo::oapi::ToSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::event::{DecodeError, OrderEvent};
use super::order::OrderStatus;
use super::payment::Payment;

/// One event of the order's stream as the read model reads it: its place in the stream, when
/// it was recorded, and its stored form (decoded here, so old versions are upcast). The store
/// keeps more (metadata); the fold needs only this.
#[derive(Debug, Clone, Copy)]
pub struct StreamEvent<'a> {
    pub sequence: u64,
    pub recorded_at: DateTime<Utc>,
    pub event_type: &'a str,
    pub data: &'a serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ViewLine {
    pub sku: String,
    pub quantity: u32,
    pub unit_price_minor: i64,
    pub line_total_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ViewRejectedLine {
    pub sku: String,
    pub requested: u32,
    pub available: u32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
    pub shipped_at: DateTime<Utc>,
}

/// One step of the order's history: an event of its stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub sequence: u64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub status: OrderStatus,
    pub lines: Vec<ViewLine>,
    pub currency: String,
    pub total_minor: i64,
    pub placed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected_lines: Vec<ViewRejectedLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment: Option<Shipment>,
    /// The order's payment: `pending` once the stock is reserved and payment requested (absent
    /// before that, and on orders rejected for stock), `authorized` when the order is confirmed,
    /// `failed` when it was cancelled for it, then what payments did with the money
    /// (`captured`, `voided`, `refunded`, `partially-refunded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
    /// The stream version this view reflects.
    pub version: u64,
    pub history: Vec<HistoryEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("event {found} follows version {version}: the stream was read with a gap")]
    OutOfOrder { version: u64, found: u64 },
    #[error("the stream does not begin with OrderPlaced")]
    NotPlacedFirst,
}

fn view_line(line: &OrderLine) -> ViewLine {
    ViewLine {
        sku: line.sku.clone(),
        quantity: line.quantity,
        unit_price_minor: line.unit_price_minor,
        line_total_minor: line.unit_price_minor * i64::from(line.quantity),
    }
}

impl OrderView {
    /// Folds recorded events into `view` (None: nothing projected yet). Events at or below the
    /// view's version are skipped, so applying the same events twice changes nothing.
    pub fn project<'a>(
        mut view: Option<OrderView>,
        events: impl IntoIterator<Item = StreamEvent<'a>>,
    ) -> Result<Option<OrderView>, ProjectionError> {
        for recorded in events {
            let version = view.as_ref().map_or(0, |v| v.version);
            if recorded.sequence <= version {
                continue;
            }
            if recorded.sequence != version + 1 {
                return Err(ProjectionError::OutOfOrder {
                    version,
                    found: recorded.sequence,
                });
            }
            let event = OrderEvent::decode(recorded.event_type, recorded.data)?;
            let mut next = match (view, &event) {
                (None, OrderEvent::Placed(placed)) => OrderView {
                    order_id: placed.order_id,
                    customer_id: placed.customer_id,
                    status: OrderStatus::AwaitingStock,
                    lines: placed.lines.iter().map(view_line).collect(),
                    currency: placed.currency.clone(),
                    total_minor: placed.total_minor,
                    placed_at: recorded.recorded_at,
                    updated_at: recorded.recorded_at,
                    cancellation_reason: None,
                    rejected_lines: Vec::new(),
                    shipment: None,
                    payment: None,
                    version: 0,
                    history: Vec::new(),
                },
                (None, _) => return Err(ProjectionError::NotPlacedFirst),
                (Some(mut current), event) => {
                    current.status = current.status.after(event);
                    current.payment = Payment::after(current.payment.take(), event);
                    match event {
                        OrderEvent::Placed(_) => return Err(ProjectionError::NotPlacedFirst),
                        OrderEvent::StockReserved(_) => {}
                        OrderEvent::StockRejected(rejected) => {
                            current.rejected_lines = rejected
                                .lines
                                .iter()
                                .map(|line: &RejectedLine| ViewRejectedLine {
                                    sku: line.sku.clone(),
                                    requested: line.requested,
                                    available: line.available,
                                    reason: line.reason.clone(),
                                })
                                .collect();
                        }
                        OrderEvent::PaymentRequested(_)
                        | OrderEvent::Confirmed(_)
                        | OrderEvent::PaymentUpdated(_) => {}
                        OrderEvent::Cancelled(cancelled) => {
                            current.cancellation_reason = Some(cancelled.reason.clone());
                        }
                        OrderEvent::Shipped(shipped) => {
                            current.shipment = Some(Shipment {
                                carrier: shipped.carrier.clone(),
                                tracking_number: shipped.tracking_number.clone(),
                                shipped_at: recorded.recorded_at,
                            });
                        }
                    }
                    current
                }
            };
            next.version = recorded.sequence;
            next.updated_at = recorded.recorded_at;
            next.history.push(HistoryEntry {
                sequence: recorded.sequence,
                event_type: recorded.event_type.to_owned(),
                at: recorded.recorded_at,
            });
            view = Some(next);
        }
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::{CancelReason, Command, Order, decide};
    use crate::domain::payment::{PaymentFact, PaymentStatus};
    use contracts::payment::PaymentMethodId;

    /// Events as a store would hold them: numbered from 1, a second apart.
    struct Recorded {
        sequence: u64,
        recorded_at: DateTime<Utc>,
        event_type: &'static str,
        data: serde_json::Value,
    }

    fn record(events: &[OrderEvent]) -> Vec<Recorded> {
        events
            .iter()
            .zip(1..)
            .map(|(event, sequence)| Recorded {
                sequence,
                recorded_at: DateTime::from_timestamp(1_700_000_000 + sequence as i64, 0).unwrap(),
                event_type: event.event_type(),
                data: event.data(),
            })
            .collect()
    }

    fn read(recorded: &[Recorded]) -> impl Iterator<Item = StreamEvent<'_>> {
        recorded.iter().map(|r| StreamEvent {
            sequence: r.sequence,
            recorded_at: r.recorded_at,
            event_type: r.event_type,
            data: &r.data,
        })
    }

    fn stream(commands: &[Command]) -> Vec<OrderEvent> {
        let mut events = Vec::new();
        for command in commands {
            let state = Order::fold(&events);
            events.extend(decide(state.as_ref(), command).unwrap());
        }
        events
    }

    fn placed() -> Command {
        placed_by(Uuid::new_v4())
    }

    fn placed_by(customer_id: Uuid) -> Command {
        Command::Place {
            order_id: Uuid::new_v4(),
            customer_id,
            lines: vec![OrderLine {
                sku: "LAMP-001".into(),
                quantity: 2,
                unit_price_minor: 1_250,
                currency: "EUR".into(),
                product_name: None,
                category: None,
            }],
            currency: "EUR".into(),
            payment_method_id: PaymentMethodId::parse("pm_card_visa").unwrap(),
        }
    }

    #[test]
    fn the_view_agrees_with_the_aggregate_and_keeps_the_history() {
        let events = stream(&[
            placed(),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            Command::Ship {
                carrier: "DHL".into(),
                tracking_number: "T-9".into(),
            },
        ]);
        let view = OrderView::project(None, read(&record(&events)))
            .unwrap()
            .unwrap();
        assert_eq!(view.status, Order::fold(&events).unwrap().status);
        assert_eq!(view.version, 5);
        assert_eq!(view.history.len(), 5);
        assert_eq!(view.total_minor, 2_500);
        assert_eq!(view.lines[0].line_total_minor, 2_500);
        assert_eq!(view.shipment.as_ref().unwrap().tracking_number, "T-9");
        assert_eq!(
            view.placed_at,
            DateTime::from_timestamp(1_700_000_001, 0).unwrap()
        );
        assert_eq!(
            view.updated_at,
            DateTime::from_timestamp(1_700_000_005, 0).unwrap()
        );
    }

    #[test]
    fn the_view_shows_the_payment_as_the_aggregate_knows_it() {
        let customer = Uuid::new_v4();
        let events = stream(&[
            placed_by(customer),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            Command::RecordPaymentFact(PaymentFact::Captured {
                amount_minor: 2_500,
            }),
            // Cancelled after the capture: payments refunds it.
            Command::Cancel {
                reason: CancelReason::Customer(customer),
            },
            Command::RecordPaymentFact(PaymentFact::Refunded {
                total_refunded_minor: 2_500,
            }),
        ]);
        let recorded = record(&events);
        let view = OrderView::project(None, read(&recorded)).unwrap().unwrap();
        assert_eq!(view.status, OrderStatus::Cancelled);
        assert_eq!(view.payment, Order::fold(&events).unwrap().payment);
        let payment = view.payment.clone().unwrap();
        assert_eq!(payment.status, PaymentStatus::Refunded);
        assert_eq!(
            (payment.captured_minor, payment.refunded_minor),
            (2_500, 2_500)
        );
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(
            json["payment"],
            serde_json::json!({
                "status": "refunded", "paymentMethodId": "pm_card_visa",
                "capturedMinor": 2_500, "refundedMinor": 2_500
            })
        );
        // Step by step, each event's view says what the payment was then.
        let statuses: Vec<Option<PaymentStatus>> = (1..=recorded.len())
            .map(|n| {
                OrderView::project(None, read(&recorded[..n]))
                    .unwrap()
                    .unwrap()
                    .payment
                    .map(|p| p.status)
            })
            .collect();
        assert_eq!(
            statuses,
            [
                None,
                None,
                Some(PaymentStatus::Pending),
                Some(PaymentStatus::Authorized),
                Some(PaymentStatus::Captured),
                Some(PaymentStatus::Captured),
                Some(PaymentStatus::Refunded),
            ]
        );
    }

    #[test]
    fn a_view_stored_before_payments_reads_without_one() {
        let events = stream(&[placed()]);
        let view = OrderView::project(None, read(&record(&events)))
            .unwrap()
            .unwrap();
        let mut stored = serde_json::to_value(&view).unwrap();
        assert!(stored.get("payment").is_none());
        stored.as_object_mut().unwrap().remove("payment");
        let read_back: OrderView = serde_json::from_value(stored).unwrap();
        assert_eq!(read_back, view);
    }

    #[test]
    fn projecting_in_steps_or_twice_equals_projecting_once() {
        let recorded = record(&stream(&[
            placed(),
            Command::RecordStockRejected { lines: vec![] },
        ]));
        let once = OrderView::project(None, read(&recorded)).unwrap();
        let first = OrderView::project(None, read(&recorded[..1])).unwrap();
        let stepped = OrderView::project(first, read(&recorded[1..])).unwrap();
        let again = OrderView::project(stepped.clone(), read(&recorded)).unwrap();
        assert_eq!(once, stepped);
        assert_eq!(once, again);
        assert_eq!(
            once.unwrap().cancellation_reason.as_deref(),
            Some("stock-rejected")
        );
    }

    #[test]
    fn a_gap_is_an_error_not_a_silent_skip() {
        let recorded = record(&stream(&[placed(), Command::RecordStockReserved]));
        let first = OrderView::project(None, read(&recorded[..1])).unwrap();
        assert!(matches!(
            OrderView::project(first, read(&recorded[2..])),
            Err(ProjectionError::OutOfOrder {
                version: 1,
                found: 3
            })
        ));
    }
}
