//! HTTP in and out: each handler reads its request into domain types, calls one use case of the
//! [`App`] and renders the answer.

mod internal;
mod order_events;
mod params;
mod payments;
mod views;
mod webhooks;

use salvo::oapi::OpenApi;
use salvo::prelude::*;
use service_runtime::pubsub::SubscriptionList;

use crate::app::App;
use crate::error::PaymentsError;
use crate::events;

/// The whole service: customers' and administrators' payment routes, the provider's webhook,
/// this service's part of the OpenAPI document, the event subscriptions and the internal
/// payment-method check.
pub fn router(app: App) -> Router {
    let router = Router::new()
        .hoop(salvo::affix_state::inject(app))
        .push(Router::with_path("payments/orders/{order_id}").get(payments::get_my_payment))
        .push(Router::with_path("payments/webhooks/stripe").post(webhooks::receive_stripe))
        .push(
            Router::with_path("admin/payments")
                .get(payments::list_payments)
                .push(
                    Router::with_path("{order_id}")
                        .get(payments::get_payment)
                        .push(Router::with_path("refunds").post(payments::refund_payment)),
                ),
        );
    let openapi = OpenApi::new("shop payments", env!("CARGO_PKG_VERSION")).merge_router(&router);
    router
        .push(openapi.into_router("openapi.json"))
        .push(Router::with_path("dapr/subscribe").get(SubscriptionList(events::subscriptions())))
        .push(Router::with_path(events::ORDER_EVENTS_ROUTE).post(order_events::receive))
        .push(
            Router::with_path(format!(
                "{}/{{id}}",
                contracts::payment::PAYMENT_METHODS_METHOD
            ))
            .get(internal::payment_method),
        )
}

/// The use cases, injected into every request by [`router`].
fn app(depot: &Depot) -> Result<&App, PaymentsError> {
    depot
        .get_typed::<App>()
        .map_err(|_| PaymentsError::Internal(anyhow::anyhow!("the app is missing from the depot")))
}
