//! The order domain, free of I/O: events (with their upcasters), the aggregate with its
//! decisions, the read model, and the request types that cannot hold invalid input.

pub mod event;
pub mod order;
pub mod request;
pub mod view;

pub use event::OrderEvent;
pub use order::{CancelReason, Command, Order, OrderStatus, Refusal, decide};
pub use view::OrderView;
