//! Which failures of a send are worth another attempt.
//!
//! The bindings answer an error as text (components-contrib v1.16.5): the SMTP binding passes
//! the server's reply (`gomail: could not send email 1: 451 …`), the Twilio binding the HTTP
//! status (`error from Twilio (400): 400 Bad Request`). A refused connection or a timeout says
//! nothing of the message. See components/email.yaml and components/sms.yaml.

use contracts::notification::Channel;

/// Why a send did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendFailure {
    /// The provider may take it later (down, busy, a 4xx SMTP reply): try again with backoff.
    #[error("{0}")]
    Transient(String),
    /// The provider refused this message for good (an SMTP 5xx reply, a Twilio 4xx): more
    /// attempts would be refused alike, so it goes straight to the dead letters.
    #[error("{0}")]
    Permanent(String),
}

impl SendFailure {
    pub fn detail(&self) -> &str {
        match self {
            Self::Transient(detail) | Self::Permanent(detail) => detail,
        }
    }
}

/// Reads a binding's error for the provider's verdict.
pub fn classify_failure(channel: Channel, error: &str) -> SendFailure {
    let permanent = match channel {
        Channel::Email => smtp_reply_code(error).is_some_and(|code| (500..600).contains(&code)),
        // 429 is Twilio asking to slow down, not a refusal.
        Channel::Sms => twilio_status(error).is_some_and(|s| (400..500).contains(&s) && s != 429),
    };
    if permanent {
        SendFailure::Permanent(error.to_owned())
    } else {
        SendFailure::Transient(error.to_owned())
    }
}

/// The reply code gomail reports after "could not send email N: ".
fn smtp_reply_code(error: &str) -> Option<u16> {
    let (_, after) = error.split_once("could not send email")?;
    let (_, reply) = after.split_once(": ")?;
    leading_number(reply)
}

/// The status in "error from Twilio (NNN)".
fn twilio_status(error: &str) -> Option<u16> {
    let (_, after) = error.split_once("error from Twilio (")?;
    leading_number(after)
}

fn leading_number(text: &str) -> Option<u16> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 3).then(|| digits.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_permanent(channel: Channel, error: &str) -> bool {
        matches!(classify_failure(channel, error), SendFailure::Permanent(_))
    }

    #[test]
    fn smtp_5xx_replies_are_final_and_everything_else_is_retried() {
        let chaos = "error invoking output binding email: error from smtp binding, sending email \
                     failed: gomail: could not send email 1: 451 \"Chaos recipient error\"";
        assert!(!is_permanent(Channel::Email, chaos));
        let refused = "error from smtp binding, sending email failed: gomail: could not send \
                       email 1: 550 5.1.1 mailbox unavailable";
        assert!(is_permanent(Channel::Email, refused));
        let down = "error from smtp binding, sending email failed: dial tcp 127.0.0.1:1025: \
                    connect: connection refused";
        assert!(!is_permanent(Channel::Email, down));
        assert!(!is_permanent(
            Channel::Email,
            "the Dapr sidecar is unreachable"
        ));
    }

    #[test]
    fn twilio_4xx_is_final_but_429_and_5xx_are_retried() {
        let error = |status: &str| {
            format!("error invoking output binding sms: error from Twilio ({status}): {status} x")
        };
        assert!(is_permanent(Channel::Sms, &error("400")));
        assert!(is_permanent(Channel::Sms, &error("401")));
        assert!(!is_permanent(Channel::Sms, &error("429")));
        assert!(!is_permanent(Channel::Sms, &error("503")));
        assert!(!is_permanent(Channel::Sms, "context deadline exceeded"));
    }
}
