//! Where an order is shipped to.

use serde::{Deserialize, Serialize};

use super::{CountryCode, FieldError};
use contracts::single_line_text;

// Limits generous enough for any real address, tight enough to fit a shipping label.
const RECIPIENT_MAX_CHARS: usize = 100;
const LINE_MAX_CHARS: usize = 200;
const CITY_MAX_CHARS: usize = 100;
const POSTAL_CODE_MAX_CHARS: usize = 20;

/// A shipping address as the client sent it, before any checks.
///
/// Every field defaults to empty, so a missing field is reported by [`ShippingAddress::parse`]
/// together with all other problems (a 422 listing each field) instead of failing
/// deserialization on the first one.
// The schema's bounds are literals (salvo's attributes take no constants); a test below checks
// them against the constants `parse` uses.
// Text fields carry the single-line rule as a pattern (some visible character, no control
// characters), so the document admits what `single_line_text` admits.
// The defaults are per field, not on the container: a container default would put an object of
// empty strings into the schema as its `default`, which the schema's own rules refuse.
#[derive(Debug, Clone, Default, Deserialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShippingAddressInput {
    #[serde(default)]
    #[salvo(schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub recipient: String,
    #[serde(default)]
    #[salvo(schema(
        required = true,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub line1: String,
    #[serde(default)]
    #[salvo(schema(max_length = 200, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$"))]
    pub line2: Option<String>,
    #[serde(default)]
    #[salvo(schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub city: String,
    #[serde(default)]
    #[salvo(schema(
        required = true,
        max_length = 20,
        pattern = r"^\s*[A-Za-z0-9 -]*[A-Za-z0-9-][A-Za-z0-9 -]*\s*$"
    ))]
    pub postal_code: String,
    /// Two letters, an ISO 3166-1 alpha-2 code (`DE`), in either case.
    // Only ASCII whitespace around them: `\s` would admit characters `trim` keeps.
    #[serde(default)]
    #[salvo(schema(required = true, pattern = r"^[ \t\n\r]*[A-Za-z]{2}[ \t\n\r]*$"))]
    pub country: String,
}

/// A shipping address whose every field has been trimmed and checked.
///
/// Fields are private, so the only way to build one from user input is
/// [`ShippingAddress::parse`]. The service never reads a single field: an address is stored as
/// JSONB and returned to the client whole (camelCase, like the API), so serde is its only way
/// out and there are no getters until something needs one. `Deserialize` trusts what it reads:
/// it exists only to load addresses we parsed and wrote ourselves, and re-checking them would
/// make old addresses unreadable whenever a rule gets stricter. Never deserialize a request
/// body into it; use [`ShippingAddressInput`].
///
/// Text fields may not contain control characters: a line break inside a field would print
/// as an extra line on the label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, salvo::oapi::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShippingAddress {
    recipient: String,
    line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line2: Option<String>,
    city: String,
    postal_code: String,
    country: CountryCode,
}

impl ShippingAddress {
    /// Checks every field and reports all that are invalid, not just the first.
    pub fn parse(input: ShippingAddressInput) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let recipient = keep_valid(
            single_line_text("recipient", &input.recipient, RECIPIENT_MAX_CHARS),
            &mut errors,
        );
        let line1 = keep_valid(
            single_line_text("line1", &input.line1, LINE_MAX_CHARS),
            &mut errors,
        );
        let line2 = keep_valid(
            optional_text("line2", input.line2.as_deref(), LINE_MAX_CHARS),
            &mut errors,
        );
        let city = keep_valid(
            single_line_text("city", &input.city, CITY_MAX_CHARS),
            &mut errors,
        );
        let postal_code = keep_valid(postal_code(&input.postal_code), &mut errors);
        let country = keep_valid(CountryCode::parse(&input.country), &mut errors);

        match (recipient, line1, line2, city, postal_code, country) {
            (
                Some(recipient),
                Some(line1),
                Some(line2),
                Some(city),
                Some(postal_code),
                Some(country),
            ) => Ok(Self {
                recipient,
                line1,
                line2,
                city,
                postal_code,
                country,
            }),
            _ => Err(errors),
        }
    }
}

/// The value if it is valid; otherwise `None`, with the reason added to `errors`.
fn keep_valid<T>(result: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    result.map_err(|error| errors.push(error)).ok()
}

/// Like [`single_line_text`], but absent or blank means `None`: forms send an empty string for an
/// input left empty, and we want one representation of "no second line".
fn optional_text(
    field: &'static str,
    raw: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => single_line_text(field, text, max_chars).map(Some),
    }
}

/// Postal codes differ by country (`10115`, `SW1A 1AA`, `1010-001`), so only the characters
/// they all share are allowed: ASCII letters, digits, spaces and hyphens.
fn postal_code(raw: &str) -> Result<String, FieldError> {
    const FIELD: &str = "postalCode";
    let code = single_line_text(FIELD, raw, POSTAL_CODE_MAX_CHARS)?;
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(FieldError::new(
            FIELD,
            "may contain only letters, digits, spaces and hyphens",
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_input() -> ShippingAddressInput {
        ShippingAddressInput {
            recipient: "Ann Example".to_owned(),
            line1: "Invalidenstraße 117".to_owned(),
            line2: Some("3. OG".to_owned()),
            city: "Berlin".to_owned(),
            postal_code: "10115".to_owned(),
            country: "de".to_owned(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|error| error.field).collect()
    }

    /// What the client and the JSONB column see: the only way an address is read.
    fn json(address: &ShippingAddress) -> serde_json::Value {
        serde_json::to_value(address).expect("an address serializes")
    }

    #[test]
    fn accepts_a_valid_address() {
        let address = ShippingAddress::parse(valid_input()).expect("valid address");
        assert_eq!(
            json(&address),
            serde_json::json!({
                "recipient": "Ann Example",
                "line1": "Invalidenstraße 117",
                "line2": "3. OG",
                "city": "Berlin",
                "postalCode": "10115",
                "country": "DE",
            })
        );
    }

    #[test]
    fn uppercases_the_country() {
        let address = ShippingAddress::parse(valid_input()).expect("valid address");
        assert_eq!(json(&address)["country"], "DE");
    }

    #[test]
    fn trims_every_field() {
        let input = ShippingAddressInput {
            recipient: "  Ann Example ".to_owned(),
            line1: "\tInvalidenstraße 117 ".to_owned(),
            line2: Some(" 3. OG ".to_owned()),
            city: " Berlin\n".to_owned(),
            postal_code: " 10115 ".to_owned(),
            country: " de ".to_owned(),
        };
        assert_eq!(
            ShippingAddress::parse(input).expect("valid address"),
            ShippingAddress::parse(valid_input()).expect("valid address"),
        );
    }

    #[test]
    fn rejects_an_invalid_country() {
        for country in ["DEU", "D", "1A", ""] {
            let input = ShippingAddressInput {
                country: country.to_owned(),
                ..valid_input()
            };
            let errors = ShippingAddress::parse(input).expect_err("invalid country");
            assert_eq!(fields(&errors), ["country"], "{country:?}");
        }
    }

    #[test]
    fn accepts_postal_codes_of_many_countries() {
        for postal_code in ["10115", "SW1A 1AA", "1010-001", "K1A 0B1"] {
            let input = ShippingAddressInput {
                postal_code: postal_code.to_owned(),
                ..valid_input()
            };
            assert!(ShippingAddress::parse(input).is_ok(), "{postal_code}");
        }
    }

    #[test]
    fn rejects_postal_codes_with_symbols() {
        for postal_code in [
            "10115!",
            "SW1A/1AA",
            "10_115",
            "1011€",
            "12345678901234567890X",
        ] {
            let input = ShippingAddressInput {
                postal_code: postal_code.to_owned(),
                ..valid_input()
            };
            let errors = ShippingAddress::parse(input).expect_err("invalid postal code");
            assert_eq!(fields(&errors), ["postalCode"], "{postal_code}");
        }
    }

    #[test]
    fn empty_or_missing_line2_is_none() {
        for line2 in [None, Some(""), Some("   ")] {
            let input = ShippingAddressInput {
                line2: line2.map(str::to_owned),
                ..valid_input()
            };
            let address = ShippingAddress::parse(input).expect("valid address");
            assert!(json(&address).get("line2").is_none(), "{line2:?}");
        }
    }

    #[test]
    fn enforces_length_limits_in_characters() {
        let at_limit = ShippingAddressInput {
            recipient: "é".repeat(100),
            line1: "é".repeat(200),
            line2: Some("é".repeat(200)),
            city: "é".repeat(100),
            postal_code: "1".repeat(20),
            ..valid_input()
        };
        assert!(ShippingAddress::parse(at_limit).is_ok());

        let over_limit = ShippingAddressInput {
            recipient: "é".repeat(101),
            line1: "é".repeat(201),
            line2: Some("é".repeat(201)),
            city: "é".repeat(101),
            postal_code: "1".repeat(21),
            ..valid_input()
        };
        let errors = ShippingAddress::parse(over_limit).expect_err("too long");
        assert_eq!(
            fields(&errors),
            ["recipient", "line1", "line2", "city", "postalCode"]
        );
    }

    #[test]
    fn rejects_control_characters() {
        let input = ShippingAddressInput {
            line1: "Invalidenstraße\n117".to_owned(),
            ..valid_input()
        };
        let errors = ShippingAddress::parse(input).expect_err("line break inside");
        assert_eq!(fields(&errors), ["line1"]);
    }

    #[test]
    fn reports_every_invalid_field_at_once() {
        let errors = ShippingAddress::parse(ShippingAddressInput::default())
            .expect_err("everything is missing");
        assert_eq!(
            fields(&errors),
            ["recipient", "line1", "city", "postalCode", "country"]
        );
        assert!(errors.iter().all(|error| error.message == "is required"));
    }

    #[test]
    fn input_with_missing_fields_deserializes_so_parse_can_report_them() {
        let input: ShippingAddressInput =
            serde_json::from_str(r#"{ "recipient": "Ann", "postalCode": "10115!" }"#)
                .expect("missing fields default to empty");
        let errors = ShippingAddress::parse(input).expect_err("incomplete");
        assert_eq!(fields(&errors), ["line1", "city", "postalCode", "country"]);
    }

    #[test]
    fn the_input_schema_states_the_limits_parse_enforces() {
        use salvo::oapi::ToSchema;
        let mut components = salvo::oapi::Components::new();
        let _ = ShippingAddressInput::to_schema(&mut components);
        let components = serde_json::to_value(components).expect("components serialize");
        let (_, schema) = components["schemas"]
            .as_object()
            .and_then(|schemas| {
                schemas
                    .iter()
                    .find(|(name, _)| name.ends_with("ShippingAddressInput"))
            })
            .expect("the input's schema");
        let properties = &schema["properties"];
        for (field, max) in [
            ("recipient", RECIPIENT_MAX_CHARS),
            ("line1", LINE_MAX_CHARS),
            ("line2", LINE_MAX_CHARS),
            ("city", CITY_MAX_CHARS),
            ("postalCode", POSTAL_CODE_MAX_CHARS),
        ] {
            assert_eq!(properties[field]["maxLength"], max, "{field}");
        }
    }

    #[test]
    fn round_trips_through_json() {
        let address = ShippingAddress::parse(valid_input()).expect("valid address");
        let back: ShippingAddress =
            serde_json::from_value(json(&address)).expect("an address deserializes");
        assert_eq!(back, address);
    }

    #[test]
    fn omits_an_absent_line2_from_json() {
        let input = ShippingAddressInput {
            line2: None,
            ..valid_input()
        };
        let address = ShippingAddress::parse(input).expect("valid address");
        let stored = json(&address);
        assert!(stored.get("line2").is_none());
        let back: ShippingAddress =
            serde_json::from_value(stored).expect("an address deserializes");
        assert_eq!(back, address);
    }
}
