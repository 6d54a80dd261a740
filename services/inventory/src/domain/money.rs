//! An amount of money: a product's price.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Currency, FieldError};

/// The only amount of money in the inventory API is a product's price, so that is the field a
/// client is told to fix.
const FIELD: &str = "price";

/// A non-negative amount in the minor unit of its currency (cents for EUR, yen for JPY).
///
/// Money is counted in whole minor units as an `i64` and never as a float: `0.1 + 0.2` is not
/// `0.3` in binary floating point, and a cent lost in rounding is a cent the books cannot
/// explain. It is never negative: prices and totals are not, and refunds are their own events
/// elsewhere, not negative prices here.
///
/// Every `Money` is at most [`Money::MAX_MINOR_UNITS`]; see there why.
///
/// The wire form is `{"minorUnits": 1234, "currency": "EUR"}`: an integer and a code, so no
/// client ever parses a decimal string or a float. `Deserialize` applies the same rules as
/// [`Money::new`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, salvo::oapi::ToSchema,
)]
// `deny_unknown_fields` changes nothing for serde (`MoneyFields` reads the wire form, and denies
// them itself); it is here so that the schema says so too (`additionalProperties: false`).
#[serde(
    rename_all = "camelCase",
    try_from = "MoneyFields",
    deny_unknown_fields
)]
pub struct Money {
    #[salvo(schema(minimum = 0, maximum = 100_000_000_000_i64, example = 1234))]
    minor_units: i64,
    currency: Currency,
}

impl Money {
    /// The largest amount we handle: 1 000 000 000.00 in a two-digit currency (a billion euros),
    /// 100 000 000 000 yen.
    ///
    /// No product or order comes near it, so reaching it means a typo (an extra zero or five)
    /// or an attack, and refusing is better than charging it. The cap also keeps every amount we
    /// publish exact where it ends up: it is far below 2^53, the largest integer a JavaScript
    /// client's `Number` holds exactly, and far below `i64::MAX`, so summing many capped amounts
    /// cannot overflow before the sum is checked against the cap.
    pub const MAX_MINOR_UNITS: i64 = 100_000_000_000;

    pub fn new(minor_units: i64, currency: Currency) -> Result<Self, FieldError> {
        if minor_units < 0 {
            return Err(FieldError::new(FIELD, "must not be negative"));
        }
        if minor_units > Self::MAX_MINOR_UNITS {
            let max = Self {
                minor_units: Self::MAX_MINOR_UNITS,
                currency,
            };
            return Err(FieldError::new(FIELD, format!("must be at most {max}")));
        }
        Ok(Self {
            minor_units,
            currency,
        })
    }

    /// A price as a client sends it: minor units and a currency code (see [`Currency::parse`]).
    pub fn parse(minor_units: i64, currency: &str) -> Result<Self, FieldError> {
        Self::new(minor_units, Currency::parse(currency)?)
    }

    pub fn minor_units(&self) -> i64 {
        self.minor_units
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }
}

/// `12.34 EUR`, `1200 JPY`: the major unit, as many decimals as the currency has, and the code.
/// For people (emails, logs); the API sends the [`Money`] wire form instead.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.currency.minor_unit_digits();
        if digits == 0 {
            return write!(f, "{} {}", self.minor_units, self.currency);
        }
        let per_major_unit = 10_i64.pow(digits);
        write!(
            f,
            "{}.{:0width$} {}",
            self.minor_units / per_major_unit,
            self.minor_units % per_major_unit,
            self.currency,
            width = digits as usize,
        )
    }
}

/// What the wire form deserializes into before [`Money::new`] checks it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MoneyFields {
    minor_units: i64,
    currency: Currency,
}

impl TryFrom<MoneyFields> for Money {
    type Error = FieldError;

    fn try_from(fields: MoneyFields) -> Result<Self, Self::Error> {
        Self::new(fields.minor_units, fields.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor_units: i64) -> Money {
        Money::new(minor_units, Currency::Eur).expect("valid amount")
    }

    #[test]
    fn accepts_zero_and_the_cap() {
        assert_eq!(eur(0).minor_units(), 0);
        let max = eur(Money::MAX_MINOR_UNITS);
        assert_eq!(max.minor_units(), 100_000_000_000);
        assert_eq!(max.currency(), Currency::Eur);
    }

    #[test]
    fn rejects_negative_amounts() {
        for minor_units in [-1, i64::MIN] {
            let error = Money::new(minor_units, Currency::Eur).expect_err("negative");
            assert_eq!(error, FieldError::new("price", "must not be negative"));
        }
    }

    #[test]
    fn rejects_amounts_above_the_cap() {
        let error =
            Money::new(Money::MAX_MINOR_UNITS + 1, Currency::Eur).expect_err("above the cap");
        assert_eq!(error.message, "must be at most 1000000000.00 EUR");
        let error = Money::new(i64::MAX, Currency::Jpy).expect_err("above the cap");
        assert_eq!(error.message, "must be at most 100000000000 JPY");
    }

    #[test]
    fn displays_with_the_currency_decimals() {
        assert_eq!(eur(1234).to_string(), "12.34 EUR");
        assert_eq!(eur(5).to_string(), "0.05 EUR");
        assert_eq!(eur(0).to_string(), "0.00 EUR");
        assert_eq!(eur(100).to_string(), "1.00 EUR");
        let usd = Money::new(199_999, Currency::Usd).expect("valid amount");
        assert_eq!(usd.to_string(), "1999.99 USD");
    }

    #[test]
    fn displays_yen_without_decimals() {
        let yen = Money::new(1200, Currency::Jpy).expect("valid amount");
        assert_eq!(yen.to_string(), "1200 JPY");
        let yen = Money::new(0, Currency::Jpy).expect("valid amount");
        assert_eq!(yen.to_string(), "0 JPY");
    }

    #[test]
    fn serializes_minor_units_and_currency() {
        let json = serde_json::to_value(eur(1234)).expect("Money serializes");
        assert_eq!(
            json,
            serde_json::json!({ "minorUnits": 1234, "currency": "EUR" })
        );
        let back: Money = serde_json::from_value(json).expect("Money deserializes");
        assert_eq!(back, eur(1234));
    }

    #[test]
    fn deserializing_applies_the_rules() {
        for json in [
            r#"{"minorUnits": -1, "currency": "EUR"}"#,
            r#"{"minorUnits": 100000000001, "currency": "EUR"}"#,
            r#"{"minorUnits": 12.34, "currency": "EUR"}"#,
            r#"{"minorUnits": 1234, "currency": "EUO"}"#,
            r#"{"minorUnits": 1234}"#,
            r#"{"minorUnits": 1234, "currency": "EUR", "amount": 12.34}"#,
        ] {
            assert!(serde_json::from_str::<Money>(json).is_err(), "{json}");
        }
    }
}
