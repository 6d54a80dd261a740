//! Dapr's actor callback API: daprd calls these, never a client.

use salvo::http::StatusCode;
use salvo::prelude::*;
use service_runtime::Problem;
use tracing::Instrument;

use crate::actor::{ACTOR_RUNTIME_CONFIG, ActorError, OrderActor};

impl From<ActorError> for Problem {
    fn from(error: ActorError) -> Self {
        match error {
            // daprd treats 404 from a method as permanent: the right answer for a method we
            // lack or an id that can never be an order.
            ActorError::UnknownMethod(method) => {
                Problem::not_found(format!("OrderActor has no method {method}"))
            }
            ActorError::NotAnOrderId(id) => {
                Problem::not_found(format!("OrderActor ids are order ids, not {id:?}"))
            }
            ActorError::BadRequest { .. } => Problem::bad_request(error.to_string()),
            other => {
                tracing::error!(error = %other, "actor call failed");
                Problem::internal()
            }
        }
    }
}

fn actor(depot: &Depot) -> Result<&OrderActor, Problem> {
    depot
        .get_typed::<OrderActor>()
        .map_err(|_| Problem::internal())
}

fn param(req: &Request, name: &str) -> String {
    req.param::<String>(name).unwrap_or_default()
}

#[handler]
pub async fn actor_config(res: &mut Response) {
    res.render(Json(ACTOR_RUNTIME_CONFIG));
}

#[handler]
pub async fn invoke_method(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    let (actor_id, method) = (param(req, "actor_id"), param(req, "method"));
    let span = tracing::info_span!("actor", actor_id = %actor_id, method = %method);
    // `.instrument`, not `span.enter()`: an entered guard held across `.await` leaks the
    // span into whatever else the thread runs meanwhile.
    async {
        let body = req
            .payload()
            .await
            .map_err(|e| Problem::bad_request(format!("the method's body: {e}")))?
            .clone();
        let answer = actor(depot)?.call(&actor_id, &method, &body).await?;
        res.render(Json(answer));
        Ok(())
    }
    .instrument(span)
    .await
}

#[handler]
pub async fn reminder(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
) -> Result<(), Problem> {
    actor(depot)?
        .on_reminder(&param(req, "actor_id"), &param(req, "reminder"))
        .await?;
    // daprd wants a 200 for a handled reminder; an empty text body says there is no answer.
    res.status_code(StatusCode::OK);
    res.render(Text::Plain(""));
    Ok(())
}

/// We register no timers; answer 404 so daprd does not keep retrying one it thinks exists.
#[handler]
pub async fn timer(req: &mut Request) -> Problem {
    Problem::not_found(format!("OrderActor has no timer {}", param(req, "timer")))
}

/// Deactivation drops what this process keeps of the actor; its state is the stream, stored.
#[handler]
pub async fn deactivate(req: &mut Request, depot: &mut Depot, res: &mut Response) {
    let actor_id = param(req, "actor_id");
    if let Ok(actor) = actor(depot) {
        actor.deactivate(&actor_id);
    }
    tracing::debug!(%actor_id, "actor deactivated");
    res.status_code(StatusCode::OK);
    res.render(Text::Plain(""));
}
