//! The order aggregate's events, and how a stored event becomes one.
//!
//! Events are stored with their versioned CloudEvents type (`shop.order.placed.v2`) and the JSON
//! of the contract in `crates/contracts`. A stored event is never rewritten, so when a contract
//! gets a new version, old events stay as they were written and are *upcast* when read: the
//! rest of the service only ever sees the current version.

use contracts::DomainEvent;
use contracts::order::{
    OrderCancelled, OrderConfirmed, OrderLine, OrderPaymentUpdated, OrderPlaced, OrderShipped,
    OrderStockRejected, OrderStockReserved, PaymentRequested,
};
use serde::Deserialize;
use uuid::Uuid;

use super::payment::PaymentStatus;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    Placed(OrderPlaced),
    StockReserved(OrderStockReserved),
    StockRejected(OrderStockRejected),
    PaymentRequested(PaymentRequested),
    Confirmed(OrderConfirmed),
    Cancelled(OrderCancelled),
    Shipped(OrderShipped),
    PaymentUpdated(OrderPaymentUpdated),
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown order event type {0:?}")]
    UnknownType(String),
    #[error("event {event_type} does not match its contract: {source}")]
    Contract {
        event_type: String,
        source: serde_json::Error,
    },
    #[error("{0}")]
    Upcast(&'static str),
}

impl OrderEvent {
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Placed(_) => OrderPlaced::EVENT_TYPE,
            Self::StockReserved(_) => OrderStockReserved::EVENT_TYPE,
            Self::StockRejected(_) => OrderStockRejected::EVENT_TYPE,
            Self::PaymentRequested(_) => PaymentRequested::EVENT_TYPE,
            Self::Confirmed(_) => OrderConfirmed::EVENT_TYPE,
            Self::Cancelled(_) => OrderCancelled::EVENT_TYPE,
            Self::Shipped(_) => OrderShipped::EVENT_TYPE,
            Self::PaymentUpdated(_) => OrderPaymentUpdated::EVENT_TYPE,
        }
    }

    /// The event's body as stored and published: the JSON of its contract.
    pub fn data(&self) -> serde_json::Value {
        match self {
            Self::Placed(e) => serde_json::to_value(e),
            Self::StockReserved(e) => serde_json::to_value(e),
            Self::StockRejected(e) => serde_json::to_value(e),
            Self::PaymentRequested(e) => serde_json::to_value(e),
            Self::Confirmed(e) => serde_json::to_value(e),
            Self::Cancelled(e) => serde_json::to_value(e),
            Self::Shipped(e) => serde_json::to_value(e),
            Self::PaymentUpdated(e) => serde_json::to_value(e),
        }
        // Plain structs of strings and numbers: serializing them cannot fail.
        .unwrap_or_default()
    }

    /// Reads a stored event of any version this service ever wrote, as the current version.
    pub fn decode(event_type: &str, data: &serde_json::Value) -> Result<Self, DecodeError> {
        fn parse<E: DomainEvent>(data: &serde_json::Value) -> Result<E, DecodeError> {
            E::deserialize(data).map_err(|source| DecodeError::Contract {
                event_type: E::EVENT_TYPE.to_owned(),
                source,
            })
        }
        Ok(match event_type {
            OrderPlaced::EVENT_TYPE => Self::Placed(parse(data)?),
            upcast::ORDER_PLACED_V1 => Self::Placed(upcast::order_placed_v1(data)?),
            OrderStockReserved::EVENT_TYPE => Self::StockReserved(parse(data)?),
            OrderStockRejected::EVENT_TYPE => Self::StockRejected(parse(data)?),
            PaymentRequested::EVENT_TYPE => Self::PaymentRequested(parse(data)?),
            OrderConfirmed::EVENT_TYPE => Self::Confirmed(parse(data)?),
            OrderCancelled::EVENT_TYPE => Self::Cancelled(parse(data)?),
            OrderShipped::EVENT_TYPE => Self::Shipped(parse(data)?),
            OrderPaymentUpdated::EVENT_TYPE => Self::PaymentUpdated(payment_updated(data)?),
            other => return Err(DecodeError::UnknownType(other.to_owned())),
        })
    }

    /// Whether `event_type` is an event of the order stream, in any version.
    pub fn is_order_event_type(event_type: &str) -> bool {
        event_type.starts_with("shop.order.")
    }
}

/// The contract states the payment status as text; only the statuses the order knows are ever
/// written, so anything else is a broken event rather than a status to guess.
fn payment_updated(data: &serde_json::Value) -> Result<OrderPaymentUpdated, DecodeError> {
    let contract_error = |source| DecodeError::Contract {
        event_type: OrderPaymentUpdated::EVENT_TYPE.to_owned(),
        source,
    };
    let updated = OrderPaymentUpdated::deserialize(data).map_err(contract_error)?;
    if PaymentStatus::parse(&updated.payment_status).is_none() {
        return Err(contract_error(serde::de::Error::custom(format!(
            "unknown payment status {:?}",
            updated.payment_status
        ))));
    }
    Ok(updated)
}

/// Upcasters: old versions of stored events, and how each becomes the current one.
pub mod upcast {
    use super::*;

    /// `shop.order.placed.v1` (until v2 added the order's currency and total).
    pub const ORDER_PLACED_V1: &str = "shop.order.placed.v1";

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct OrderPlacedV1 {
        order_id: Uuid,
        customer_id: Uuid,
        lines: Vec<OrderLine>,
    }

    /// v1 priced every line in its own currency field; v2 states the order's currency and total.
    /// Orders only ever accepted single-currency orders, so the first line's currency is the
    /// order's, and the total is the sum of the lines.
    pub fn order_placed_v1(data: &serde_json::Value) -> Result<OrderPlaced, DecodeError> {
        let v1 = OrderPlacedV1::deserialize(data).map_err(|source| DecodeError::Contract {
            event_type: ORDER_PLACED_V1.to_owned(),
            source,
        })?;
        let currency = v1
            .lines
            .first()
            .map(|line| line.currency.clone())
            .ok_or(DecodeError::Upcast("a v1 OrderPlaced without lines"))?;
        if v1.lines.iter().any(|line| line.currency != currency) {
            return Err(DecodeError::Upcast("a v1 OrderPlaced mixing currencies"));
        }
        let total_minor = v1
            .lines
            .iter()
            .map(|line| line.unit_price_minor * i64::from(line.quantity))
            .sum();
        Ok(OrderPlaced {
            order_id: v1.order_id,
            customer_id: v1.customer_id,
            lines: v1.lines,
            currency,
            total_minor,
            // v1 was written before the shop took payments.
            payment_method_id: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stored_v1_order_placed_is_read_as_the_current_version() {
        let order_id = Uuid::new_v4();
        let customer_id = Uuid::new_v4();
        // Exactly what v1 wrote: no order-level currency or total.
        let stored = json!({
            "orderId": order_id,
            "customerId": customer_id,
            "lines": [
                { "sku": "LAMP-001", "quantity": 2, "unitPriceMinor": 1999, "currency": "EUR" },
                { "sku": "MUG-002", "quantity": 1, "unitPriceMinor": 500, "currency": "EUR" }
            ]
        });
        let event = OrderEvent::decode("shop.order.placed.v1", &stored).unwrap();
        let OrderEvent::Placed(placed) = event else {
            panic!("expected OrderPlaced, got {event:?}");
        };
        assert_eq!(placed.order_id, order_id);
        assert_eq!(placed.customer_id, customer_id);
        assert_eq!(placed.currency, "EUR");
        assert_eq!(placed.total_minor, 2 * 1999 + 500);
        assert_eq!(placed.lines.len(), 2);
        // Re-encoding gives the current version, never the old one.
        assert_eq!(
            OrderEvent::Placed(placed).event_type(),
            "shop.order.placed.v2"
        );
    }

    #[test]
    fn a_v1_order_placed_that_v2_could_not_express_is_refused_not_guessed() {
        let mixed = json!({
            "orderId": Uuid::new_v4(), "customerId": Uuid::new_v4(),
            "lines": [
                { "sku": "A-1", "quantity": 1, "unitPriceMinor": 1, "currency": "EUR" },
                { "sku": "B-2", "quantity": 1, "unitPriceMinor": 1, "currency": "USD" }
            ]
        });
        assert!(matches!(
            OrderEvent::decode("shop.order.placed.v1", &mixed),
            Err(DecodeError::Upcast(_))
        ));
    }

    #[test]
    fn every_current_event_round_trips_through_its_stored_form() {
        let order_id = Uuid::new_v4();
        let events = [
            OrderEvent::Placed(OrderPlaced {
                order_id,
                customer_id: Uuid::new_v4(),
                lines: vec![OrderLine {
                    sku: "LAMP-001".into(),
                    quantity: 1,
                    unit_price_minor: 1999,
                    currency: "EUR".into(),
                    product_name: None,
                    category: None,
                }],
                currency: "EUR".into(),
                total_minor: 1999,
                payment_method_id: contracts::payment::PaymentMethodId::parse("pm_card_visa").ok(),
            }),
            OrderEvent::StockReserved(OrderStockReserved { order_id }),
            OrderEvent::Confirmed(OrderConfirmed { order_id }),
            OrderEvent::Cancelled(OrderCancelled {
                order_id,
                reason: "timeout".into(),
            }),
            OrderEvent::Shipped(OrderShipped {
                order_id,
                carrier: "DHL".into(),
                tracking_number: "JJD000390007".into(),
            }),
            OrderEvent::PaymentUpdated(OrderPaymentUpdated {
                order_id,
                payment_status: "partially-refunded".into(),
                captured_minor: 4_000,
                refunded_minor: 1_000,
            }),
        ];
        for event in events {
            assert_eq!(
                OrderEvent::decode(event.event_type(), &event.data()).unwrap(),
                event
            );
        }
    }

    #[test]
    fn unknown_types_and_broken_bodies_are_errors() {
        assert!(matches!(
            OrderEvent::decode("shop.order.teleported.v1", &json!({})),
            Err(DecodeError::UnknownType(_))
        ));
        assert!(matches!(
            OrderEvent::decode("shop.order.confirmed.v1", &json!({ "orderId": "nope" })),
            Err(DecodeError::Contract { .. })
        ));
        let unknown_status = json!({
            "orderId": Uuid::new_v4(), "paymentStatus": "succeeded",
            "capturedMinor": 1, "refundedMinor": 0
        });
        assert!(matches!(
            OrderEvent::decode("shop.order.payment-updated.v1", &unknown_status),
            Err(DecodeError::Contract { .. })
        ));
    }

    #[test]
    fn an_order_placed_before_payments_reads_without_a_payment_method() {
        let stored = json!({
            "orderId": Uuid::new_v4(), "customerId": Uuid::new_v4(), "currency": "EUR",
            "totalMinor": 500,
            "lines": [{ "sku": "MUG-002", "quantity": 1, "unitPriceMinor": 500, "currency": "EUR" }]
        });
        let OrderEvent::Placed(placed) =
            OrderEvent::decode("shop.order.placed.v2", &stored).unwrap()
        else {
            panic!("expected OrderPlaced");
        };
        assert_eq!(placed.payment_method_id, None);
        let v1 = json!({
            "orderId": Uuid::new_v4(), "customerId": Uuid::new_v4(),
            "lines": [{ "sku": "MUG-002", "quantity": 1, "unitPriceMinor": 500, "currency": "EUR" }]
        });
        let OrderEvent::Placed(placed) = OrderEvent::decode("shop.order.placed.v1", &v1).unwrap()
        else {
            panic!("expected OrderPlaced");
        };
        assert_eq!(placed.payment_method_id, None);
    }
}
