//! A correction an admin makes to a product's stock.

use serde::{Deserialize, Serialize};

use super::FieldError;

const FIELD: &str = "delta";

/// A million items either way covers any real delivery or write-off; beyond that it is a typo
/// (a barcode scanned into the wrong field), and an `i32` sum of such corrections stays far
/// from overflowing.
const MAX_ABS: i32 = 1_000_000;

/// How much to add to (positive) or remove from (negative) a product's stock in one admin
/// adjustment: non-zero, at most 1 000 000 either way.
///
/// Zero is refused because an adjustment that changes nothing would still write a ledger entry
/// and look like a real correction in the audit trail. `Deserialize` applies the same rules as
/// [`StockDelta::parse`]; the wire form is a plain integer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, salvo::oapi::ToSchema,
)]
#[serde(try_from = "i32")]
#[salvo(schema(minimum = -1000000, maximum = 1000000, example = -3))]
pub struct StockDelta(i32);

impl StockDelta {
    pub fn parse(value: i32) -> Result<Self, FieldError> {
        if value == 0 {
            return Err(FieldError::new(FIELD, "must not be 0"));
        }
        // `unsigned_abs`: `i32::MIN.abs()` would overflow.
        if value.unsigned_abs() > MAX_ABS.unsigned_abs() {
            return Err(FieldError::new(
                FIELD,
                format!("must be between -{MAX_ABS} and {MAX_ABS}"),
            ));
        }
        Ok(Self(value))
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl TryFrom<i32> for StockDelta {
    type Error = FieldError;

    fn try_from(value: i32) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_limits_both_ways() {
        for value in [1, -1, 1_000_000, -1_000_000] {
            assert_eq!(StockDelta::parse(value).expect("valid").get(), value);
        }
    }

    #[test]
    fn rejects_0() {
        assert_eq!(
            StockDelta::parse(0),
            Err(FieldError::new("delta", "must not be 0"))
        );
    }

    #[test]
    fn rejects_beyond_a_million_either_way() {
        for value in [1_000_001, -1_000_001, i32::MAX, i32::MIN] {
            let error = StockDelta::parse(value).expect_err("too large");
            assert_eq!(error.message, "must be between -1000000 and 1000000");
        }
    }

    #[test]
    fn round_trips_through_json_as_a_plain_integer() {
        let delta = StockDelta::parse(-3).expect("valid");
        assert_eq!(serde_json::to_string(&delta).expect("serializes"), "-3");
        assert_eq!(
            serde_json::from_str::<StockDelta>("-3").expect("deserializes"),
            delta
        );
    }

    #[test]
    fn deserializing_applies_the_rules() {
        for json in ["0", "1000001", "-1000001", "2.5"] {
            assert!(serde_json::from_str::<StockDelta>(json).is_err(), "{json}");
        }
    }
}
