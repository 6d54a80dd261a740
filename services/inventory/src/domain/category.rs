//! The shelf a product sits on in the catalogue.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::FieldError;

const FIELD: &str = "category";

/// Short enough for a URL path segment and a filter chip.
const MAX_CHARS: usize = 50;

/// A category slug: 1 to 50 of `a-z`, `0-9` and `-`, starting and ending with a letter or a
/// digit, with no two hyphens in a row (`home-garden`).
///
/// The slug appears in URLs and query strings (`?category=home-garden`) and is compared as a
/// string, so there is one spelling per category: input is trimmed and lowercased. Anything
/// else (`Home & Garden`) is refused rather than turned into a slug, because guessing would
/// silently file products under a category nobody created. `Deserialize` goes through
/// [`Category::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, salvo::oapi::ToSchema)]
#[serde(try_from = "String")]
// Upper case is accepted (and lowercased), so the documented pattern admits it too: a schema
// stricter than the parser would call valid input invalid.
#[salvo(schema(
    min_length = 1,
    max_length = 50,
    pattern = "^[A-Za-z0-9](-?[A-Za-z0-9])*$",
    example = "home-garden"
))]
pub struct Category(String);

impl Category {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        // ASCII-only lowercasing: `É` must be refused below, not turned into `é`.
        let slug = raw.trim().to_ascii_lowercase();
        if slug.is_empty() {
            return Err(FieldError::new(FIELD, "is required"));
        }
        if !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(FieldError::new(
                FIELD,
                "must be a slug of letters a-z, digits and hyphens, e.g. home-garden",
            ));
        }
        // All ASCII from here on, so bytes and characters are the same count.
        if slug.len() > MAX_CHARS {
            return Err(FieldError::new(
                FIELD,
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        if slug.starts_with('-') || slug.ends_with('-') {
            return Err(FieldError::new(
                FIELD,
                "must start and end with a letter or a digit",
            ));
        }
        if slug.contains("--") {
            return Err(FieldError::new(
                FIELD,
                "must not contain two hyphens in a row",
            ));
        }
        Ok(Self(slug))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Category {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lowercases() {
        let category = Category::parse("  Home-Garden \n").expect("valid slug");
        assert_eq!(category.as_str(), "home-garden");
        assert_eq!(category.to_string(), "home-garden");
    }

    #[test]
    fn accepts_1_and_50_characters() {
        assert!(Category::parse("a").is_ok());
        assert!(Category::parse("9").is_ok());
        assert!(Category::parse(&"a".repeat(50)).is_ok());
    }

    #[test]
    fn rejects_51_characters() {
        let error = Category::parse(&"a".repeat(51)).expect_err("too long");
        assert_eq!(error.message, "must be at most 50 characters");
    }

    #[test]
    fn refuses_a_name_instead_of_a_slug() {
        for raw in ["Home & Garden", "home garden", "home_garden", "café", "ÉTÉ"] {
            let error = Category::parse(raw).expect_err("not a slug");
            assert_eq!(
                error,
                FieldError::new(
                    "category",
                    "must be a slug of letters a-z, digits and hyphens, e.g. home-garden"
                ),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn rejects_hyphens_at_the_ends_or_doubled() {
        for raw in ["-garden", "garden-", "-", "home--garden"] {
            assert!(Category::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn rejects_empty_and_blank() {
        for raw in ["", "  "] {
            assert_eq!(
                Category::parse(raw),
                Err(FieldError::new("category", "is required"))
            );
        }
    }

    #[test]
    fn round_trips_through_json_as_a_plain_string() {
        let category = Category::parse("Toys").expect("valid slug");
        let json = serde_json::to_string(&category).expect("serializes");
        assert_eq!(json, r#""toys""#);
        assert_eq!(
            serde_json::from_str::<Category>(&json).expect("valid"),
            category
        );
        assert!(serde_json::from_str::<Category>(r#""Home & Garden""#).is_err());
    }
}
