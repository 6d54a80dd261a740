//! Integers in JSON request bodies, read the way JSON Schema defines them.
//!
//! JSON has one number type, and JSON Schema's `integer` is any number with no fractional part:
//! `3.0` is an integer to every client that follows the document (schemathesis sends it, and so
//! does JavaScript's `JSON.stringify(3.0)` in some runtimes' hands). serde refuses `3.0` for a
//! `u32`, which would answer a schema-valid request with 400. Fields documented as integers use
//! `#[serde(deserialize_with = "contracts::whole_number::deserialize")]`; `3.5` is still refused.

use std::fmt;

use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Deserializes a whole number into `T`, accepting `3` and `3.0` alike; out-of-range values and
/// fractions are errors.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    let value = deserializer.deserialize_any(WholeNumber)?;
    T::try_from(value)
        .map_err(|_| D::Error::custom(format!("{value} is out of range for this field")))
}

/// The same for an optional field (`null` or absent is `None`).
pub fn deserialize_option<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    struct Optional;
    impl<'de> Visitor<'de> for Optional {
        type Value = Option<i128>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number or null")
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(WholeNumber).map(Some)
        }
    }
    match deserializer.deserialize_option(Optional)? {
        None => Ok(None),
        Some(value) => T::try_from(value)
            .map(Some)
            .map_err(|_| D::Error::custom(format!("{value} is out of range for this field"))),
    }
}

struct WholeNumber;

impl Visitor<'_> for WholeNumber {
    type Value = i128;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<i128, E> {
        Ok(v.into())
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<i128, E> {
        Ok(v.into())
    }

    fn visit_i128<E: Error>(self, v: i128) -> Result<i128, E> {
        Ok(v)
    }

    fn visit_u128<E: Error>(self, v: u128) -> Result<i128, E> {
        i128::try_from(v).map_err(|_| E::custom("the number is too large"))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<i128, E> {
        // 2^63 is far beyond any amount or quantity, and below it an f64 that is whole converts
        // exactly.
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.2e18 {
            #[allow(clippy::cast_possible_truncation)]
            Ok(v as i128)
        } else {
            Err(E::custom(format!("{v} is not a whole number")))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Line {
        #[serde(deserialize_with = "super::deserialize")]
        quantity: u32,
        #[serde(default, deserialize_with = "super::deserialize_option")]
        price: Option<i64>,
    }

    fn parse(json: &str) -> Result<Line, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn whole_numbers_with_or_without_a_fraction_part_are_read() {
        assert_eq!(parse(r#"{"quantity": 3}"#).unwrap().quantity, 3);
        assert_eq!(parse(r#"{"quantity": 166.0}"#).unwrap().quantity, 166);
        assert_eq!(
            parse(r#"{"quantity": 1, "price": 250.0}"#).unwrap().price,
            Some(250)
        );
        assert_eq!(
            parse(r#"{"quantity": 1, "price": null}"#).unwrap().price,
            None
        );
        assert_eq!(parse(r#"{"quantity": 1}"#).unwrap().price, None);
    }

    #[test]
    fn fractions_strings_and_out_of_range_values_are_refused() {
        for json in [
            r#"{"quantity": 1.5}"#,
            r#"{"quantity": "3"}"#,
            r#"{"quantity": -1}"#,
            r#"{"quantity": 4294967296}"#,
            r#"{"quantity": 1e300}"#,
        ] {
            assert!(parse(json).is_err(), "{json}");
        }
    }
}
