//! Path and query values that handlers parse themselves, documented with the rules they are
//! parsed by.
//!
//! Deserializing a parameter straight into its domain type would let salvo deal with a bad value
//! before the handler runs: a bare 400 for a path segment, and for an optional query parameter
//! worse, the value read as absent. Parsed in the handler, it is a 422 naming the parameter,
//! next to every other invalid one, as this API has always answered; the document still states
//! the type's rules, from the type's own schema.

use std::marker::PhantomData;

use salvo::Request;
use salvo::oapi::extract::QueryParam;
use salvo::oapi::schema::{BasicType, KnownFormat, SchemaFormat};
use salvo::oapi::{Components, Object, RefOr, Schema, ToSchema};
use serde::{Deserialize, Deserializer};

use crate::domain::FieldError;

/// The text of a parameter that the handler parses into `T` (documented with `T`'s schema).
pub struct Unparsed<T> {
    raw: String,
    parses_into: PhantomData<T>,
}

impl<T> Unparsed<T> {
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl<'de, T> Deserialize<'de> for Unparsed<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self {
            raw: String::deserialize(deserializer)?,
            parses_into: PhantomData,
        })
    }
}

impl<T: ToSchema> ToSchema for Unparsed<T> {
    fn to_schema(components: &mut Components) -> RefOr<Schema> {
        T::to_schema(components)
    }
}

/// A bound on the price in a listing's query, in minor units; checked by
/// `ProductFilter::price_bound`, which refuses negative ones.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(transparent)]
pub struct PriceBound(pub i64);

impl ToSchema for PriceBound {
    fn to_schema(_components: &mut Components) -> RefOr<Schema> {
        Object::new()
            .schema_type(BasicType::Integer)
            .format(SchemaFormat::KnownFormat(KnownFormat::Int64))
            .minimum(0)
            .into()
    }
}

/// The value of an optional typed query parameter, refusing one that is present but malformed.
///
/// salvo's `QueryParam<T, false>` reads a value that does not parse as `T` as if it were absent
/// (`?limit=abc` would silently list the default page size), so the raw query tells the two
/// apart here: a malformed value is a field error naming the parameter, like any other bad one.
pub fn present_or_refused<T>(
    req: &Request,
    name: &'static str,
    parsed: QueryParam<T, false>,
    expected: &str,
) -> Result<Option<T>, FieldError> {
    match parsed.into_inner() {
        Some(value) => Ok(Some(value)),
        None if req.query::<String>(name).is_some() => {
            Err(FieldError::new(name, format!("must be {expected}")))
        }
        None => Ok(None),
    }
}
