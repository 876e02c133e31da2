//! What a session answer means for the shopper: the form, a result, or the way to one.

use crate::wallet::answer::{classify, Answer};

/// What the checkout shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The form, ready to pay (after a decline: with the reason, the card input kept).
    Form { declined: Option<(String, String)> },
    /// Paid.
    Paid,
    /// The shopper must authenticate (3-D Secure) or approve (redirect method) at `url`.
    Action { url: String },
    /// The session's time is over.
    Expired,
    /// The session's failed attempts are used up (card testing is not free).
    Locked,
}

/// The screen for a session's `status` and its latest payment (`payment_status`,
/// `action_url`, `error_code`, `message`).
pub fn screen_for(
    session_status: &str,
    payment_status: Option<&str>,
    action_url: Option<&str>,
    error_code: Option<&str>,
    message: Option<&str>,
) -> Screen {
    let Some(payment_status) = payment_status else {
        return match session_status {
            "EXPIRED" => Screen::Expired,
            "LOCKED" => Screen::Locked,
            _ => Screen::Form { declined: None },
        };
    };
    match classify(Some(payment_status), action_url, error_code, message) {
        Answer::Success => Screen::Paid,
        Answer::Action { url } if payment_status == "PROCESSING" => Screen::Action { url },
        Answer::Action { .. } | Answer::Failed { .. } if session_status == "EXPIRED" => {
            Screen::Expired
        }
        Answer::Failed { .. } if session_status == "LOCKED" => Screen::Locked,
        Answer::Action { url } => Screen::Action { url },
        Answer::Failed { code, message } => Screen::Form {
            declined: Some((code, message)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_has_its_screen() {
        assert_eq!(
            screen_for("OPEN", None, None, None, None),
            Screen::Form { declined: None }
        );
        assert_eq!(
            screen_for("EXPIRED", None, None, None, None),
            Screen::Expired
        );
        assert_eq!(
            screen_for("SUCCESS", Some("SUCCESS"), None, None, None),
            Screen::Paid
        );
        assert_eq!(
            screen_for("AUTHORIZED", Some("AUTHORIZED"), None, None, None),
            Screen::Paid
        );
        assert_eq!(
            screen_for(
                "PROCESSING",
                Some("PROCESSING"),
                Some("https://gw.example/3ds/x"),
                None,
                None
            ),
            Screen::Action {
                url: "https://gw.example/3ds/x".into()
            }
        );
        assert_eq!(
            screen_for(
                "OPEN",
                Some("FAILURE"),
                None,
                Some("3001"),
                Some("Declined by the issuer")
            ),
            Screen::Form {
                declined: Some(("3001".into(), "Declined by the issuer".into()))
            }
        );
        assert_eq!(
            screen_for(
                "EXPIRED",
                Some("FAILURE"),
                None,
                Some("3001"),
                Some("Declined")
            ),
            Screen::Expired,
            "a decline in an expired session cannot be retried"
        );
        assert_eq!(screen_for("LOCKED", None, None, None, None), Screen::Locked);
        assert_eq!(
            screen_for(
                "LOCKED",
                Some("FAILURE"),
                None,
                Some("3001"),
                Some("Declined")
            ),
            Screen::Locked,
            "the last allowed decline closes the form"
        );
        assert!(matches!(
            screen_for(
                "PROCESSING",
                Some("PROCESSING"),
                Some("javascript:alert(1)"),
                None,
                None
            ),
            Screen::Form { declined: Some(_) }
        ));
    }
}
