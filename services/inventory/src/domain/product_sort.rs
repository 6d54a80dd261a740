//! The orders a product listing can be sorted in.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;

/// The query parameter a client chooses the order with.
const FIELD: &str = "sort";

/// The order of a product listing, as the client names it in `?sort=`: `name`, `price`
/// (cheapest first), `-price` (dearest first) or `newest`.
///
/// Ties are broken by product id in every order, so the order is total and keyset pagination
/// (see [`super::Cursor`]) neither skips nor repeats a product. The names are the wire form, in
/// the query string and inside cursors, so they must not change.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, salvo::oapi::ToSchema,
)]
pub enum ProductSort {
    /// Alphabetical by name.
    #[default]
    #[serde(rename = "name")]
    Name,
    /// Cheapest first.
    #[serde(rename = "price")]
    PriceAsc,
    /// Dearest first.
    #[serde(rename = "-price")]
    PriceDesc,
    /// Most recently added first.
    #[serde(rename = "newest")]
    Newest,
}

impl ProductSort {
    pub const ALL: [ProductSort; 4] = [Self::Name, Self::PriceAsc, Self::PriceDesc, Self::Newest];

    /// `None` (the parameter is absent) is the default order, by name. Names are matched
    /// exactly: they are identifiers from our API documentation, not text people type.
    pub fn parse(raw: Option<&str>) -> Result<Self, FieldError> {
        let Some(raw) = raw else {
            return Ok(Self::default());
        };
        Self::ALL
            .into_iter()
            .find(|sort| sort.as_str() == raw)
            .ok_or_else(|| FieldError::new(FIELD, "must be one of name, price, -price, newest"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::PriceAsc => "price",
            Self::PriceDesc => "-price",
            Self::Newest => "newest",
        }
    }
}

impl fmt::Display for ProductSort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_name() {
        assert_eq!(ProductSort::parse(Some("name")), Ok(ProductSort::Name));
        assert_eq!(ProductSort::parse(Some("price")), Ok(ProductSort::PriceAsc));
        assert_eq!(
            ProductSort::parse(Some("-price")),
            Ok(ProductSort::PriceDesc)
        );
        assert_eq!(ProductSort::parse(Some("newest")), Ok(ProductSort::Newest));
    }

    #[test]
    fn absent_is_by_name() {
        assert_eq!(ProductSort::parse(None), Ok(ProductSort::Name));
        assert_eq!(ProductSort::default(), ProductSort::Name);
    }

    #[test]
    fn rejects_unknown_names() {
        for raw in ["", "Name", "+price", "price_desc", "oldest", " name"] {
            assert_eq!(
                ProductSort::parse(Some(raw)),
                Err(FieldError::new(
                    "sort",
                    "must be one of name, price, -price, newest"
                )),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn round_trips_through_its_name_and_json() {
        for sort in ProductSort::ALL {
            assert_eq!(ProductSort::parse(Some(sort.as_str())), Ok(sort));
            assert_eq!(sort.to_string(), sort.as_str());
            let json = serde_json::to_string(&sort).expect("serializes");
            assert_eq!(json, format!("\"{}\"", sort.as_str()));
            assert_eq!(
                serde_json::from_str::<ProductSort>(&json).expect("valid"),
                sort
            );
        }
    }
}
