//! What clients ask for, as values that cannot hold invalid input. The HTTP layer reads the body
//! into its DTOs; `parse` here builds the domain value, listing every bad field at once.

use std::collections::HashSet;

use contracts::payment::PaymentMethodId;
use contracts::single_line_text;
use contracts::sku::{MAX_CHARS, MIN_CHARS};
use contracts::{FieldError, Sku};
use serde::Serialize;

pub const MAX_LINES: usize = 50;
pub const MAX_QUANTITY: u32 = 999;
/// Carriers' names and tracking numbers: what fits on a label and in a carrier's API.
pub const MAX_SHIPMENT_TEXT_CHARS: usize = 64;

/// An order to place: its lines and the payment method the customer's browser registered with
/// the provider. Whether the provider knows that payment method is payments' to say (see
/// `payments_client`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRequest {
    lines: RequestedLines,
    payment_method_id: PaymentMethodId,
}

impl OrderRequest {
    /// Every bad field at once: the lines' (see [`RequestedLines::parse`]), then
    /// `paymentMethodId`.
    pub fn parse(lines: &[(&str, u32)], payment_method_id: &str) -> Result<Self, Vec<FieldError>> {
        match (
            RequestedLines::parse(lines),
            PaymentMethodId::parse(payment_method_id),
        ) {
            (Ok(lines), Ok(payment_method_id)) => Ok(Self {
                lines,
                payment_method_id,
            }),
            (lines, payment_method_id) => {
                let mut errors = lines.err().unwrap_or_default();
                errors.extend(payment_method_id.err());
                Err(errors)
            }
        }
    }

    pub fn lines(&self) -> &RequestedLines {
        &self.lines
    }

    pub fn payment_method_id(&self) -> &PaymentMethodId {
        &self.payment_method_id
    }

    /// The request an Idempotency-Key is stored with and compared with on a retry
    /// (`{"lines":[{"sku","quantity"}],"paymentMethodId"}`): the same lines paid another way
    /// are another request.
    pub fn idempotency_body(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

/// One requested line: a SKU (in its one spelling, see `Sku`) and a quantity in range.
/// Whether the SKU exists and what it costs is inventory's to say (see `inventory_client`).
// Serialize: part of the request body an Idempotency-Key is stored with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestedLine {
    pub sku: Sku,
    pub quantity: u32,
}

/// The lines of an order to place: 1 to 50, each SKU once.
// Serialize: as the list of its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestedLines(Vec<RequestedLine>);

impl RequestedLines {
    /// `lines` are `(sku, quantity)` as the client sent them. Field names are the body's
    /// (`lines.sku`, `lines.quantity`) and each message names the line, counted from 1.
    pub fn parse(lines: &[(&str, u32)]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if lines.is_empty() || lines.len() > MAX_LINES {
            errors.push(FieldError::new(
                "lines",
                format!("between 1 and {MAX_LINES} lines"),
            ));
        }
        let mut seen = HashSet::new();
        let mut parsed = Vec::with_capacity(lines.len());
        for (position, &(sku, quantity)) in (1..).zip(lines) {
            // The SKU rule is the catalogue's (`contracts::Sku`); its reason is reworded to
            // name the line, as every message of this list does.
            let Ok(sku) = Sku::parse(sku) else {
                errors.push(FieldError::new(
                    "lines.sku",
                    format!(
                        "line {position}: a SKU is {MIN_CHARS} to {MAX_CHARS} of A-Z, 0-9 and -"
                    ),
                ));
                continue;
            };
            if quantity == 0 || quantity > MAX_QUANTITY {
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
            parsed.push(RequestedLine { sku, quantity });
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

/// A carrier and a tracking number, each single-line text of at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
}

impl Shipment {
    pub fn parse(carrier: &str, tracking_number: &str) -> Result<Self, Vec<FieldError>> {
        let carrier = single_line_text("carrier", carrier, MAX_SHIPMENT_TEXT_CHARS);
        let tracking_number =
            single_line_text("trackingNumber", tracking_number, MAX_SHIPMENT_TEXT_CHARS);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_normalised_and_every_bad_one_is_named() {
        let parsed = RequestedLines::parse(&[(" lamp-1 ", 2)]).unwrap();
        assert_eq!(parsed.lines()[0].sku.as_str(), "LAMP-1");

        let errors = RequestedLines::parse(&[("ok-1", 0), ("x", 1), ("OK-1", 1000)]).unwrap_err();
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
        assert!(RequestedLines::parse(&vec![("A-1", 1); 51]).is_err());
        assert!(RequestedLines::parse(&[("ÄBC", 1)]).is_err());
    }

    #[test]
    fn skus_follow_the_catalogues_rule() {
        for refused in ["-ABC", "AB--1", "AB", "AB_1"] {
            let errors = RequestedLines::parse(&[(refused, 1)]).expect_err(refused);
            assert_eq!(
                errors,
                [FieldError::new(
                    "lines.sku",
                    "line 1: a SKU is 3 to 32 of A-Z, 0-9 and -"
                )],
                "{refused}"
            );
        }
    }

    #[test]
    fn the_idempotency_body_is_each_line_as_sku_and_quantity_and_the_payment_method() {
        // Stored with each key and compared on a retry: its form must not change.
        let request = OrderRequest::parse(&[("lamp-1", 2)], "pm_card_visa").unwrap();
        assert_eq!(
            request.idempotency_body().unwrap(),
            r#"{"lines":[{"sku":"LAMP-1","quantity":2}],"paymentMethodId":"pm_card_visa"}"#
        );
        let paid_otherwise = OrderRequest::parse(&[("LAMP-1", 2)], "pm_card_mastercard").unwrap();
        assert_ne!(
            paid_otherwise.idempotency_body().unwrap(),
            request.idempotency_body().unwrap()
        );
    }

    #[test]
    fn a_bad_payment_method_is_named_after_the_lines() {
        let errors = OrderRequest::parse(&[("LAMP-1", 0)], "card_visa").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["lines.quantity", "paymentMethodId"]);
        let errors = OrderRequest::parse(&[("LAMP-1", 1)], "pm_").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["paymentMethodId"]);
        assert_eq!(
            OrderRequest::parse(&[("lamp-1", 1)], "pm_card_visa")
                .unwrap()
                .payment_method_id()
                .as_str(),
            "pm_card_visa"
        );
    }

    #[test]
    fn shipments_refuse_what_would_break_a_label() {
        assert_eq!(Shipment::parse(" DHL ", "JJD1").unwrap().carrier, "DHL");
        assert_eq!(Shipment::parse("", "a\nb").unwrap_err().len(), 2);
    }
}
