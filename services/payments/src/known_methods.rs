//! Payment methods the provider recently said it knows, remembered for a while.
//!
//! Orders asks payments about the customer's payment method on every placement, before it
//! stores the order. Asking the provider each time would put its latency on every placement and
//! spend its API rate limit (Stripe's is 100 reads/s in live mode) on a question whose answer
//! rarely changes. A method the provider knew a few minutes ago almost always still exists; if
//! it was detached meanwhile, the authorization fails and the order is cancelled with
//! `payment-failed`, which is what would happen to a method detached a second after the check.
//! Only positive answers are kept: an unknown method is asked about again next time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use contracts::payment::{PaymentMethodId, PaymentMethodSummary};

/// How long a positive answer is trusted.
const TRUSTED_FOR: Duration = Duration::from_secs(300);
/// Payment methods remembered at most; beyond it the expired ones go, then all.
const CAPACITY: usize = 50_000;

#[derive(Clone, Default)]
pub struct KnownPaymentMethods(
    Arc<Mutex<HashMap<PaymentMethodId, (PaymentMethodSummary, Instant)>>>,
);

impl KnownPaymentMethods {
    fn lock(&self) -> MutexGuard<'_, HashMap<PaymentMethodId, (PaymentMethodSummary, Instant)>> {
        // A panic while holding this lock cannot leave the map half-written.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What the provider said about `id` less than `TRUSTED_FOR` ago.
    pub fn get(&self, id: &PaymentMethodId) -> Option<PaymentMethodSummary> {
        self.lock()
            .get(id)
            .filter(|(_, at)| at.elapsed() < TRUSTED_FOR)
            .map(|(summary, _)| summary.clone())
    }

    pub fn remember(&self, summary: &PaymentMethodSummary) {
        let mut known = self.lock();
        if known.len() >= CAPACITY {
            known.retain(|_, (_, at)| at.elapsed() < TRUSTED_FOR);
            if known.len() >= CAPACITY {
                known.clear();
            }
        }
        known.insert(summary.id.clone(), (summary.clone(), Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_method_is_remembered_and_an_unknown_one_is_not() {
        let known = KnownPaymentMethods::default();
        let visa = PaymentMethodId::parse("pm_card_visa").unwrap();
        assert!(known.get(&visa).is_none());
        let summary = PaymentMethodSummary {
            id: visa.clone(),
            kind: "card".into(),
            brand: Some("visa".into()),
            last4: Some("4242".into()),
        };
        known.remember(&summary);
        assert_eq!(known.get(&visa), Some(summary));
        assert!(
            known
                .get(&PaymentMethodId::parse("pm_other").unwrap())
                .is_none()
        );
    }
}
