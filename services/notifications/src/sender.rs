//! Sends a stored message through the notifications sidecar's output bindings: `email`
//! (`bindings.smtp`) and `sms` (`bindings.twilio.sms`). See components/email.yaml and
//! components/sms.yaml for what each does with a call.

use std::collections::HashMap;
use std::sync::Arc;

use contracts::notification::Channel;
use service_runtime::Sidecar;
use tokio::sync::Mutex;

use crate::domain::{SendFailure, classify_failure};
use crate::store::Deliverable;

pub const EMAIL_BINDING: &str = "email";
pub const SMS_BINDING: &str = "sms";

#[derive(Clone)]
pub struct Sender {
    sidecar: Sidecar,
    /// One email at a time through this sidecar. The SMTP binding writes each call's `emailTo`
    /// and `subject` into the component's own settings before it sends (components-contrib
    /// v1.16.5, mergeWithRequestMetadata), so two calls at once could swap recipients.
    email_turn: Arc<Mutex<()>>,
}

impl Sender {
    pub fn new(sidecar: Sidecar) -> Self {
        Self {
            sidecar,
            email_turn: Arc::new(Mutex::new(())),
        }
    }

    /// Waits for the channel's turn: held across the send, and across the database work around
    /// it, so the email binding never sees two calls at once.
    pub async fn turn(&self, channel: Channel) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match channel {
            Channel::Email => Some(self.email_turn.lock().await),
            Channel::Sms => None,
        }
    }

    /// Hands the message to the provider. Only the caller holding the channel's [`turn`]
    /// may call this for an email.
    pub async fn send(&self, message: &Deliverable) -> Result<(), SendFailure> {
        let (binding, data, metadata) = match message.channel {
            Channel::Email => (
                EMAIL_BINDING,
                message.body_html.clone().unwrap_or_default(),
                // Exactly these two on every call, never emailCC/emailBCC/emailFrom/priority:
                // the binding keeps whatever a call sets for every later call.
                HashMap::from([
                    ("emailTo".to_owned(), message.recipient.clone()),
                    (
                        "subject".to_owned(),
                        message.subject.clone().unwrap_or_default(),
                    ),
                ]),
            ),
            Channel::Sms => (
                SMS_BINDING,
                message.body_text.clone(),
                HashMap::from([("toNumber".to_owned(), message.recipient.clone())]),
            ),
        };
        self.sidecar
            .invoke_binding(binding, "create", data.into_bytes(), metadata)
            .await
            .map(|_| ())
            .map_err(|error| classify_failure(message.channel, &error.to_string()))
    }
}
