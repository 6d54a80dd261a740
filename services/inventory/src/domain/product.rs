//! A product as an administrator creates or changes it.

use super::{Category, FieldError, Money, ProductDescription, ProductName, Sku, keep};

/// A product to add to the catalogue, every field valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    pub sku: Sku,
    pub name: ProductName,
    pub description: ProductDescription,
    pub category: Category,
    pub price: Money,
}

/// A price as a client writes it: minor units and a currency code.
#[derive(Debug, Clone, Copy)]
pub struct PriceFields<'a> {
    pub minor_units: i64,
    pub currency: &'a str,
}

impl PriceFields<'_> {
    fn parse(self) -> Result<Money, FieldError> {
        Money::parse(self.minor_units, self.currency)
    }
}

impl NewProduct {
    /// Every field parsed; the error lists each invalid one.
    pub fn parse(
        sku: &str,
        name: &str,
        description: &str,
        category: &str,
        price: PriceFields<'_>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let fields = (
            keep(Sku::parse(sku), &mut errors),
            keep(ProductName::parse(name), &mut errors),
            keep(ProductDescription::parse(description), &mut errors),
            keep(Category::parse(category), &mut errors),
            keep(price.parse(), &mut errors),
        );
        match fields {
            (Some(sku), Some(name), Some(description), Some(category), Some(price)) => Ok(Self {
                sku,
                name,
                description,
                category,
                price,
            }),
            _ => Err(errors),
        }
    }
}

/// Changes to a product; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductChanges {
    pub name: Option<ProductName>,
    pub description: Option<ProductDescription>,
    pub category: Option<Category>,
    pub price: Option<Money>,
    pub active: Option<bool>,
}

impl ProductChanges {
    /// Every given field parsed; the error lists each invalid one.
    pub fn parse(
        name: Option<&str>,
        description: Option<&str>,
        category: Option<&str>,
        price: Option<PriceFields<'_>>,
        active: Option<bool>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let changes = Self {
            name: name.and_then(|v| keep(ProductName::parse(v), &mut errors)),
            description: description.and_then(|v| keep(ProductDescription::parse(v), &mut errors)),
            category: category.and_then(|v| keep(Category::parse(v), &mut errors)),
            price: price.and_then(|v| keep(v.parse(), &mut errors)),
            active,
        };
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(errors)
        }
    }

    /// Taking a product out of the catalogue: it stays (orders refer to it) but is not listed.
    pub fn deactivate() -> Self {
        Self {
            active: Some(false),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor_units: i64) -> PriceFields<'static> {
        PriceFields {
            minor_units,
            currency: "eur",
        }
    }

    #[test]
    fn a_new_product_is_parsed_field_by_field() {
        let product = NewProduct::parse(" lamp-1 ", "Desk lamp", "", "Home", eur(1999))
            .expect("valid product");
        assert_eq!(product.sku.as_str(), "LAMP-1");
        assert_eq!(product.category.as_str(), "home");
        assert_eq!(product.price.to_string(), "19.99 EUR");
    }

    #[test]
    fn every_invalid_field_of_a_new_product_is_named() {
        let errors =
            NewProduct::parse("x", " ", "", "Home & Garden", eur(-1)).expect_err("invalid product");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["sku", "name", "category", "price"]);
    }

    #[test]
    fn a_price_with_an_unknown_currency_names_the_currency() {
        let price = PriceFields {
            minor_units: 100,
            currency: "EUO",
        };
        let errors = NewProduct::parse("LAMP-1", "Lamp", "", "home", price).expect_err("EUO");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "currency");
    }

    #[test]
    fn changes_parse_only_what_is_given() {
        let changes = ProductChanges::parse(None, None, Some("Toys"), None, Some(true))
            .expect("valid changes");
        assert_eq!(changes.category.map(|c| c.to_string()), Some("toys".into()));
        assert_eq!((changes.name, changes.active), (None, Some(true)));
        let errors = ProductChanges::parse(Some(""), None, None, Some(eur(-5)), None)
            .expect_err("invalid changes");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "price"]);
    }
}
