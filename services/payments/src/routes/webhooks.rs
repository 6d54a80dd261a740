//! `POST /api/payments/webhooks/stripe`: the provider's events, public (the provider is not a
//! signed-in user) and authenticated by their `Stripe-Signature` instead.

use salvo::Extractible;
use salvo::extract::Metadata;
use salvo::oapi::{
    Components, EndpointArgRegister, Object, Operation, Parameter, ParameterIn, ToSchema,
    schema::BasicType,
};
use salvo::prelude::*;
use serde::Serialize;
use service_runtime::Problem;

use super::app;
use crate::app::WebhookOutcome;
use crate::error::PaymentsError;

/// Webhook bodies are small JSON events; anything larger is not one.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The `Stripe-Signature` header, as sent (checking it needs the raw body: the use case does).
/// Documented as required: without it a webhook is refused.
pub struct StripeSignature(Option<String>);

impl<'ex> Extractible<'ex> for StripeSignature {
    fn metadata() -> &'static Metadata {
        static METADATA: Metadata = Metadata::new("");
        &METADATA
    }

    #[allow(refining_impl_trait)]
    async fn extract(req: &'ex mut Request, _depot: &'ex mut Depot) -> Result<Self, Problem> {
        Ok(Self(
            req.headers()
                .get("stripe-signature")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
        ))
    }
}

impl EndpointArgRegister for StripeSignature {
    fn register(_components: &mut Components, operation: &mut Operation, _arg: &str) {
        operation.parameters.insert(
            Parameter::new("Stripe-Signature")
                .location(ParameterIn::Header)
                .description(
                    "`t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\" with the \
                     endpoint's secret>`, at most five minutes old",
                )
                .required(true)
                .schema(Object::new().schema_type(BasicType::String)),
        );
    }
}

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
    signature: StripeSignature,
    req: &mut Request,
    depot: &mut Depot,
) -> Result<Json<WebhookAnswer>, PaymentsError> {
    let payload = req
        .payload_with_max_size(MAX_BODY_BYTES)
        .await
        .map_err(|_| PaymentsError::MalformedWebhook)?
        .to_vec();
    let now = chrono::Utc::now().timestamp();
    let outcome = app(depot)?
        .webhook(signature.0.as_deref(), &payload, now)
        .await?;
    Ok(Json(WebhookAnswer {
        outcome: match outcome {
            WebhookOutcome::Reconciled => "reconciled",
            WebhookOutcome::Ignored => "ignored",
        }
        .to_owned(),
    }))
}
