//! The order aggregate: its state is the fold of its events, and a command is decided against
//! that state. `decide` is pure: it returns the events to append, or a refusal, and touches
//! nothing; storing the events is the command handler's job.

use contracts::order::{
    OrderCancelled, OrderConfirmed, OrderLine, OrderPlaced, OrderShipped, OrderStockRejected,
    OrderStockReserved, PaymentRequested,
};
use contracts::payment::PaymentMethodId;
use contracts::stock::RejectedLine;
use salvo::oapi::ToSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::event::OrderEvent;
use super::payment::{Payment, PaymentFact};

/// Where an order is in its life. Only the first two are open: an open order is either
/// answered by inventory and payments or cancelled by its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OrderStatus {
    AwaitingStock,
    AwaitingPayment,
    Confirmed,
    Shipped,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 5] = [
        Self::AwaitingStock,
        Self::AwaitingPayment,
        Self::Confirmed,
        Self::Shipped,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingStock => "awaiting-stock",
            Self::AwaitingPayment => "awaiting-payment",
            Self::Confirmed => "confirmed",
            Self::Shipped => "shipped",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::AwaitingStock | Self::AwaitingPayment)
    }

    /// The status once `event` happened: the one transition table, for the aggregate and for
    /// the read model alike. Inventory's answers change nothing by themselves; the payment
    /// request or the cancellation recorded with them does. Payments' later facts (captured,
    /// voided, refunded) are about the money, not the order's progress.
    pub fn after(self, event: &OrderEvent) -> OrderStatus {
        match event {
            OrderEvent::Placed(_) => Self::AwaitingStock,
            OrderEvent::StockReserved(_)
            | OrderEvent::StockRejected(_)
            | OrderEvent::PaymentUpdated(_) => self,
            OrderEvent::PaymentRequested(_) => Self::AwaitingPayment,
            OrderEvent::Confirmed(_) => Self::Confirmed,
            OrderEvent::Cancelled(_) => Self::Cancelled,
            OrderEvent::Shipped(_) => Self::Shipped,
        }
    }
}

/// Why an order was cancelled (the `reason` of `shop.order.cancelled.v1`). Serializable because
/// commands travel to the order's actor as its method's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CancelReason {
    /// The customer who placed it (anyone else is told there is no such order).
    Customer(Uuid),
    Timeout,
    StockRejected,
    PaymentFailed,
}

impl CancelReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer(_) => "customer",
            Self::Timeout => "timeout",
            Self::StockRejected => "stock-rejected",
            Self::PaymentFailed => "payment-failed",
        }
    }

    /// Whether an order in `status` may be cancelled for this reason. Any open order may be. A
    /// customer may also take back a confirmed order that has not shipped: its stock goes back
    /// and payments voids or refunds the payment.
    fn may_cancel(self, status: OrderStatus) -> bool {
        status.is_open() || (matches!(self, Self::Customer(_)) && status == OrderStatus::Confirmed)
    }
}

/// The aggregate's state: only what deciding commands needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub status: OrderStatus,
    pub currency: String,
    pub total_minor: i64,
    /// How the customer pays, given at placement (absent on orders placed before payments).
    pub payment_method_id: Option<PaymentMethodId>,
    /// The payment, once requested.
    pub payment: Option<Payment>,
}

impl Order {
    /// Folds a stream into the order; `None` for an empty stream. Streams begin with
    /// OrderPlaced (`decide` allows nothing else on an empty stream), so whatever comes before
    /// it is ignored rather than invented into an order without a customer.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a OrderEvent>) -> Option<Order> {
        Self::apply(None, events)
    }

    /// The order after `events`, from `state` (a fold carried on).
    pub fn apply<'a>(
        state: Option<Order>,
        events: impl IntoIterator<Item = &'a OrderEvent>,
    ) -> Option<Order> {
        events.into_iter().fold(state, Self::evolve)
    }

    fn evolve(state: Option<Order>, event: &OrderEvent) -> Option<Order> {
        let mut order = match (state, event) {
            (_, OrderEvent::Placed(placed)) => {
                return Some(Order {
                    id: placed.order_id,
                    customer_id: placed.customer_id,
                    status: OrderStatus::AwaitingStock,
                    currency: placed.currency.clone(),
                    total_minor: placed.total_minor,
                    payment_method_id: placed.payment_method_id.clone(),
                    payment: None,
                });
            }
            (None, _) => return None,
            (Some(order), _) => order,
        };
        order.status = order.status.after(event);
        order.payment = Payment::after(order.payment.take(), event);
        Some(order)
    }
}

/// What can be asked of an order: by a customer, an administrator, or another service's event.
/// Serializable: a command is the body of a call to the order's actor, which decides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Command {
    Place {
        order_id: Uuid,
        customer_id: Uuid,
        lines: Vec<OrderLine>,
        currency: String,
        /// Checked with payments before placing: the provider knows it.
        payment_method_id: PaymentMethodId,
    },
    /// Inventory's answer to OrderPlaced.
    RecordStockReserved,
    RecordStockRejected {
        lines: Vec<RejectedLine>,
    },
    /// Payments' answer to PaymentRequested.
    RecordPaymentAuthorized,
    RecordPaymentFailed,
    /// Payments' later facts: recorded on the order, whatever its status.
    RecordPaymentFact(PaymentFact),
    Cancel {
        reason: CancelReason,
    },
    Ship {
        carrier: String,
        tracking_number: String,
    },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Place { .. } => "place",
            Self::RecordStockReserved => "record-stock-reserved",
            Self::RecordStockRejected { .. } => "record-stock-rejected",
            Self::RecordPaymentAuthorized => "record-payment-authorized",
            Self::RecordPaymentFailed => "record-payment-failed",
            Self::RecordPaymentFact(PaymentFact::Captured { .. }) => "record-payment-captured",
            Self::RecordPaymentFact(PaymentFact::Voided) => "record-payment-voided",
            Self::RecordPaymentFact(PaymentFact::Refunded { .. }) => "record-payment-refunded",
            Self::Cancel { .. } => "cancel",
            Self::Ship { .. } => "ship",
        }
    }
}

/// Why a command changed nothing. Serializable: the order's actor answers with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(
    tag = "refusal",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum Refusal {
    #[error("no such order")]
    NotFound,
    #[error("the order already exists")]
    AlreadyPlaced,
    #[error("an order that is {} cannot be {}", .status.as_str(), .action.as_str())]
    IllegalTransition {
        action: Transition,
        status: OrderStatus,
    },
}

/// A move of an order's status that a command asked for and its status may refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transition {
    Cancelled,
    Shipped,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::Shipped => "shipped",
        }
    }
}

/// Decides `command` against the order's state. Reactions to other services' events that no
/// longer apply (a redelivery, an answer arriving after a cancellation, a payment fact the order
/// already knows or that is older than what it knows) decide nothing: an empty list, so a
/// redelivered event appends nothing.
pub fn decide(state: Option<&Order>, command: &Command) -> Result<Vec<OrderEvent>, Refusal> {
    let Some(order) = state else {
        return match command {
            Command::Place {
                order_id,
                customer_id,
                lines,
                currency,
                payment_method_id,
            } => Ok(vec![OrderEvent::Placed(OrderPlaced {
                order_id: *order_id,
                customer_id: *customer_id,
                total_minor: lines
                    .iter()
                    .map(|line| line.unit_price_minor * i64::from(line.quantity))
                    .sum(),
                currency: currency.clone(),
                lines: lines.clone(),
                payment_method_id: Some(payment_method_id.clone()),
            })]),
            _ => Err(Refusal::NotFound),
        };
    };
    let order_id = order.id;
    let cancel = |reason: CancelReason| {
        OrderEvent::Cancelled(OrderCancelled {
            order_id,
            reason: reason.as_str().to_owned(),
        })
    };
    match (command, order.status) {
        (Command::Place { .. }, _) => Err(Refusal::AlreadyPlaced),

        (Command::RecordStockReserved, OrderStatus::AwaitingStock) => Ok(vec![
            OrderEvent::StockReserved(OrderStockReserved { order_id }),
            OrderEvent::PaymentRequested(PaymentRequested {
                order_id,
                customer_id: order.customer_id,
                amount_minor: order.total_minor,
                currency: order.currency.clone(),
                payment_method_id: order.payment_method_id.clone(),
            }),
        ]),
        (Command::RecordStockRejected { lines }, OrderStatus::AwaitingStock) => Ok(vec![
            OrderEvent::StockRejected(OrderStockRejected {
                order_id,
                lines: lines.clone(),
            }),
            cancel(CancelReason::StockRejected),
        ]),
        (Command::RecordPaymentAuthorized, OrderStatus::AwaitingPayment) => {
            Ok(vec![OrderEvent::Confirmed(OrderConfirmed { order_id })])
        }
        (Command::RecordPaymentFailed, OrderStatus::AwaitingPayment) => {
            Ok(vec![cancel(CancelReason::PaymentFailed)])
        }
        (
            Command::RecordStockReserved
            | Command::RecordStockRejected { .. }
            | Command::RecordPaymentAuthorized
            | Command::RecordPaymentFailed,
            _,
        ) => Ok(Vec::new()),
        // In any status: the money moves on after the order has (a refund after shipping, a
        // void after a cancellation). An order that never asked for payment has none to record.
        (Command::RecordPaymentFact(fact), _) => Ok(order
            .payment
            .as_ref()
            .and_then(|payment| payment.record(order_id, *fact, order.total_minor))
            .map(OrderEvent::PaymentUpdated)
            .into_iter()
            .collect()),

        // Someone else's order does not exist for a customer, whatever its status.
        (
            Command::Cancel {
                reason: CancelReason::Customer(who),
            },
            _,
        ) if *who != order.customer_id => Err(Refusal::NotFound),
        (Command::Cancel { reason }, status) if reason.may_cancel(status) => {
            Ok(vec![cancel(*reason)])
        }
        // The deadline passing on an order that is no longer open is nothing to do.
        (
            Command::Cancel {
                reason: CancelReason::Timeout,
            },
            _,
        ) => Ok(Vec::new()),
        (Command::Cancel { .. }, status) => Err(Refusal::IllegalTransition {
            action: Transition::Cancelled,
            status,
        }),

        (
            Command::Ship {
                carrier,
                tracking_number,
            },
            OrderStatus::Confirmed,
        ) => Ok(vec![OrderEvent::Shipped(OrderShipped {
            order_id,
            carrier: carrier.clone(),
            tracking_number: tracking_number.clone(),
        })]),
        (Command::Ship { .. }, status) => Err(Refusal::IllegalTransition {
            action: Transition::Shipped,
            status,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::payment::PaymentStatus;

    const CUSTOMER: Uuid = Uuid::from_u128(0x0c57_0e11);

    fn visa() -> PaymentMethodId {
        PaymentMethodId::parse("pm_card_visa").unwrap()
    }

    fn place(order_id: Uuid) -> Command {
        Command::Place {
            order_id,
            customer_id: CUSTOMER,
            lines: vec![
                OrderLine {
                    sku: "LAMP-001".into(),
                    quantity: 2,
                    unit_price_minor: 1_999,
                    currency: "EUR".into(),
                    product_name: None,
                    category: None,
                },
                OrderLine {
                    sku: "MUG-002".into(),
                    quantity: 3,
                    unit_price_minor: 500,
                    currency: "EUR".into(),
                    product_name: None,
                    category: None,
                },
            ],
            currency: "EUR".into(),
            payment_method_id: visa(),
        }
    }

    /// Runs commands in order, applying what each decides, as the command handler does.
    fn run(commands: &[Command]) -> (Vec<OrderEvent>, Vec<Result<usize, Refusal>>) {
        let mut stream = Vec::new();
        let mut outcomes = Vec::new();
        for command in commands {
            let state = Order::fold(&stream);
            match decide(state.as_ref(), command) {
                Ok(events) => {
                    outcomes.push(Ok(events.len()));
                    stream.extend(events);
                }
                Err(refusal) => outcomes.push(Err(refusal)),
            }
        }
        (stream, outcomes)
    }

    fn status_of(stream: &[OrderEvent]) -> OrderStatus {
        Order::fold(stream).unwrap().status
    }

    #[test]
    fn placing_prices_the_total_from_the_lines() {
        let (stream, _) = run(&[place(Uuid::new_v4())]);
        let OrderEvent::Placed(placed) = &stream[0] else {
            panic!("expected OrderPlaced");
        };
        assert_eq!(placed.total_minor, 2 * 1_999 + 3 * 500);
        assert_eq!(status_of(&stream), OrderStatus::AwaitingStock);
    }

    #[test]
    fn the_happy_path_ends_shipped() {
        let (stream, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            Command::Ship {
                carrier: "DHL".into(),
                tracking_number: "T-1".into(),
            },
        ]);
        assert!(outcomes.iter().all(Result::is_ok));
        let types: Vec<_> = stream.iter().map(OrderEvent::event_type).collect();
        assert_eq!(
            types,
            [
                "shop.order.placed.v2",
                "shop.order.stock-reserved.v1",
                "shop.order.payment-requested.v1",
                "shop.order.confirmed.v1",
                "shop.order.shipped.v1"
            ]
        );
        assert_eq!(status_of(&stream), OrderStatus::Shipped);
        let OrderEvent::PaymentRequested(request) = &stream[2] else {
            panic!("expected PaymentRequested");
        };
        assert_eq!(request.amount_minor, 2 * 1_999 + 3 * 500);
        assert_eq!(request.payment_method_id, Some(visa()), "as placed");
        let OrderEvent::Placed(placed) = &stream[0] else {
            panic!("expected OrderPlaced");
        };
        assert_eq!(placed.payment_method_id, Some(visa()));
    }

    #[test]
    fn rejected_stock_cancels_the_order() {
        let (stream, _) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockRejected { lines: vec![] },
        ]);
        assert_eq!(status_of(&stream), OrderStatus::Cancelled);
        assert!(matches!(&stream[2], OrderEvent::Cancelled(c) if c.reason == "stock-rejected"));
    }

    #[test]
    fn redelivered_and_late_answers_decide_nothing() {
        let (stream, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordStockReserved,
            Command::RecordStockRejected { lines: vec![] },
            Command::RecordPaymentAuthorized,
            Command::RecordPaymentAuthorized,
            Command::RecordPaymentFailed,
        ]);
        assert_eq!(outcomes[2], Ok(0));
        assert_eq!(outcomes[3], Ok(0));
        assert_eq!(outcomes[5], Ok(0));
        assert_eq!(outcomes[6], Ok(0));
        assert_eq!(stream.len(), 4);
        assert_eq!(status_of(&stream), OrderStatus::Confirmed);
    }

    const BY_CUSTOMER: Command = Command::Cancel {
        reason: CancelReason::Customer(CUSTOMER),
    };

    #[test]
    fn a_customer_cancels_an_open_order_once() {
        for answers in [&[][..], &[Command::RecordStockReserved][..]] {
            let mut commands = vec![place(Uuid::new_v4())];
            commands.extend_from_slice(answers);
            commands.extend([BY_CUSTOMER, BY_CUSTOMER]);
            let (stream, outcomes) = run(&commands);
            assert_eq!(status_of(&stream), OrderStatus::Cancelled);
            assert!(
                matches!(stream.last(), Some(OrderEvent::Cancelled(c)) if c.reason == "customer")
            );
            assert_eq!(
                outcomes.last(),
                Some(&Err(Refusal::IllegalTransition {
                    action: Transition::Cancelled,
                    status: OrderStatus::Cancelled
                }))
            );
        }
    }

    #[test]
    fn a_customer_cancels_a_confirmed_order_until_it_ships() {
        let (stream, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            BY_CUSTOMER,
            Command::Ship {
                carrier: "DHL".into(),
                tracking_number: "T-1".into(),
            },
        ]);
        assert_eq!(outcomes[3], Ok(1));
        assert!(matches!(&stream[4], OrderEvent::Cancelled(c) if c.reason == "customer"));
        assert_eq!(status_of(&stream), OrderStatus::Cancelled);
        assert_eq!(
            outcomes[4],
            Err(Refusal::IllegalTransition {
                action: Transition::Shipped,
                status: OrderStatus::Cancelled
            }),
            "a cancelled order does not ship"
        );

        let (_, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            Command::Ship {
                carrier: "DHL".into(),
                tracking_number: "T-1".into(),
            },
            BY_CUSTOMER,
        ]);
        assert_eq!(
            outcomes[4],
            Err(Refusal::IllegalTransition {
                action: Transition::Cancelled,
                status: OrderStatus::Shipped
            })
        );
    }

    #[test]
    fn only_the_customer_may_cancel_a_confirmed_order() {
        // The deadline does not reach a confirmed order; another customer is told nothing.
        let (stream, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            Command::Cancel {
                reason: CancelReason::Timeout,
            },
            Command::Cancel {
                reason: CancelReason::Customer(Uuid::new_v4()),
            },
        ]);
        assert_eq!(outcomes[3], Ok(0));
        assert_eq!(outcomes[4], Err(Refusal::NotFound));
        assert_eq!(status_of(&stream), OrderStatus::Confirmed);
    }

    #[test]
    fn another_customer_cannot_cancel_an_order_and_learns_nothing_of_it() {
        let stranger = Command::Cancel {
            reason: CancelReason::Customer(Uuid::new_v4()),
        };
        let (stream, outcomes) = run(&[place(Uuid::new_v4()), stranger.clone()]);
        assert_eq!(outcomes[1], Err(Refusal::NotFound));
        assert_eq!(status_of(&stream), OrderStatus::AwaitingStock);
        // Not even the status of a closed order leaks.
        let (_, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::Cancel {
                reason: CancelReason::Timeout,
            },
            stranger,
        ]);
        assert_eq!(outcomes[2], Err(Refusal::NotFound));
    }

    #[test]
    fn only_a_confirmed_order_ships() {
        let ship = Command::Ship {
            carrier: "UPS".into(),
            tracking_number: "1Z".into(),
        };
        let (_, outcomes) = run(&[place(Uuid::new_v4()), ship.clone()]);
        assert_eq!(
            outcomes[1],
            Err(Refusal::IllegalTransition {
                action: Transition::Shipped,
                status: OrderStatus::AwaitingStock
            })
        );
        let (_, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            ship.clone(),
            ship,
        ]);
        assert_eq!(outcomes[3], Ok(1));
        assert!(matches!(
            outcomes[4],
            Err(Refusal::IllegalTransition {
                status: OrderStatus::Shipped,
                ..
            })
        ));
    }

    #[test]
    fn the_deadline_cancels_open_orders_only() {
        let timeout = Command::Cancel {
            reason: CancelReason::Timeout,
        };
        let (stream, _) = run(&[place(Uuid::new_v4()), timeout.clone()]);
        assert!(matches!(&stream[1], OrderEvent::Cancelled(c) if c.reason == "timeout"));
        let (stream, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            timeout,
        ]);
        assert_eq!(outcomes[3], Ok(0));
        assert_eq!(status_of(&stream), OrderStatus::Confirmed);
    }

    fn payment_of(stream: &[OrderEvent]) -> Option<Payment> {
        Order::fold(stream).unwrap().payment
    }

    fn captured(amount_minor: i64) -> Command {
        Command::RecordPaymentFact(PaymentFact::Captured { amount_minor })
    }

    fn refunded(total_refunded_minor: i64) -> Command {
        Command::RecordPaymentFact(PaymentFact::Refunded {
            total_refunded_minor,
        })
    }

    #[test]
    fn the_payment_is_pending_then_answered() {
        let (stream, _) = run(&[place(Uuid::new_v4())]);
        assert_eq!(payment_of(&stream), None, "nothing asked of payments yet");
        let (stream, _) = run(&[place(Uuid::new_v4()), Command::RecordStockReserved]);
        let pending = payment_of(&stream).unwrap();
        assert_eq!(pending.status, PaymentStatus::Pending);
        assert_eq!(pending.payment_method_id, Some(visa()));
        let (stream, _) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
        ]);
        assert_eq!(
            payment_of(&stream).unwrap().status,
            PaymentStatus::Authorized
        );
        let (stream, _) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentFailed,
        ]);
        assert_eq!(payment_of(&stream).unwrap().status, PaymentStatus::Failed);
        // Cancelled for another reason, the payment stays pending until payments voids it.
        let (stream, _) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::Cancel {
                reason: CancelReason::Timeout,
            },
        ]);
        assert_eq!(payment_of(&stream).unwrap().status, PaymentStatus::Pending);
    }

    #[test]
    fn payment_facts_are_recorded_in_any_status_once_and_never_move_the_order() {
        let total = 2 * 1_999 + 3 * 500;
        let (stream, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            captured(total),
            captured(total),
            Command::Ship {
                carrier: "DHL".into(),
                tracking_number: "T-1".into(),
            },
            refunded(1_000),
            refunded(1_000),
            Command::RecordPaymentFact(PaymentFact::Voided),
            refunded(total),
            refunded(1_000),
            captured(total),
        ]);
        assert_eq!(
            outcomes[3..],
            [
                Ok(1),
                Ok(0),
                Ok(1),
                Ok(1),
                Ok(0),
                Ok(0),
                Ok(1),
                Ok(0),
                Ok(0)
            ]
        );
        assert_eq!(status_of(&stream), OrderStatus::Shipped);
        let updates: Vec<(&str, i64, i64)> = stream
            .iter()
            .filter_map(|event| match event {
                OrderEvent::PaymentUpdated(u) => Some((
                    u.payment_status.as_str(),
                    u.captured_minor,
                    u.refunded_minor,
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            updates,
            [
                ("captured", total, 0),
                ("partially-refunded", total, 1_000),
                ("refunded", total, total)
            ]
        );
        let payment = payment_of(&stream).unwrap();
        assert_eq!(payment.status, PaymentStatus::Refunded);
        assert_eq!(
            payment.payment_method_id,
            Some(visa()),
            "kept from the request"
        );
    }

    #[test]
    fn a_cancelled_order_records_its_void_and_an_unpaid_one_records_nothing() {
        let (stream, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockReserved,
            Command::RecordPaymentAuthorized,
            BY_CUSTOMER,
            Command::RecordPaymentFact(PaymentFact::Voided),
            Command::RecordPaymentFact(PaymentFact::Voided),
        ]);
        assert_eq!(outcomes[4..], [Ok(1), Ok(0)]);
        assert_eq!(status_of(&stream), OrderStatus::Cancelled);
        assert_eq!(payment_of(&stream).unwrap().status, PaymentStatus::Voided);

        // Stock rejected: no payment was ever requested, so there is none to record.
        let (stream, outcomes) = run(&[
            place(Uuid::new_v4()),
            Command::RecordStockRejected { lines: vec![] },
            captured(100),
            Command::RecordPaymentFact(PaymentFact::Voided),
        ]);
        assert_eq!(outcomes[2..], [Ok(0), Ok(0)]);
        assert_eq!(payment_of(&stream), None);
    }

    #[test]
    fn commands_on_a_missing_order_are_refused_and_placing_twice_is_too() {
        assert_eq!(
            decide(None, &Command::RecordStockReserved),
            Err(Refusal::NotFound)
        );
        let (_, outcomes) = run(&[place(Uuid::new_v4()), place(Uuid::new_v4())]);
        assert_eq!(outcomes[1], Err(Refusal::AlreadyPlaced));
    }
}
