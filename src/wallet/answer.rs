//! How the merchant backend's answer to a wallet payment ends it: the answer the demo's
//! merchant API gives (`status`, `action.url`, `error_code`, `message`) is read the same
//! way from a merchant's own `onAuthorized` callback.

/// The end of a wallet payment, as the component reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Paid (or authorised for a later capture).
    Success,
    /// 3-D Secure is needed: the shopper goes to `url` (the `action` event).
    Action { url: String },
    /// Refused; `code` is the backend's error code (or `PAYMENT_FAILED`).
    Failed { code: String, message: String },
}

/// Statuses that mean the money is the merchant's.
const PAID: [&str; 3] = ["SUCCESS", "AUTHORIZED", "CAPTURED"];

/// Reads an answer's members (each may be missing).
pub fn classify(
    status: Option<&str>,
    action_url: Option<&str>,
    error_code: Option<&str>,
    message: Option<&str>,
) -> Answer {
    let status = status.map(str::to_ascii_uppercase);
    if status.as_deref().is_some_and(|s| PAID.contains(&s)) {
        return Answer::Success;
    }
    if let Some(url) = action_url.filter(|u| is_web_url(u)) {
        return Answer::Action { url: url.into() };
    }
    Answer::Failed {
        code: error_code
            .filter(|c| !c.is_empty() && c.len() <= 64)
            .unwrap_or("PAYMENT_FAILED")
            .into(),
        message: message
            .filter(|m| !m.is_empty())
            .unwrap_or("The payment was not completed.")
            .chars()
            .take(200)
            .collect(),
    }
}

/// An absolute http(s) URL (never `javascript:` or a relative path).
fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > 8
        && !url.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paid_statuses_succeed_and_an_action_needs_a_web_url() {
        assert_eq!(classify(Some("success"), None, None, None), Answer::Success);
        assert_eq!(
            classify(Some("AUTHORIZED"), None, None, None),
            Answer::Success
        );
        assert_eq!(
            classify(
                Some("PROCESSING"),
                Some("https://pay.example/3ds"),
                None,
                None
            ),
            Answer::Action {
                url: "https://pay.example/3ds".into()
            }
        );
        for bad in [
            "javascript:alert(1)",
            "/relative",
            "https:// x",
            "data:text/html,x",
        ] {
            assert!(
                matches!(
                    classify(Some("PROCESSING"), Some(bad), None, None),
                    Answer::Failed { .. }
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_refusal_keeps_the_backends_code_and_message() {
        assert_eq!(
            classify(
                Some("FAILED"),
                None,
                Some("3001"),
                Some("Declined by the issuer")
            ),
            Answer::Failed {
                code: "3001".into(),
                message: "Declined by the issuer".into()
            }
        );
        assert_eq!(
            classify(None, None, None, None),
            Answer::Failed {
                code: "PAYMENT_FAILED".into(),
                message: "The payment was not completed.".into()
            }
        );
    }
}
