//! Stripe's API (PaymentIntents with manual capture, refunds), sent through the payments
//! sidecar's `bindings.http` output binding: the binding holds the URL and the secret key (from
//! the secret store), the service only says what to send. The requests are built by the pure
//! functions of [`requests`], so the contract test can send exactly these to stripe-mock.
//!
//! Form-encoded bodies, as Stripe's API takes them; the binding is invoked over Dapr's gRPC API,
//! which passes the body through as bytes (its HTTP API would wrap it in JSON).

use std::collections::HashMap;

use async_trait::async_trait;
use contracts::payment::{PaymentMethodId, PaymentMethodSummary};
use serde_json::Value;
use service_runtime::{Sidecar, SidecarError};
use uuid::Uuid;

use super::{
    AuthorizationRequest, PaymentGateway, ProviderError, ProviderPayment, ProviderPaymentState,
    ProviderRefund,
};

/// Stripe lists at most 100 objects per page.
const PAGE_SIZE: u32 = 100;
/// How far a search for a lost authorization pages back before giving up (50 000 payments).
const MAX_PAGES: usize = 500;

/// One request to Stripe's API, relative to the binding's URL (`…/v1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeRequest {
    pub method: HttpMethod,
    /// Path and query, e.g. `/payment_intents/pi_123/capture`.
    pub path: String,
    /// Form fields of a POST, in order.
    pub form: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}

impl StripeRequest {
    fn get(path: String) -> Self {
        Self {
            method: HttpMethod::Get,
            path,
            form: Vec::new(),
            idempotency_key: None,
        }
    }

    fn post(path: String, form: Vec<(String, String)>, idempotency_key: &str) -> Self {
        Self {
            method: HttpMethod::Post,
            path,
            form,
            idempotency_key: Some(idempotency_key.to_owned()),
        }
    }

    /// The body as Stripe reads it (`application/x-www-form-urlencoded`).
    pub fn body(&self) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.form)
            .finish()
            .into_bytes()
    }
}

/// Every request the service sends to Stripe, built here and nowhere else.
pub mod requests {
    use super::*;

    fn pair(key: &str, value: impl ToString) -> (String, String) {
        (key.to_owned(), value.to_string())
    }

    /// Creates and confirms a PaymentIntent with manual capture: the amount is authorized on
    /// the card now and captured when the order is confirmed. `payment_method_types[]=card`
    /// because the shop takes cards only and has no page to return to after a redirect; the
    /// order id goes into the metadata, so a lost answer can be found again.
    pub fn create_payment_intent(request: &AuthorizationRequest) -> StripeRequest {
        StripeRequest::post(
            "/payment_intents".into(),
            vec![
                pair("amount", request.amount_minor),
                pair("currency", request.currency.to_ascii_lowercase()),
                pair("payment_method", &request.payment_method),
                pair("payment_method_types[]", "card"),
                pair("capture_method", "manual"),
                pair("confirm", "true"),
                pair("metadata[order_id]", request.order_id),
            ],
            &request.idempotency_key,
        )
    }

    /// Captures the whole authorized amount.
    pub fn capture_payment_intent(payment_id: &str, idempotency_key: &str) -> StripeRequest {
        StripeRequest::post(
            format!("/payment_intents/{payment_id}/capture"),
            Vec::new(),
            idempotency_key,
        )
    }

    /// Cancels an uncaptured PaymentIntent, releasing the hold on the card.
    pub fn cancel_payment_intent(payment_id: &str, idempotency_key: &str) -> StripeRequest {
        StripeRequest::post(
            format!("/payment_intents/{payment_id}/cancel"),
            Vec::new(),
            idempotency_key,
        )
    }

    /// Refunds part or all of a captured PaymentIntent. The refund key (ours) and the order go
    /// into the metadata. (Stripe's `reason` only takes its own three values; ours is kept in
    /// the service's ledger.)
    pub fn create_refund(
        order_id: Uuid,
        payment_id: &str,
        amount_minor: i64,
        refund_key: &str,
    ) -> StripeRequest {
        StripeRequest::post(
            "/refunds".into(),
            vec![
                pair("payment_intent", payment_id),
                pair("amount", amount_minor),
                pair("metadata[order_id]", order_id),
                pair("metadata[refund_key]", refund_key),
            ],
            refund_key,
        )
    }

    pub fn retrieve_payment_intent(payment_id: &str) -> StripeRequest {
        StripeRequest::get(format!("/payment_intents/{payment_id}"))
    }

    pub fn list_payment_intents(starting_after: Option<&str>) -> StripeRequest {
        StripeRequest::get(match starting_after {
            Some(after) => format!("/payment_intents?limit={PAGE_SIZE}&starting_after={after}"),
            None => format!("/payment_intents?limit={PAGE_SIZE}"),
        })
    }

    pub fn list_refunds(payment_id: &str, starting_after: Option<&str>) -> StripeRequest {
        StripeRequest::get(match starting_after {
            Some(after) => format!(
                "/refunds?payment_intent={payment_id}&limit={PAGE_SIZE}&starting_after={after}"
            ),
            None => format!("/refunds?payment_intent={payment_id}&limit={PAGE_SIZE}"),
        })
    }

    pub fn retrieve_payment_method(id: &PaymentMethodId) -> StripeRequest {
        StripeRequest::get(format!("/payment_methods/{id}"))
    }
}

/// What Stripe answered: the HTTP status and the JSON body.
#[derive(Debug, Clone)]
pub struct StripeResponse {
    pub status: u16,
    pub body: Value,
}

/// Stripe through the sidecar's output binding named `binding`.
#[derive(Clone)]
pub struct StripeGateway {
    sidecar: Sidecar,
    binding: String,
}

impl StripeGateway {
    pub fn new(sidecar: Sidecar, binding: impl Into<String>) -> Self {
        Self {
            sidecar,
            binding: binding.into(),
        }
    }

    /// Sends one request through the binding. Non-2xx answers come back as responses (the
    /// component has `errorIfNot2XX: "false"`); an error is a failure to get any answer.
    pub async fn send(&self, request: &StripeRequest) -> Result<StripeResponse, ProviderError> {
        let mut metadata = HashMap::from([("path".to_owned(), request.path.clone())]);
        let operation = match request.method {
            HttpMethod::Get => "get",
            HttpMethod::Post => {
                metadata.insert(
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                );
                "post"
            }
        };
        if let Some(key) = &request.idempotency_key {
            metadata.insert("Idempotency-Key".into(), key.clone());
        }
        let response = self
            .sidecar
            .invoke_binding(&self.binding, operation, request.body(), metadata)
            .await
            .map_err(|error| match error {
                SidecarError::Unreachable(message) => ProviderError::Unavailable(message),
                other => ProviderError::Unavailable(other.to_string()),
            })?;
        let status = response
            .metadata
            .get("statusCode")
            .and_then(|code| code.parse::<u16>().ok())
            .ok_or_else(|| {
                ProviderError::Unavailable("the binding's answer has no statusCode".into())
            })?;
        let body = serde_json::from_slice(&response.data).unwrap_or(Value::Null);
        Ok(StripeResponse { status, body })
    }

    /// Sends and reads a 2xx body, mapping Stripe's errors to [`ProviderError`].
    async fn call(&self, request: &StripeRequest) -> Result<Value, ProviderError> {
        let response = self.send(request).await?;
        match response.status {
            200..=299 => Ok(response.body),
            status => Err(error_from(status, &response.body)),
        }
    }

    async fn call_payment(
        &self,
        request: &StripeRequest,
    ) -> Result<ProviderPayment, ProviderError> {
        let body = self.call(request).await?;
        payment_from(&body)
    }
}

/// Maps Stripe's error answer (`{"error": {"type", "code", "message", "payment_intent"}}`).
fn error_from(status: u16, body: &Value) -> ProviderError {
    let error = &body["error"];
    let message = error["message"]
        .as_str()
        .unwrap_or("no message from the provider")
        .to_owned();
    let code = error["code"].as_str().map(str::to_owned);
    match status {
        // 402: the card (or the payment method) was declined.
        402 => ProviderError::Declined {
            code,
            message,
            payment_id: error["payment_intent"]["id"].as_str().map(str::to_owned),
        },
        404 => ProviderError::NotFound(message),
        429 | 500..=599 => ProviderError::Unavailable(format!("{status}: {message}")),
        _ => ProviderError::Refused { status, message },
    }
}

fn payment_from(body: &Value) -> Result<ProviderPayment, ProviderError> {
    let id = body["id"]
        .as_str()
        .filter(|id| id.starts_with("pi_"))
        .ok_or_else(|| ProviderError::Unavailable(format!("not a PaymentIntent: {body}")))?;
    let status = body["status"].as_str().unwrap_or_default();
    let state = match status {
        "requires_capture" => ProviderPaymentState::Authorized,
        "succeeded" => ProviderPaymentState::Captured,
        "canceled" => ProviderPaymentState::Canceled,
        "requires_payment_method" if !body["last_payment_error"].is_null() => {
            ProviderPaymentState::Failed {
                code: body["last_payment_error"]["code"]
                    .as_str()
                    .map(str::to_owned),
                message: body["last_payment_error"]["message"]
                    .as_str()
                    .unwrap_or("the payment failed")
                    .to_owned(),
            }
        }
        other => ProviderPaymentState::Pending(other.to_owned()),
    };
    Ok(ProviderPayment {
        id: id.to_owned(),
        state,
        amount_minor: body["amount"].as_i64().unwrap_or_default(),
        amount_received_minor: amount_received(body, status),
        order_id: body["metadata"]["order_id"]
            .as_str()
            .and_then(|id| id.parse().ok()),
    })
}

/// What a PaymentIntent has taken. Stripe says it in `amount_received`; localstripe leaves that
/// field out, and shows it on the (expanded) latest charge instead. A captured PaymentIntent
/// without either took its whole amount (the service only ever captures in full).
fn amount_received(body: &Value, status: &str) -> i64 {
    if let Some(received) = body["amount_received"].as_i64() {
        return received;
    }
    if status != "succeeded" {
        return 0;
    }
    let charge = &body["latest_charge"];
    match (charge["captured"].as_bool(), charge["amount"].as_i64()) {
        (Some(true), Some(amount)) => amount,
        _ => body["amount"].as_i64().unwrap_or_default(),
    }
}

fn refund_from(body: &Value) -> Result<ProviderRefund, ProviderError> {
    let id = body["id"]
        .as_str()
        .filter(|id| id.starts_with("re_"))
        .ok_or_else(|| ProviderError::Unavailable(format!("not a Refund: {body}")))?;
    Ok(ProviderRefund {
        id: id.to_owned(),
        amount_minor: body["amount"].as_i64().unwrap_or_default(),
        refund_key: body["metadata"]["refund_key"].as_str().map(str::to_owned),
    })
}

/// One page of a list: its objects and the id to continue after, if there are more.
fn page(body: &Value) -> (Vec<Value>, Option<String>) {
    let items = body["data"].as_array().cloned().unwrap_or_default();
    let next = if body["has_more"].as_bool() == Some(true) {
        items
            .last()
            .and_then(|last| last["id"].as_str())
            .map(str::to_owned)
    } else {
        None
    };
    (items, next)
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    async fn payment_method(
        &self,
        id: &PaymentMethodId,
    ) -> Result<PaymentMethodSummary, ProviderError> {
        let body = self.call(&requests::retrieve_payment_method(id)).await?;
        let kind = body["type"].as_str().unwrap_or("card").to_owned();
        Ok(PaymentMethodSummary {
            id: id.clone(),
            brand: body[&kind]["brand"].as_str().map(str::to_owned),
            last4: body[&kind]["last4"].as_str().map(str::to_owned),
            kind,
        })
    }

    async fn authorize(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<ProviderPayment, ProviderError> {
        self.call_payment(&requests::create_payment_intent(request))
            .await
    }

    async fn capture(
        &self,
        payment_id: &str,
        idempotency_key: &str,
    ) -> Result<ProviderPayment, ProviderError> {
        self.call_payment(&requests::capture_payment_intent(
            payment_id,
            idempotency_key,
        ))
        .await
    }

    async fn void(
        &self,
        payment_id: &str,
        idempotency_key: &str,
    ) -> Result<ProviderPayment, ProviderError> {
        self.call_payment(&requests::cancel_payment_intent(
            payment_id,
            idempotency_key,
        ))
        .await
    }

    async fn refund(
        &self,
        order_id: Uuid,
        payment_id: &str,
        amount_minor: i64,
        refund_key: &str,
    ) -> Result<ProviderRefund, ProviderError> {
        let body = self
            .call(&requests::create_refund(
                order_id,
                payment_id,
                amount_minor,
                refund_key,
            ))
            .await?;
        refund_from(&body)
    }

    async fn payment(&self, payment_id: &str) -> Result<ProviderPayment, ProviderError> {
        self.call_payment(&requests::retrieve_payment_intent(payment_id))
            .await
    }

    async fn find_payment(&self, order_id: Uuid) -> Result<Option<ProviderPayment>, ProviderError> {
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let body = self
                .call(&requests::list_payment_intents(after.as_deref()))
                .await?;
            let (items, next) = page(&body);
            for item in &items {
                let payment = payment_from(item)?;
                if payment.order_id == Some(order_id) {
                    return Ok(Some(payment));
                }
            }
            match next {
                Some(next) => after = Some(next),
                None => return Ok(None),
            }
        }
        Err(ProviderError::Unavailable(format!(
            "no answer on whether order {order_id} was authorized within {MAX_PAGES} pages"
        )))
    }

    async fn find_refund(
        &self,
        payment_id: &str,
        refund_key: &str,
    ) -> Result<Option<ProviderRefund>, ProviderError> {
        let mut after: Option<String> = None;
        loop {
            let body = self
                .call(&requests::list_refunds(payment_id, after.as_deref()))
                .await?;
            let (items, next) = page(&body);
            for item in &items {
                let refund = refund_from(item)?;
                if refund.refund_key.as_deref() == Some(refund_key) {
                    return Ok(Some(refund));
                }
            }
            match next {
                Some(next) => after = Some(next),
                None => return Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorization_is_a_confirmed_manual_capture_payment_intent_with_the_order_id() {
        let order_id = Uuid::nil();
        let request = requests::create_payment_intent(&AuthorizationRequest {
            order_id,
            amount_minor: 4_990,
            currency: "EUR".into(),
            payment_method: PaymentMethodId::parse("pm_card_visa").expect("valid"),
            idempotency_key: "payment:x:authorize".into(),
        });
        assert_eq!(request.method, HttpMethod::Post);
        assert_eq!(request.path, "/payment_intents");
        assert_eq!(
            String::from_utf8(request.body()).expect("utf-8"),
            "amount=4990&currency=eur&payment_method=pm_card_visa&payment_method_types%5B%5D=card\
             &capture_method=manual&confirm=true\
             &metadata%5Border_id%5D=00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(
            request.idempotency_key.as_deref(),
            Some("payment:x:authorize")
        );
    }

    #[test]
    fn declines_not_found_and_outages_are_told_apart() {
        let decline = serde_json::json!({"error": {"code": "card_declined", "message": "Your card was declined."}});
        assert!(matches!(
            error_from(402, &decline),
            ProviderError::Declined { code: Some(code), .. } if code == "card_declined"
        ));
        assert!(matches!(
            error_from(404, &Value::Null),
            ProviderError::NotFound(_)
        ));
        assert!(matches!(
            error_from(503, &Value::Null),
            ProviderError::Unavailable(_)
        ));
        assert!(matches!(
            error_from(429, &Value::Null),
            ProviderError::Unavailable(_)
        ));
        assert!(matches!(
            error_from(400, &Value::Null),
            ProviderError::Refused { status: 400, .. }
        ));
    }

    #[test]
    fn what_was_taken_is_read_from_stripes_field_or_localstripes_charge() {
        let taken = |body: Value| {
            payment_from(&body)
                .expect("a PaymentIntent")
                .amount_received_minor
        };
        assert_eq!(
            taken(
                serde_json::json!({"id": "pi_1", "status": "succeeded", "amount": 900, "amount_received": 700})
            ),
            700
        );
        assert_eq!(
            taken(
                serde_json::json!({"id": "pi_1", "status": "succeeded", "amount": 900,
                "latest_charge": {"captured": true, "amount": 900}})
            ),
            900
        );
        assert_eq!(
            taken(
                serde_json::json!({"id": "pi_1", "status": "requires_capture", "amount": 900,
                "latest_charge": {"captured": false, "amount": 900}})
            ),
            0
        );
    }

    #[test]
    fn payment_intent_states_map_to_the_services_terms() {
        let state = |body: Value| payment_from(&body).expect("a PaymentIntent").state;
        assert_eq!(
            state(serde_json::json!({"id": "pi_1", "status": "requires_capture"})),
            ProviderPaymentState::Authorized
        );
        assert_eq!(
            state(serde_json::json!({"id": "pi_1", "status": "succeeded"})),
            ProviderPaymentState::Captured
        );
        assert_eq!(
            state(serde_json::json!({"id": "pi_1", "status": "canceled"})),
            ProviderPaymentState::Canceled
        );
        assert!(matches!(
            state(
                serde_json::json!({"id": "pi_1", "status": "requires_payment_method",
                "last_payment_error": {"code": "card_declined", "message": "declined"}})
            ),
            ProviderPaymentState::Failed { .. }
        ));
        assert!(payment_from(&serde_json::json!({"id": "re_1"})).is_err());
    }
}
