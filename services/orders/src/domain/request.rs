//! Requests from clients, parsed into types that cannot hold invalid input. `validator` checks
//! the shape of a DTO; `parse` then builds the domain value, listing every bad field at once.

use std::collections::HashSet;

use salvo::oapi::ToSchema;
use serde::{Deserialize, Serialize};
use service_runtime::field_error::{FieldError, single_line_text};
use validator::Validate;

pub const MAX_LINES: usize = 50;
pub const MAX_QUANTITY: u32 = 999;

/// `POST /api/orders`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlaceOrderRequest {
    #[validate(length(min = 1, max = 50, message = "between 1 and 50 lines"))]
    pub lines: Vec<RequestedLineBody>,
}

// Serialize: validator reports a list's value with its length error.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestedLineBody {
    /// The product's SKU, as in the catalogue.
    #[salvo(schema(example = "LAMP-DESK-BLK"))]
    pub sku: String,
    /// 1 to 999.
    #[salvo(schema(minimum = 1, maximum = 999))]
    pub quantity: u32,
}

/// One requested line: a SKU in its one spelling (trimmed, uppercase) and a quantity in range.
/// Whether the SKU exists and what it costs is inventory's to say (see `inventory_client`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestedLine {
    pub sku: String,
    pub quantity: u32,
}

/// The lines of an order to place: 1 to 50, each SKU once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedLines(Vec<RequestedLine>);

impl RequestedLines {
    pub fn parse(lines: &[RequestedLineBody]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if lines.is_empty() || lines.len() > MAX_LINES {
            errors.push(FieldError::new(
                "lines",
                format!("between 1 and {MAX_LINES} lines"),
            ));
        }
        let mut seen = HashSet::new();
        let mut parsed = Vec::with_capacity(lines.len());
        for (index, line) in lines.iter().enumerate() {
            let position = index + 1;
            let sku = line.sku.trim().to_ascii_uppercase();
            if sku.len() < 3
                || sku.len() > 32
                || !sku
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
            {
                errors.push(FieldError::new(
                    "lines.sku",
                    format!("line {position}: a SKU is 3 to 32 of A-Z, 0-9 and -"),
                ));
                continue;
            }
            if line.quantity == 0 || line.quantity > MAX_QUANTITY {
                errors.push(FieldError::new(
                    "lines.quantity",
                    format!("line {position}: between 1 and {MAX_QUANTITY}"),
                ));
            }
            if !seen.insert(sku.clone()) {
                errors.push(FieldError::new(
                    "lines.sku",
                    format!("line {position}: {sku} is already on an earlier line"),
                ));
            }
            parsed.push(RequestedLine {
                sku,
                quantity: line.quantity,
            });
        }
        if errors.is_empty() {
            Ok(Self(parsed))
        } else {
            Err(errors)
        }
    }

    pub fn lines(&self) -> &[RequestedLine] {
        &self.0
    }
}

/// `POST /api/admin/orders/{id}/ship`.
// Validate: no field rules here; `Shipment::parse` checks both fields and reports them together.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShipOrderRequest {
    #[salvo(schema(example = "DHL"))]
    pub carrier: String,
    #[salvo(schema(example = "JJD000390007"))]
    pub tracking_number: String,
}

/// A carrier and a tracking number, each single-line text of at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
}

impl Shipment {
    pub fn parse(request: &ShipOrderRequest) -> Result<Self, Vec<FieldError>> {
        let carrier = single_line_text("carrier", &request.carrier, 64);
        let tracking_number = single_line_text("trackingNumber", &request.tracking_number, 64);
        match (carrier, tracking_number) {
            (Ok(carrier), Ok(tracking_number)) => Ok(Self {
                carrier,
                tracking_number,
            }),
            (carrier, tracking_number) => Err([carrier.err(), tracking_number.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

/// A client's `Idempotency-Key`: 1 to 255 visible ASCII characters (a UUID, typically).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const HEADER: &'static str = "idempotency-key";

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.is_empty() || raw.len() > 255 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(FieldError::new(
                "Idempotency-Key",
                "1 to 255 visible ASCII characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, quantity: u32) -> RequestedLineBody {
        RequestedLineBody {
            sku: sku.into(),
            quantity,
        }
    }

    #[test]
    fn lines_are_normalised_and_every_bad_one_is_named() {
        let parsed = RequestedLines::parse(&[line(" lamp-1 ", 2)]).unwrap();
        assert_eq!(parsed.lines()[0].sku, "LAMP-1");

        let errors = RequestedLines::parse(&[line("ok-1", 0), line("x", 1), line("OK-1", 1000)])
            .unwrap_err();
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "lines.quantity: line 1: between 1 and 999",
                "lines.sku: line 2: a SKU is 3 to 32 of A-Z, 0-9 and -",
                "lines.quantity: line 3: between 1 and 999",
                "lines.sku: line 3: OK-1 is already on an earlier line",
            ]
        );
        assert!(RequestedLines::parse(&[]).is_err());
        assert!(RequestedLines::parse(&vec![line("A-1", 1); 51]).is_err());
        assert!(RequestedLines::parse(&[line("ÄBC", 1)]).is_err());
    }

    #[test]
    fn shipments_and_idempotency_keys_refuse_what_would_break_a_label_or_a_header() {
        let ok = ShipOrderRequest {
            carrier: " DHL ".into(),
            tracking_number: "JJD1".into(),
        };
        assert_eq!(Shipment::parse(&ok).unwrap().carrier, "DHL");
        let bad = ShipOrderRequest {
            carrier: "".into(),
            tracking_number: "a\nb".into(),
        };
        assert_eq!(Shipment::parse(&bad).unwrap_err().len(), 2);

        assert!(IdempotencyKey::parse("6f1c0a52-7d1e-4d7e-9a55-3c8d1f0b9e21").is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    }
}
