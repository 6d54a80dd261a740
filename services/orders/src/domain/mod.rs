//! The order domain, free of I/O: events (with their upcasters), the aggregate with its
//! decisions, what the order knows of its payment, the read model, and the request values that
//! cannot hold invalid input. Nothing here reads or writes anything or knows the store's record
//! types; the read model's types derive `ToSchema` only because they are, as they are, what the
//! API answers.

pub mod event;
pub mod order;
pub mod payment;
pub mod request;
pub mod view;

pub use event::OrderEvent;
pub use order::{CancelReason, Command, Order, OrderStatus, Refusal, Transition, decide};
pub use payment::{Payment, PaymentFact, PaymentStatus};
pub use view::OrderView;
