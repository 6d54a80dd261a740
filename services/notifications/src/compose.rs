//! From an event to the messages it causes: who gets what, on which channel, rendered in their
//! language. Pure: the caller has fetched the recipients, the order summary and the templates.

use contracts::notification::Channel;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{
    Language, MessageKind, OrderSummary, Preferences, Trigger, format_amount, notification_id,
};
use crate::templates::{RenderError, Templates};

/// Someone a message goes to.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    /// The customer; `None` for the shop's administrators.
    pub user_id: Option<Uuid>,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub preferences: Preferences,
}

/// One message, rendered, ready to be stored and queued.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedMessage {
    pub notification_id: Uuid,
    pub kind: MessageKind,
    pub channel: Channel,
    pub user_id: Option<Uuid>,
    pub recipient: String,
    pub language: Language,
    /// Email only: its subject and HTML body.
    pub subject: Option<String>,
    pub body_html: Option<String>,
    /// The plain-text body of an email, or the text message.
    pub body_text: String,
}

/// What the templates see. A part a kind has no use for is left out, so a template that names
/// it fails to render (strict undefined behaviour) instead of printing a blank.
#[derive(Debug, Serialize)]
pub struct MessageContext {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipment: Option<ShipmentContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund: Option<RefundContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockContext>,
}

#[derive(Debug, Serialize)]
pub struct OrderContext {
    /// What customers read and quote: the first eight hex digits of the id, upper case.
    pub number: String,
    pub id: Uuid,
    pub lines: Vec<LineContext>,
    pub total: String,
}

#[derive(Debug, Serialize)]
pub struct LineContext {
    pub sku: String,
    pub quantity: u32,
    pub unit_price: String,
    pub line_total: String,
}

#[derive(Debug, Serialize)]
pub struct ShipmentContext {
    pub carrier: String,
    pub tracking_number: String,
}

#[derive(Debug, Serialize)]
pub struct RefundContext {
    pub amount: String,
    pub total_refunded: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct StockContext {
    pub sku: String,
    pub available: i64,
    pub threshold: i64,
}

/// The order number customers see: `3F2A9C1B` for `3f2a9c1b-…`.
pub fn order_number(order_id: Uuid) -> String {
    order_id.simple().to_string()[..8].to_ascii_uppercase()
}

fn order_context(summary: &OrderSummary, language: Language) -> OrderContext {
    let money = |minor: i64| format_amount(minor, &summary.currency, language);
    OrderContext {
        number: order_number(summary.order_id),
        id: summary.order_id,
        lines: summary
            .lines
            .iter()
            .map(|line| LineContext {
                sku: line.sku.clone(),
                quantity: line.quantity,
                unit_price: money(line.unit_price_minor),
                line_total: money(
                    line.unit_price_minor
                        .saturating_mul(i64::from(line.quantity)),
                ),
            })
            .collect(),
        total: money(summary.total_minor),
    }
}

/// The context of one message of `trigger` for someone called `name`, in `language`.
pub fn context(
    trigger: &Trigger,
    summary: Option<&OrderSummary>,
    name: &str,
    language: Language,
) -> MessageContext {
    let mut context = MessageContext {
        name: name.to_owned(),
        order: summary.map(|summary| order_context(summary, language)),
        shipment: None,
        cancellation: None,
        refund: None,
        stock: None,
    };
    match trigger {
        Trigger::Shipped(shipped) => {
            context.shipment = Some(ShipmentContext {
                carrier: shipped.carrier.clone(),
                tracking_number: shipped.tracking_number.clone(),
            });
        }
        Trigger::Cancelled { reason, .. } => context.cancellation = Some(reason.code().to_owned()),
        Trigger::Refunded(refund) => {
            let money = |minor: i64| format_amount(minor, &refund.currency, language);
            context.refund = Some(RefundContext {
                amount: money(refund.amount_minor),
                total_refunded: money(refund.total_refunded_minor),
                reason: refund.reason.clone(),
            });
        }
        Trigger::StockLow(low) => {
            context.stock = Some(StockContext {
                sku: low.sku.clone(),
                available: low.available,
                threshold: low.threshold,
            });
        }
        Trigger::Registered(_) | Trigger::Placed(_) | Trigger::Confirmed(_) => {}
    }
    context
}

/// Every message `trigger` (the event `event_id`) causes for `recipients`.
pub fn plan(
    templates: &Templates,
    event_id: &str,
    trigger: &Trigger,
    summary: Option<&OrderSummary>,
    recipients: &[Recipient],
) -> Result<Vec<PlannedMessage>, RenderError> {
    let kind = trigger.kind();
    let mut messages = Vec::new();
    for recipient in recipients {
        let language = recipient.preferences.language;
        let context = context(trigger, summary, &recipient.name, language);
        let recipient_key = recipient
            .user_id
            .map_or_else(|| recipient.email.clone(), |id| id.to_string());
        for channel in recipient
            .preferences
            .channels(kind, recipient.phone.is_some())
        {
            let message = match channel {
                Channel::Email => {
                    let email = templates.email(kind, language, &context)?;
                    PlannedMessage {
                        notification_id: notification_id(event_id, kind, channel, &recipient_key),
                        kind,
                        channel,
                        user_id: recipient.user_id,
                        recipient: recipient.email.clone(),
                        language,
                        subject: Some(email.subject),
                        body_html: Some(email.html),
                        body_text: email.text,
                    }
                }
                Channel::Sms => PlannedMessage {
                    notification_id: notification_id(event_id, kind, channel, &recipient_key),
                    kind,
                    channel,
                    user_id: recipient.user_id,
                    // `channels` gives Sms only to a recipient with a phone.
                    recipient: recipient.phone.clone().unwrap_or_default(),
                    language,
                    subject: None,
                    body_html: None,
                    body_text: templates.sms(kind, language, &context)?,
                },
            };
            messages.push(message);
        }
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use contracts::order::{OrderConfirmed, OrderShipped};
    use contracts::payment::PaymentRefunded;
    use contracts::stock::StockLow;
    use contracts::user::UserRegistered;

    use super::*;
    use crate::domain::{CancelReason, SmsChoices, SummaryLine};

    fn summary() -> OrderSummary {
        OrderSummary {
            order_id: Uuid::parse_str("3f2a9c1b-0000-4000-8000-000000000001").unwrap_or_default(),
            customer_id: Uuid::new_v4(),
            currency: "EUR".into(),
            total_minor: 7_497,
            lines: vec![
                SummaryLine {
                    sku: "LAMP-1".into(),
                    quantity: 2,
                    unit_price_minor: 2_499,
                },
                SummaryLine {
                    sku: "BULB-3".into(),
                    quantity: 1,
                    unit_price_minor: 2_499,
                },
            ],
        }
    }

    fn customer(language: Language) -> Recipient {
        Recipient {
            user_id: Some(Uuid::new_v4()),
            name: "Ada <b>Lovelace</b>".into(),
            email: "ada@example.test".into(),
            phone: Some("+4915112345678".into()),
            preferences: Preferences {
                language,
                sms: SmsChoices {
                    orders: true,
                    shipping: true,
                },
            },
        }
    }

    fn every_trigger() -> Vec<Trigger> {
        let order_id = summary().order_id;
        vec![
            Trigger::Registered(UserRegistered {
                user_id: Uuid::new_v4(),
                email: "ada@example.test".into(),
                display_name: "Ada".into(),
            }),
            Trigger::Placed(summary()),
            Trigger::Confirmed(OrderConfirmed { order_id }),
            Trigger::Shipped(OrderShipped {
                order_id,
                carrier: "DHL".into(),
                tracking_number: "JJD0099".into(),
            }),
            Trigger::Cancelled {
                order_id,
                reason: CancelReason::PaymentFailed,
            },
            Trigger::Refunded(PaymentRefunded {
                order_id,
                amount_minor: 2_499,
                total_refunded_minor: 2_499,
                currency: "EUR".into(),
                reason: "damaged in transit".into(),
                provider_refund_id: "re_1".into(),
            }),
            Trigger::StockLow(StockLow {
                sku: "LAMP-1".into(),
                available: 2,
                threshold: 5,
            }),
        ]
    }

    /// Every kind renders in every language on every channel it has: a template that names
    /// something its kind lacks, or a missing file, fails here and not at a customer's send.
    #[test]
    fn every_template_renders_in_every_language() {
        let templates = Templates::load();
        for language in Language::ALL {
            for trigger in every_trigger() {
                let summary = trigger.order_id().map(|_| summary());
                let messages = plan(
                    &templates,
                    "evt-1",
                    &trigger,
                    summary.as_ref(),
                    &[customer(language)],
                )
                .unwrap_or_else(|e| panic!("{:?} in {language:?}: {e}", trigger.kind()));
                let expected = if trigger.kind().has_sms() { 2 } else { 1 };
                assert_eq!(messages.len(), expected, "{:?}", trigger.kind());
                for message in messages {
                    assert!(!message.body_text.trim().is_empty());
                    if message.channel == Channel::Sms {
                        assert_eq!(message.recipient, "+4915112345678");
                        assert!(message.body_text.len() <= 320, "{}", message.body_text);
                    } else {
                        let subject = message.subject.unwrap_or_default();
                        assert!(!subject.is_empty() && !subject.contains('\n'));
                        let html = message.body_html.unwrap_or_default();
                        assert!(html.contains(&format!("<html lang=\"{}\">", language.as_str())));
                        assert!(
                            !html.contains("<b>Lovelace</b>"),
                            "a name is escaped in HTML"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_confirmation_lists_the_lines_and_the_total_in_the_customers_language() {
        let templates = Templates::load();
        let trigger = Trigger::Confirmed(OrderConfirmed {
            order_id: summary().order_id,
        });
        let english = plan(
            &templates,
            "e",
            &trigger,
            Some(&summary()),
            &[customer(Language::En)],
        )
        .unwrap_or_default();
        assert_eq!(
            english[0].subject.as_deref(),
            Some("Your order 3F2A9C1B is confirmed")
        );
        assert!(
            english[0]
                .body_text
                .contains("2 × LAMP-1 at €24.99: €49.98")
        );
        assert!(english[0].body_text.contains("Total: €74.97"));
        assert_eq!(
            english[1].body_text,
            "Shop: your order 3F2A9C1B (€74.97) is confirmed. We will text you when it ships."
        );
        let german = plan(
            &templates,
            "e",
            &trigger,
            Some(&summary()),
            &[customer(Language::De)],
        )
        .unwrap_or_default();
        assert_eq!(
            german[0].subject.as_deref(),
            Some("Ihre Bestellung 3F2A9C1B ist bestätigt")
        );
        assert!(german[0].body_text.contains("Gesamtsumme: 74,97 €"));
    }

    #[test]
    fn each_reason_of_a_cancellation_reads_in_words() {
        let templates = Templates::load();
        for (reason, words) in [
            (CancelReason::OutOfStock, "no longer in stock"),
            (
                CancelReason::PaymentFailed,
                "payment could not be completed",
            ),
            (CancelReason::CustomerRequest, "you asked us to cancel it"),
            (CancelReason::NotPaidInTime, "did not arrive in time"),
        ] {
            let trigger = Trigger::Cancelled {
                order_id: summary().order_id,
                reason,
            };
            let messages = plan(
                &templates,
                "e",
                &trigger,
                Some(&summary()),
                &[customer(Language::En)],
            )
            .unwrap_or_default();
            assert!(
                messages[0].body_text.contains(words),
                "{}",
                messages[0].body_text
            );
        }
    }

    #[test]
    fn one_id_per_event_kind_channel_and_recipient() {
        let templates = Templates::load();
        let trigger = Trigger::Shipped(OrderShipped {
            order_id: summary().order_id,
            carrier: "DHL".into(),
            tracking_number: "1".into(),
        });
        let ada = customer(Language::En);
        let first = plan(
            &templates,
            "evt-9",
            &trigger,
            Some(&summary()),
            std::slice::from_ref(&ada),
        )
        .unwrap_or_default();
        let again =
            plan(&templates, "evt-9", &trigger, Some(&summary()), &[ada]).unwrap_or_default();
        let ids = |messages: &[PlannedMessage]| {
            messages
                .iter()
                .map(|m| m.notification_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&first), ids(&again));
        assert_ne!(first[0].notification_id, first[1].notification_id);
    }
}
