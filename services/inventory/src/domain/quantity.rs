//! How many items of one product.

use serde::{Deserialize, Serialize};

use super::FieldError;

const FIELD: &str = "quantity";

/// More than any household orders of one product; a larger number is a typo or a bot, and the
/// cap keeps `price × quantity` (an order line's total) far from overflowing an `i64`.
const MAX: u32 = 10_000;

/// A number of items of one product: 1 to 10 000.
///
/// Zero is not a quantity anyone orders or reserves (removing a line is its own action), so it
/// is refused rather than carried around as a no-op. `Deserialize` applies the same rules as
/// [`Quantity::parse`]; the wire form is a plain integer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    salvo::oapi::ToSchema,
)]
#[serde(try_from = "u32")]
#[salvo(schema(minimum = 1, maximum = 10000, example = 2))]
pub struct Quantity(u32);

impl Quantity {
    pub fn parse(value: u32) -> Result<Self, FieldError> {
        if value == 0 {
            return Err(FieldError::new(FIELD, "must be at least 1"));
        }
        if value > MAX {
            return Err(FieldError::new(FIELD, format!("must be at most {MAX}")));
        }
        Ok(Self(value))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Quantity {
    type Error = FieldError;

    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_1_and_10000() {
        assert_eq!(Quantity::parse(1).expect("valid").get(), 1);
        assert_eq!(Quantity::parse(10_000).expect("valid").get(), 10_000);
    }

    #[test]
    fn rejects_0() {
        assert_eq!(
            Quantity::parse(0),
            Err(FieldError::new("quantity", "must be at least 1"))
        );
    }

    #[test]
    fn rejects_10001_and_more() {
        for value in [10_001, u32::MAX] {
            let error = Quantity::parse(value).expect_err("too many");
            assert_eq!(error.message, "must be at most 10000");
        }
    }

    #[test]
    fn round_trips_through_json_as_a_plain_integer() {
        let quantity = Quantity::parse(3).expect("valid");
        assert_eq!(serde_json::to_string(&quantity).expect("serializes"), "3");
        assert_eq!(
            serde_json::from_str::<Quantity>("3").expect("deserializes"),
            quantity
        );
    }

    #[test]
    fn deserializing_applies_the_rules() {
        for json in ["0", "10001", "-1", "1.5", r#""3""#] {
            assert!(serde_json::from_str::<Quantity>(json).is_err(), "{json}");
        }
    }
}
