//! The rules of notifications, without I/O: what an event means for whom, on which channel, in
//! which language; how money reads; which send failures are worth another try.

mod delivery;
mod language;
mod message;
mod money;
mod preferences;
mod trigger;

pub use delivery::{SendFailure, classify_failure};
pub use language::Language;
pub use message::{Category, MessageKind, NotificationStatus, notification_id};
pub use money::format_amount;
pub use preferences::{Preferences, SmsChoices};
pub use trigger::{CancelReason, OrderSummary, SummaryLine, Trigger};
