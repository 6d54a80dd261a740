//! The inventory service's domain: types that can only hold valid data, and the rules that
//! decide what valid means and what a reservation decides. No I/O here; routes parse requests
//! into these types once, and everything after that can rely on them.
//!
//! Each `parse` reports problems as [`FieldError`]s named after the JSON field or query
//! parameter, ready for a 422 response that lists every invalid field.

mod category;
mod currency;
mod cursor;
mod error;
mod money;
mod product;
mod product_description;
mod product_filter;
mod product_name;
mod product_sort;
mod quantity;
mod reservation;
mod stock_delta;

pub use category::Category;
pub use contracts::Sku;
pub use currency::Currency;
pub use cursor::{Cursor, CursorKey};
pub use error::{FieldError, keep};
pub use money::Money;
pub use product::{NewProduct, PriceFields, ProductChanges};
pub use product_description::ProductDescription;
pub use product_filter::{ProductFilter, SearchText};
pub use product_name::ProductName;
pub use product_sort::ProductSort;
pub use quantity::Quantity;
pub use reservation::{
    ReservedLine, Settlement, StockPosition, Wanted, low_stock_after, shortfalls,
};
pub use stock_delta::StockDelta;
