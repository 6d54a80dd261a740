//! What a customer chose: the language of their messages, and which categories may also reach
//! them by text message.

use contracts::notification::Channel;

use super::{Category, Language, MessageKind};

/// Text messages per category; email is always on for these transactional categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SmsChoices {
    pub orders: bool,
    pub shipping: bool,
}

/// A customer's choices. Without any stored, the defaults: English, email only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Preferences {
    pub language: Language,
    pub sms: SmsChoices,
}

impl Preferences {
    /// The channels a message of `kind` goes out on for this customer. A text message needs the
    /// kind to have one, the customer's consent for its category, and a phone number.
    pub fn channels(&self, kind: MessageKind, has_phone: bool) -> Vec<Channel> {
        let sms_chosen = match kind.category() {
            Category::Orders => self.sms.orders,
            Category::Shipping => self.sms.shipping,
            Category::Account | Category::Operations => false,
        };
        let mut channels = vec![Channel::Email];
        if kind.has_sms() && sms_chosen && has_phone {
            channels.push(Channel::Sms);
        }
        channels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_always_sms_only_when_chosen_possible_and_reachable() {
        let email_only = Preferences::default();
        assert_eq!(
            email_only.channels(MessageKind::OrderShipped, true),
            vec![Channel::Email]
        );
        let texts_for_shipping = Preferences {
            sms: SmsChoices {
                orders: false,
                shipping: true,
            },
            ..Preferences::default()
        };
        assert_eq!(
            texts_for_shipping.channels(MessageKind::OrderShipped, true),
            vec![Channel::Email, Channel::Sms]
        );
        assert_eq!(
            texts_for_shipping.channels(MessageKind::OrderShipped, false),
            vec![Channel::Email],
            "no phone, no text"
        );
        assert_eq!(
            texts_for_shipping.channels(MessageKind::OrderConfirmed, true),
            vec![Channel::Email],
            "orders were not chosen"
        );
        let everything = Preferences {
            sms: SmsChoices {
                orders: true,
                shipping: true,
            },
            ..Preferences::default()
        };
        assert_eq!(
            everything.channels(MessageKind::OrderReceived, true),
            vec![Channel::Email],
            "an order received has no text form"
        );
        assert_eq!(
            everything.channels(MessageKind::Welcome, true),
            vec![Channel::Email]
        );
    }
}
