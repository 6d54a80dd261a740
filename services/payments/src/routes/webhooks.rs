//! `POST /api/payments/webhooks/stripe`: the provider's events, public (the provider is not a
//! signed-in user) and authenticated by their `Stripe-Signature` instead.

use salvo::oapi::ToSchema;
use salvo::prelude::*;
use serde::Serialize;

use super::app;
use crate::app::WebhookOutcome;
use crate::error::PaymentsError;

/// Webhook bodies are small JSON events; anything larger is not one.
const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAnswer {
    /// `reconciled` (the payment was looked at again) or `ignored` (seen before, or not ours).
    pub outcome: String,
}

/// Receives a provider event (`payment_intent.succeeded`, `payment_intent.payment_failed`).
/// The raw body must carry a valid `Stripe-Signature` made with the endpoint's secret within
/// the last five minutes; otherwise 400 and nothing changes. An event delivered again is
/// acknowledged and changes nothing.
#[endpoint(
    tags("payments"),
    status_codes(200, 400, 500),
    responses((status_code = 200, description = "Received", body = WebhookAnswer))
)]
pub async fn receive_stripe(
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<WebhookAnswer>, PaymentsError> {
    let signature = req
        .headers()
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let payload = req
        .payload_with_max_size(MAX_BODY_BYTES)
        .await
        .map_err(|_| PaymentsError::MalformedWebhook)?
        .to_vec();
    let now = chrono::Utc::now().timestamp();
    let outcome = app(depot)?
        .webhook(signature.as_deref(), &payload, now)
        .await?;
    Ok(Json(WebhookAnswer {
        outcome: match outcome {
            WebhookOutcome::Reconciled => "reconciled",
            WebhookOutcome::Ignored => "ignored",
        }
        .to_owned(),
    }))
}
