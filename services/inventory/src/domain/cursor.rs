//! Where the next page of a product listing starts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{FieldError, Money, ProductName, ProductSort};

/// The query parameter a client passes the cursor back in.
const FIELD: &str = "cursor";

/// Far above the longest cursor we issue (a 200-character name of four-byte characters is
/// about 1 100 characters encoded), so only garbage is refused unread.
const MAX_ENCODED_LEN: usize = 2048;

/// Timestamps in a cursor are row creation times we wrote ourselves; anything outside these
/// years was not, and PostgreSQL cannot even store every year `chrono` can.
const CREATED_AT_YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// The sort key of the last product on a page: the value the listing is ordered by, one kind
/// per [`ProductSort`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CursorKey {
    /// For [`ProductSort::Name`].
    Name(String),
    /// Minor units of the price, for [`ProductSort::PriceAsc`] and [`ProductSort::PriceDesc`].
    Price(i64),
    /// For [`ProductSort::Newest`].
    CreatedAt(DateTime<Utc>),
}

impl CursorKey {
    /// Whether this is the kind of key `sort` orders by, with a value a product can have.
    fn fits(&self, sort: ProductSort) -> bool {
        match (self, sort) {
            (Self::Name(name), ProductSort::Name) => {
                ProductName::parse(name).is_ok_and(|parsed| parsed.as_str() == name)
            }
            (Self::Price(minor_units), ProductSort::PriceAsc | ProductSort::PriceDesc) => {
                (0..=Money::MAX_MINOR_UNITS).contains(minor_units)
            }
            (Self::CreatedAt(created_at), ProductSort::Newest) => {
                CREATED_AT_YEARS.contains(&created_at.year())
            }
            _ => false,
        }
    }
}

/// A keyset-pagination cursor: the sort key and id of the last product on a page, so the next
/// page is "the products after this one in this order".
///
/// Unlike an offset, a keyset cursor neither skips nor repeats products when others are added
/// or removed between two requests, and the database seeks to it through an index instead of
/// counting past every earlier row. The product id breaks ties between equal sort keys.
///
/// The fields are public so a listing can build the cursor from its last row; `key` must be
/// what `sort` orders by (see [`CursorKey`]). Clients treat the encoded form as opaque
/// ([`Cursor::encode`]): it is URL-safe base64 of compact JSON, which keeps it readable for us
/// when debugging but promises clients nothing. It is not signed, so [`Cursor::decode`] checks
/// everything in it, including that the key fits the sort; a forged cursor can at most point at
/// a different place in a listing the client may read anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: ProductSort,
    pub key: CursorKey,
    pub product_id: Uuid,
}

/// The JSON inside an encoded cursor.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EncodedCursor {
    sort: ProductSort,
    key: CursorKey,
    id: Uuid,
}

impl Cursor {
    /// The opaque form handed to the client: URL-safe base64 without padding, so it can go into
    /// a query string as it is.
    pub fn encode(&self) -> String {
        let encoded = EncodedCursor {
            sort: self.sort,
            key: self.key.clone(),
            id: self.product_id,
        };
        // Serializing plain enums, strings, integers and a UUID into memory cannot fail; an
        // empty cursor would be refused by `decode` and send the client back to the first page.
        let json = serde_json::to_vec(&encoded).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads a cursor the client sent back for a listing sorted by `expected_sort`.
    ///
    /// Refuses anything [`Cursor::encode`] would not have produced, and a cursor made for
    /// another sort order: its key means nothing in this one (a price is no position in a list
    /// sorted by name), and even between `price` and `-price` it would start the page in the
    /// wrong place.
    pub fn decode(encoded: &str, expected_sort: ProductSort) -> Result<Self, FieldError> {
        let garbage = || {
            FieldError::new(
                FIELD,
                "is not a cursor we issued; request the first page again without one",
            )
        };
        if encoded.len() > MAX_ENCODED_LEN {
            return Err(garbage());
        }
        let json = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| garbage())?;
        let cursor: EncodedCursor = serde_json::from_slice(&json).map_err(|_| garbage())?;
        if cursor.sort != expected_sort {
            return Err(FieldError::new(
                FIELD,
                format!(
                    "was made for sort={}, not sort={expected_sort}; request the first page \
                     again without a cursor",
                    cursor.sort
                ),
            ));
        }
        if !cursor.key.fits(cursor.sort) {
            return Err(garbage());
        }
        Ok(Self {
            sort: cursor.sort,
            key: cursor.key,
            product_id: cursor.id,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn product_id() -> Uuid {
        Uuid::parse_str("0190f5a8-7c1e-7d3a-9b2c-5e4f6a7b8c9d").expect("valid uuid")
    }

    fn created_at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 14, 15, 9, 26)
            .single()
            .expect("valid time")
            + chrono::Duration::microseconds(535_897)
    }

    /// One valid cursor for every sort.
    fn cursors() -> Vec<Cursor> {
        [
            (
                ProductSort::Name,
                CursorKey::Name("Tasse «Grüße» /?&".to_owned()),
            ),
            (ProductSort::PriceAsc, CursorKey::Price(1234)),
            (
                ProductSort::PriceDesc,
                CursorKey::Price(Money::MAX_MINOR_UNITS),
            ),
            (ProductSort::Newest, CursorKey::CreatedAt(created_at())),
        ]
        .into_iter()
        .map(|(sort, key)| Cursor {
            sort,
            key,
            product_id: product_id(),
        })
        .collect()
    }

    fn encode_json(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn assert_garbage(encoded: &str, sort: ProductSort) {
        let error = Cursor::decode(encoded, sort).expect_err("not a cursor we issued");
        assert_eq!(
            error,
            FieldError::new(
                "cursor",
                "is not a cursor we issued; request the first page again without one"
            ),
            "{encoded:?}"
        );
    }

    #[test]
    fn round_trips_for_every_sort() {
        for cursor in cursors() {
            let decoded = Cursor::decode(&cursor.encode(), cursor.sort).expect("valid cursor");
            assert_eq!(decoded, cursor);
            assert_eq!(decoded.product_id, product_id());
        }
    }

    #[test]
    fn keeps_the_key_exactly() {
        let [name, asc, desc, newest] = cursors().try_into().expect("one per sort");
        let decode = |cursor: Cursor| {
            Cursor::decode(&cursor.encode(), cursor.sort)
                .expect("valid cursor")
                .key
        };
        assert_eq!(
            decode(name),
            CursorKey::Name("Tasse «Grüße» /?&".to_owned())
        );
        assert_eq!(decode(asc), CursorKey::Price(1234));
        assert_eq!(decode(desc), CursorKey::Price(100_000_000_000));
        assert_eq!(decode(newest), CursorKey::CreatedAt(created_at()));
    }

    #[test]
    fn encodes_as_url_safe_base64_without_padding() {
        for cursor in cursors() {
            let encoded = cursor.encode();
            assert!(
                encoded
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{encoded}"
            );
        }
    }

    #[test]
    fn encodes_compact_json() {
        let cursor = Cursor {
            sort: ProductSort::PriceAsc,
            key: CursorKey::Price(1234),
            product_id: product_id(),
        };
        let json = URL_SAFE_NO_PAD.decode(cursor.encode()).expect("base64");
        assert_eq!(
            String::from_utf8(json).expect("utf-8"),
            r#"{"sort":"price","key":{"price":1234},"id":"0190f5a8-7c1e-7d3a-9b2c-5e4f6a7b8c9d"}"#
        );
    }

    #[test]
    fn refuses_a_cursor_of_another_sort() {
        for cursor in cursors() {
            for other in ProductSort::ALL.into_iter().filter(|&s| s != cursor.sort) {
                let error = Cursor::decode(&cursor.encode(), other).expect_err("other sort");
                assert_eq!(error.field, "cursor");
                assert_eq!(
                    error.message,
                    format!(
                        "was made for sort={}, not sort={other}; request the first page again \
                         without a cursor",
                        cursor.sort
                    )
                );
            }
        }
    }

    #[test]
    fn refuses_tampered_cursors() {
        let encoded = cursors()[1].encode();
        let mut flipped = encoded.clone().into_bytes();
        flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).expect("ascii");
        for tampered in [
            flipped,
            encoded[..encoded.len() - 3].to_owned(),
            format!("{encoded}="),
            format!("{encoded}!"),
            encoded.replace('_', "/"),
        ] {
            if tampered != encoded {
                assert_garbage(&tampered, ProductSort::PriceAsc);
            }
        }
    }

    #[test]
    fn refuses_garbage() {
        for garbage in [
            String::new(),
            "not a cursor".to_owned(),
            "%%%".to_owned(),
            encode_json("[]"),
            encode_json("null"),
            encode_json("{}"),
            "A".repeat(MAX_ENCODED_LEN + 1),
        ] {
            assert_garbage(&garbage, ProductSort::Name);
        }
    }

    #[test]
    fn refuses_a_key_that_does_not_fit_its_sort() {
        let id = "0190f5a8-7c1e-7d3a-9b2c-5e4f6a7b8c9d";
        for (sort, key) in [
            (ProductSort::Name, r#"{"price":1234}"#),
            (ProductSort::PriceAsc, r#"{"name":"Mug"}"#),
            (ProductSort::Newest, r#"{"price":1234}"#),
            (ProductSort::PriceAsc, r#"{"price":"1234"}"#),
            (ProductSort::PriceAsc, r#"{"price":12.34}"#),
        ] {
            let json = format!(r#"{{"sort":"{sort}","key":{key},"id":"{id}"}}"#);
            assert_garbage(&encode_json(&json), sort);
        }
    }

    #[test]
    fn refuses_key_values_no_product_can_have() {
        let id = "0190f5a8-7c1e-7d3a-9b2c-5e4f6a7b8c9d";
        for (sort, key) in [
            (ProductSort::Name, r#"{"name":""}"#),
            (ProductSort::Name, r#"{"name":" Mug"}"#),
            (ProductSort::Name, r#"{"name":"Mug\u0000"}"#),
            (ProductSort::PriceAsc, r#"{"price":-1}"#),
            (ProductSort::PriceDesc, r#"{"price":100000000001}"#),
            (ProductSort::Newest, r#"{"createdAt":"yesterday"}"#),
            (
                ProductSort::Newest,
                r#"{"createdAt":"+200000-01-01T00:00:00Z"}"#,
            ),
        ] {
            let json = format!(r#"{{"sort":"{sort}","key":{key},"id":"{id}"}}"#);
            assert_garbage(&encode_json(&json), sort);
        }
    }

    #[test]
    fn refuses_a_bad_id_or_unknown_fields() {
        for json in [
            r#"{"sort":"price","key":{"price":1},"id":"42"}"#,
            r#"{"sort":"price","key":{"price":1}}"#,
            r#"{"sort":"price","key":{"price":1},"id":"0190f5a8-7c1e-7d3a-9b2c-5e4f6a7b8c9d","admin":true}"#,
            r#"{"sort":"cheapest","key":{"price":1},"id":"0190f5a8-7c1e-7d3a-9b2c-5e4f6a7b8c9d"}"#,
        ] {
            assert_garbage(&encode_json(json), ProductSort::PriceAsc);
        }
    }

    #[test]
    fn a_cursor_whose_key_does_not_fit_its_sort_does_not_come_back() {
        // A bug in the code that builds cursors shows up as a refused cursor, not a wrong page.
        for (sort, key) in [
            (ProductSort::Name, CursorKey::Price(1)),
            (ProductSort::PriceDesc, CursorKey::Name("Mug".to_owned())),
            (ProductSort::Newest, CursorKey::Price(1)),
            (ProductSort::PriceAsc, CursorKey::Price(-1)),
        ] {
            let cursor = Cursor {
                sort,
                key,
                product_id: product_id(),
            };
            assert_garbage(&cursor.encode(), sort);
        }
    }
}
