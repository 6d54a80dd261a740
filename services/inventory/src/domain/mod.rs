//! The inventory service's domain: types that can only hold valid data, and the rules that
//! decide what valid means. No I/O here; handlers parse requests into these types once, and
//! everything after that can rely on them.
//!
//! Each `parse` reports problems as [`FieldError`]s named after the JSON field or query
//! parameter, ready for a 422 response that lists every invalid field.

// Stock reservations and admin adjustments (Quantity, StockDelta, Money arithmetic) are not
// wired up yet; until they are, parts of this module have no caller.
#![allow(dead_code)]

mod category;
mod currency;
mod cursor;
mod error;
mod money;
mod page_size;
mod product_description;
mod product_name;
mod product_sort;
mod quantity;
mod stock_delta;

pub use category::Category;
pub use currency::Currency;
pub use cursor::{Cursor, CursorKey};
pub use error::FieldError;
pub use money::Money;
pub use page_size::PageSize;
pub use product_description::ProductDescription;
pub use product_name::ProductName;
pub use product_sort::ProductSort;
pub use quantity::Quantity;
pub use contracts::Sku;
#[allow(unused_imports)] // For the admin stock adjustment, which has no route yet.
pub use stock_delta::StockDelta;
