//! What the users service publishes: `shop.user.registered.v1` on `user-events`, through the
//! transactional outbox so an event goes out if and only if the registration committed.

use contracts::user::UserRegistered;
use contracts::{pubsub, topics};
use service_runtime::EventEnvelope;
use service_runtime::outbox::{self, OutboxError};
use sqlx::PgConnection;

pub const SOURCE: &str = "shop/users";

pub async fn record_user_registered(
    connection: &mut PgConnection,
    event: &UserRegistered,
) -> Result<(), OutboxError> {
    let envelope = EventEnvelope::wrap(SOURCE, event)?;
    outbox::enqueue(connection, pubsub::EVENTS, topics::USER_EVENTS, &envelope).await
}
