//! The users service's domain: types that can only hold valid data, and the rules that decide
//! what valid means. No I/O here; handlers parse requests into these types once, and everything
//! after that can rely on them.
//!
//! Each `parse` reports problems as [`FieldError`]s named after the JSON field, ready for a 422
//! response that lists every invalid field.

mod address;
mod country_code;
pub mod display_name;
pub mod email;
mod error;
pub mod password;
mod phone;
mod profile_changes;
mod registration;
mod role;

pub use address::{ShippingAddress, ShippingAddressInput};
pub use country_code::CountryCode;
pub use display_name::DisplayName;
pub use email::Email;
pub use error::FieldError;
pub use password::Password;
pub use phone::PhoneNumber;
pub use profile_changes::{MAX_SHIPPING_ADDRESSES, ProfileChanges};
pub use registration::Registration;
pub use role::Role;
