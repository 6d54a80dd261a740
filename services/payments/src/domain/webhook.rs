//! Stripe's webhook signatures: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the
//! MAC over `"<t>.<raw body>"` with the endpoint's secret (`whsec_…`). A signature older than the
//! tolerance is refused, so a captured request cannot be replayed later; a fresh duplicate is
//! the provider retrying, which the service absorbs by the event's id.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's own libraries default to five minutes.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Clone)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The header value for `payload` signed at `timestamp` (what the provider sends).
    pub fn sign(&self, timestamp: i64, payload: &[u8]) -> String {
        format!("t={timestamp},v1={}", hex(&self.mac(timestamp, payload)))
    }

    fn mac(&self, timestamp: i64, payload: &[u8]) -> Vec<u8> {
        let mut mac = self.hmac();
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        mac.finalize().into_bytes().to_vec()
    }

    fn hmac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length; this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_bytes()).expect("HMAC accepts any key")
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or not t=…,v1=…")]
    Malformed,
    #[error("the signature is older than {TOLERANCE_SECONDS} s (or from the future)")]
    OutsideTolerance,
    #[error("no v1 signature matches the payload")]
    Mismatch,
}

/// Checks `header` against `payload` at `now` (unix seconds). Any of several `v1` entries may
/// match (the provider sends one per active secret while a secret is being rolled).
pub fn verify_signature(
    secret: &WebhookSecret,
    header: &str,
    payload: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(unhex(value).ok_or(SignatureError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::OutsideTolerance);
    }
    let matches = signatures.iter().any(|signature| {
        let mut mac = secret.hmac();
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        // Constant-time comparison.
        mac.verify_slice(signature).is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn secret() -> WebhookSecret {
        WebhookSecret::new("whsec_test")
    }

    #[test]
    fn a_fresh_signature_of_the_payload_is_accepted() {
        let header = secret().sign(NOW - 10, b"{\"id\":\"evt_1\"}");
        assert_eq!(
            verify_signature(&secret(), &header, b"{\"id\":\"evt_1\"}", NOW),
            Ok(())
        );
    }

    #[test]
    fn matches_an_independently_computed_mac() {
        // python3: hmac.new(b"whsec_test", b'1800000000.{"id":"evt_1"}', hashlib.sha256).hexdigest()
        let header =
            "t=1800000000,v1=45705be2a45ab5acdd1395cc695e9e7073125385ec24194921c401dff44176f8";
        assert_eq!(secret().sign(NOW, b"{\"id\":\"evt_1\"}"), header);
        assert_eq!(
            verify_signature(&secret(), header, b"{\"id\":\"evt_1\"}", NOW),
            Ok(())
        );
    }

    #[test]
    fn another_payload_another_secret_or_an_old_timestamp_is_refused() {
        let header = secret().sign(NOW, b"{\"amount\":100}");
        assert_eq!(
            verify_signature(&secret(), &header, b"{\"amount\":1}", NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(
                &WebhookSecret::new("whsec_other"),
                &header,
                b"{\"amount\":100}",
                NOW
            ),
            Err(SignatureError::Mismatch)
        );
        let old = secret().sign(NOW - TOLERANCE_SECONDS - 1, b"{}");
        assert_eq!(
            verify_signature(&secret(), &old, b"{}", NOW),
            Err(SignatureError::OutsideTolerance)
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in [
            "",
            "v1=00",
            "t=abc,v1=00",
            &format!("t={NOW}"),
            &format!("t={NOW},v1=zz"),
        ] {
            assert_eq!(
                verify_signature(&secret(), header, b"{}", NOW),
                Err(SignatureError::Malformed),
                "{header:?}"
            );
        }
    }

    #[test]
    fn any_of_several_v1_signatures_may_match() {
        let good = secret().sign(NOW, b"{}");
        let v1 = good.split_once(",v1=").expect("v1").1;
        let header = format!("t={NOW},v1={},v1={v1}", "00".repeat(32));
        assert_eq!(verify_signature(&secret(), &header, b"{}", NOW), Ok(()));
    }
}
