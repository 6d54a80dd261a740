//! An administrator's refund request: an amount of the captured money and a reason.

use contracts::{FieldError, single_line_text};
use sha2::{Digest, Sha256};

pub const MAX_REASON_CHARS: usize = 200;

/// A refund to carry out: a positive amount (at most what is left to refund, checked against
/// the payment) and a one-line reason for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub amount_minor: i64,
    pub reason: String,
}

impl RefundRequest {
    pub fn parse(amount_minor: i64, reason: &str) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if amount_minor <= 0 {
            errors.push(FieldError::new(
                "amountMinor",
                "a positive amount in minor units",
            ));
        }
        let reason = match single_line_text("reason", reason, MAX_REASON_CHARS) {
            Ok(reason) => Some(reason),
            Err(error) => {
                errors.push(error);
                None
            }
        };
        match reason {
            Some(reason) if errors.is_empty() => Ok(Self {
                amount_minor,
                reason,
            }),
            _ => Err(errors),
        }
    }
}

/// Which refund a request is: the client's `Idempotency-Key`, or else the request itself (a
/// double-click refunds once; two refunds of the same amount for the same reason need two
/// keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundKey(String);

impl RefundKey {
    pub fn new(idempotency_key: Option<&str>, request: &RefundRequest) -> Self {
        Self(match idempotency_key {
            Some(key) => format!("key:{key}"),
            None => {
                let digest =
                    Sha256::digest(format!("{}\n{}", request.amount_minor, request.reason));
                let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
                format!("request:{hex}")
            }
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_must_be_positive_and_reasons_one_line() {
        assert!(RefundRequest::parse(100, "damaged in transit").is_ok());
        let errors = RefundRequest::parse(0, "").expect_err("both wrong");
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["amountMinor", "reason"]);
        assert!(RefundRequest::parse(-5, "x").is_err());
        assert!(RefundRequest::parse(5, "two\nlines").is_err());
    }

    #[test]
    fn the_same_request_without_a_key_is_the_same_refund() {
        let request = RefundRequest::parse(500, "damaged").expect("valid");
        let other = RefundRequest::parse(501, "damaged").expect("valid");
        assert_eq!(
            RefundKey::new(None, &request),
            RefundKey::new(None, &request)
        );
        assert_ne!(RefundKey::new(None, &request), RefundKey::new(None, &other));
        assert_ne!(
            RefundKey::new(Some("a"), &request),
            RefundKey::new(Some("b"), &request)
        );
    }
}
