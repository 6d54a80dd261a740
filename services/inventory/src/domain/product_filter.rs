//! What a catalogue listing is narrowed down by.

use super::{Category, FieldError};

/// The query parameter a client searches with.
const SEARCH_FIELD: &str = "q";

/// Longer than any product name worth searching for; beyond that it is not a search but a paste.
const SEARCH_MAX_CHARS: usize = 200;

/// Which active products a listing shows: all of them unless the client narrows it down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductFilter {
    pub category: Option<Category>,
    pub text: Option<SearchText>,
    /// Inclusive bounds on the price, in minor units.
    pub min_price_minor: Option<i64>,
    pub max_price_minor: Option<i64>,
    /// Only what can be bought now (something available).
    pub in_stock_only: bool,
}

impl ProductFilter {
    /// A bound on the price (`min_price`, `max_price`), in minor units: prices are never
    /// negative, so a negative bound is a client error rather than a filter that is always true.
    pub fn price_bound(field: &'static str, minor_units: i64) -> Result<i64, FieldError> {
        if minor_units < 0 {
            return Err(FieldError::new(field, "must not be negative"));
        }
        Ok(minor_units)
    }
}

/// What a shopper typed into the search box: at most 200 characters as sent, without NUL (which
/// PostgreSQL cannot take in text), then trimmed.
///
/// The rules apply to the text as sent, so the documented schema states them exactly.
#[derive(Debug, Clone, PartialEq, Eq, salvo::oapi::ToSchema)]
#[salvo(schema(max_length = 200, pattern = "^[^\\u0000]*$", example = "desk lamp"))]
pub struct SearchText(String);

impl SearchText {
    /// `None` for blank text: an empty search box is no search, not a search for nothing.
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        if raw.chars().count() > SEARCH_MAX_CHARS {
            return Err(FieldError::new(
                SEARCH_FIELD,
                format!("must be at most {SEARCH_MAX_CHARS} characters"),
            ));
        }
        if raw.contains('\0') {
            return Err(FieldError::new(
                SEARCH_FIELD,
                "must not contain NUL characters",
            ));
        }
        let text = raw.trim();
        Ok((!text.is_empty()).then(|| Self(text.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_trimmed_and_blank_is_no_search() {
        assert_eq!(
            SearchText::parse("  lamp ")
                .expect("valid")
                .map(|t| t.as_str().to_owned()),
            Some("lamp".to_owned())
        );
        assert_eq!(SearchText::parse(" \t "), Ok(None));
    }

    #[test]
    fn search_text_is_at_most_200_characters_as_sent() {
        assert!(SearchText::parse(&"茶".repeat(200)).is_ok());
        for raw in ["a".repeat(201), format!(" {} ", "a".repeat(199))] {
            assert_eq!(
                SearchText::parse(&raw),
                Err(FieldError::new("q", "must be at most 200 characters"))
            );
        }
    }

    #[test]
    fn search_text_has_no_nul() {
        assert_eq!(
            SearchText::parse("lamp\0"),
            Err(FieldError::new("q", "must not contain NUL characters"))
        );
    }

    #[test]
    fn price_bounds_are_not_negative() {
        assert_eq!(ProductFilter::price_bound("min_price", 0), Ok(0));
        assert_eq!(
            ProductFilter::price_bound("max_price", -1),
            Err(FieldError::new("max_price", "must not be negative"))
        );
    }
}
