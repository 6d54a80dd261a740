//! The currencies the shop sells in.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;

const FIELD: &str = "currency";

/// A currency the shop sells in, named by its ISO 4217 alphabetic code.
///
/// This is an allow-list, not every ISO 4217 code: a price is only useful if the payment
/// provider, the tax tables and the accounts can handle its currency, and a typo such as `EUO`
/// is three valid-looking letters that would otherwise create a product nobody can pay for.
/// Adding a currency is a business decision, made here, in one place.
///
/// Each currency knows its minor unit ([`Currency::minor_unit_digits`]), so amounts are counted
/// in cents, pence or yen as integers and never as floats. Input is trimmed and uppercased
/// (`eur` is `EUR`); the wire form is the uppercase code, and `Deserialize` goes through
/// [`Currency::parse`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, salvo::oapi::ToSchema,
)]
#[serde(rename_all = "UPPERCASE", try_from = "String")]
pub enum Currency {
    Eur,
    Usd,
    Gbp,
    Chf,
    Sek,
    Jpy,
}

impl Currency {
    /// Every currency we sell in, in the order they are listed to people.
    pub const ALL: [Currency; 6] = [
        Self::Eur,
        Self::Usd,
        Self::Gbp,
        Self::Chf,
        Self::Sek,
        Self::Jpy,
    ];

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(FieldError::new(FIELD, "is required"));
        }
        if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(FieldError::new(
                FIELD,
                "must be a three-letter ISO 4217 currency code, e.g. EUR",
            ));
        }
        Self::ALL
            .into_iter()
            .find(|currency| currency.as_str() == code)
            .ok_or_else(|| {
                FieldError::new(
                    FIELD,
                    format!("must be one of the currencies we sell in: {}", Self::list()),
                )
            })
    }

    /// The ISO 4217 alphabetic code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eur => "EUR",
            Self::Usd => "USD",
            Self::Gbp => "GBP",
            Self::Chf => "CHF",
            Self::Sek => "SEK",
            Self::Jpy => "JPY",
        }
    }

    /// How many decimal digits the minor unit has (ISO 4217 "minor unit"): 2 for cents, 0 for
    /// the yen, which has no subdivision in use. `1234` minor units are `12.34 EUR` but
    /// `1234 JPY`.
    pub fn minor_unit_digits(self) -> u32 {
        match self {
            Self::Jpy => 0,
            Self::Eur | Self::Usd | Self::Gbp | Self::Chf | Self::Sek => 2,
        }
    }

    /// `EUR, USD, …` for error messages.
    fn list() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl TryFrom<String> for Currency {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_currency_from_its_code() {
        for currency in Currency::ALL {
            assert_eq!(Currency::parse(currency.as_str()), Ok(currency));
            assert_eq!(currency.to_string(), currency.as_str());
        }
    }

    #[test]
    fn trims_and_uppercases() {
        for raw in ["eur", "Eur", " EUR\n"] {
            assert_eq!(Currency::parse(raw), Ok(Currency::Eur), "{raw:?}");
        }
    }

    #[test]
    fn rejects_codes_outside_the_allow_list() {
        // `EUO` is a typo, `XAU` is gold: both are three letters, neither can be paid in.
        for raw in ["EUO", "XAU", "CNY"] {
            let error = Currency::parse(raw).expect_err("not sold in");
            assert_eq!(
                error.message,
                "must be one of the currencies we sell in: EUR, USD, GBP, CHF, SEK, JPY"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_a_three_letter_code() {
        for raw in ["EU", "EURO", "E1R", "€", "ÉUR", "978"] {
            let error = Currency::parse(raw).expect_err("not a code");
            assert_eq!(
                error.message, "must be a three-letter ISO 4217 currency code, e.g. EUR",
                "{raw:?}"
            );
        }
    }

    #[test]
    fn rejects_empty() {
        assert_eq!(
            Currency::parse(" "),
            Err(FieldError::new("currency", "is required"))
        );
    }

    #[test]
    fn knows_the_minor_unit() {
        assert_eq!(Currency::Jpy.minor_unit_digits(), 0);
        for currency in [
            Currency::Eur,
            Currency::Usd,
            Currency::Gbp,
            Currency::Chf,
            Currency::Sek,
        ] {
            assert_eq!(currency.minor_unit_digits(), 2, "{currency}");
        }
    }

    #[test]
    fn round_trips_through_json_as_the_uppercase_code() {
        for currency in Currency::ALL {
            let json = serde_json::to_string(&currency).expect("a Currency serializes");
            assert_eq!(json, format!("\"{}\"", currency.as_str()));
            let back: Currency = serde_json::from_str(&json).expect("a Currency deserializes");
            assert_eq!(back, currency);
        }
    }

    #[test]
    fn deserializing_applies_the_rules() {
        assert_eq!(
            serde_json::from_str::<Currency>(r#""jpy""#).expect("valid"),
            Currency::Jpy
        );
        assert!(serde_json::from_str::<Currency>(r#""EUO""#).is_err());
    }
}
