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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32")]
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

/// Either range, from the same constant [`StockDelta::parse`] checks against: a range that
/// included 0 would call a delta valid that is refused.
impl salvo::oapi::ToSchema for StockDelta {
    fn to_schema(
        _components: &mut salvo::oapi::Components,
    ) -> salvo::oapi::RefOr<salvo::oapi::schema::Schema> {
        use salvo::oapi::schema::{BasicType, KnownFormat, SchemaFormat};
        let range = |minimum: i32, maximum: i32| {
            salvo::oapi::Object::new()
                .schema_type(BasicType::Integer)
                .format(SchemaFormat::KnownFormat(KnownFormat::Int32))
                .minimum(minimum)
                .maximum(maximum)
        };
        salvo::oapi::schema::OneOf::new()
            .item(range(-MAX_ABS, -1))
            .item(range(1, MAX_ABS))
            .description("Units added (positive) or removed (negative); never 0")
            .into()
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
    fn the_schema_leaves_out_0() {
        use salvo::oapi::ToSchema;
        let schema =
            serde_json::to_value(StockDelta::to_schema(&mut salvo::oapi::Components::new()))
                .expect("a schema serializes");
        let ranges: Vec<(i64, i64)> = schema["oneOf"]
            .as_array()
            .expect("two ranges")
            .iter()
            .map(|r| {
                (
                    r["minimum"].as_i64().unwrap_or(0),
                    r["maximum"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(ranges, [(-1_000_000, -1), (1, 1_000_000)]);
    }

    #[test]
    fn deserializing_applies_the_rules() {
        for json in ["0", "1000001", "-1000001", "2.5"] {
            assert!(serde_json::from_str::<StockDelta>(json).is_err(), "{json}");
        }
    }
}
