//! The drop-in's decisions, DOM-free: what a session answer (or a failed call) means for the
//! shopper and what the checkout does next — a result, an authentication (in the modal or
//! by leaving the page), the form back with a reason, another look at the session — and
//! which methods show the built-in pay button. The component only carries them out.

use super::methods::Method;
use super::screen::Screen;
use super::session::SessionView;

/// A session API call that gave no session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// No answer (offline, gateway down).
    Unreachable,
    /// No answer before the deadline.
    Timeout,
    /// The gateway refused: its `ret_code` and `ret_msg` (`SB0001` expired, `SB0002` paid…).
    Refused { code: String, message: String },
}

/// Sandbox codes the checkout acts on (docs/sandbox.md); the sandbox answers with these.
pub const SESSION_EXPIRED: &str = "SB0001";
pub const SESSION_PAID: &str = "SB0002";
pub const TOO_MANY_ATTEMPTS: &str = "SB0008";
pub const TOO_MANY_FAILURES: &str = "SB0009";

/// How 3-D Secure is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreeDs {
    /// In a modal dialog on the page.
    Modal,
    /// By leaving the page (PayKKa brings the shopper back to the session's `return_url`).
    Redirect,
}

/// What the checkout does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Show the paid result; report `status` and the order.
    Paid {
        status: String,
        order_id: Option<String>,
    },
    /// The session's time is over.
    Expired,
    /// The session takes no more attempts.
    Locked,
    /// The shopper authenticates (3-D Secure) or approves (a redirect method) at `url`.
    Authenticate { url: String, leave_page: bool },
    /// The form again with the decline's reason; the card input stays.
    Declined { code: String, message: String },
    /// The form again, nothing to say.
    Ready,
    /// Ask the session again (it was paid, or is being paid, meanwhile).
    LookAgain,
    /// The form again with an alert: `text` (a checkout text key) or the gateway's message,
    /// and an `error` with `code`.
    Refused {
        code: String,
        message: String,
        text: Option<&'static str>,
    },
    /// The gateway could not be reached: the form again, the input kept; `timed_out` adds a
    /// `timeout` event.
    Unreachable { timed_out: bool },
}

/// The drop-in's choices for one mount.
#[derive(Clone, Copy, Debug)]
pub struct Coordinator {
    pub three_ds: ThreeDs,
    pub hide_pay_button: bool,
}

impl Coordinator {
    /// What a session means when the checkout opens (or returns from a redirect).
    pub fn on_session(&self, session: &SessionView, selected: Option<Method>) -> Next {
        match session.screen() {
            Screen::Paid => Next::Paid {
                status: session
                    .payment
                    .as_ref()
                    .map(|p| p.status.clone())
                    .unwrap_or_default(),
                order_id: session.payment.as_ref().and_then(|p| p.order_id.clone()),
            },
            Screen::Expired => Next::Expired,
            Screen::Locked => Next::Locked,
            Screen::Action { url } => Next::Authenticate {
                url,
                leave_page: self.three_ds == ThreeDs::Redirect
                    || selected.is_some_and(Method::is_redirect),
            },
            Screen::Form {
                declined: Some((code, message)),
            } => Next::Declined { code, message },
            Screen::Form { declined: None } => Next::Ready,
        }
    }

    /// What a pay or result answer means.
    pub fn on_answer(
        &self,
        answer: &Result<SessionView, ApiError>,
        selected: Option<Method>,
    ) -> Next {
        match answer {
            Ok(session) => self.on_session(session, selected),
            Err(ApiError::Refused { code, .. }) if code == SESSION_EXPIRED => Next::Expired,
            Err(ApiError::Refused { code, .. }) if code == TOO_MANY_ATTEMPTS => Next::Locked,
            Err(ApiError::Refused { code, .. }) if code == SESSION_PAID => Next::LookAgain,
            Err(ApiError::Refused { code, message }) => Next::Refused {
                code: code.clone(),
                message: message.clone(),
                text: (code == TOO_MANY_FAILURES).then_some("tooManyFailures"),
            },
            Err(ApiError::Unreachable) => Next::Unreachable { timed_out: false },
            Err(ApiError::Timeout) => Next::Unreachable { timed_out: true },
        }
    }

    /// Whether a poll during authentication has its answer (anything but "still
    /// authenticating", and not a failed call: polling goes on through those).
    pub fn poll_settled(&self, answer: &Result<SessionView, ApiError>) -> bool {
        matches!(answer, Ok(session) if !matches!(session.screen(), Screen::Action { .. }))
    }

    /// Whether `method` is paid with the built-in pay button (the card; wallets have their
    /// own buttons, redirect methods their "continue" button).
    pub fn shows_pay_button(&self, method: Method) -> bool {
        method == Method::Card && !self.hide_pay_button
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout_flow::session::{ActionView, PaymentView};

    const MODAL: Coordinator = Coordinator {
        three_ds: ThreeDs::Modal,
        hide_pay_button: false,
    };

    fn session(status: &str, payment: Option<(&str, Option<&str>, Option<&str>)>) -> SessionView {
        SessionView {
            session_id: "CS1".into(),
            merchant_id: "1".into(),
            amount: 300,
            currency: "USD".into(),
            goods: Vec::new(),
            merchant_name: None,
            locale: None,
            allowed_payment_methods: vec!["BANKCARD".into()],
            expire_time: String::new(),
            status: status.into(),
            attempts_left: 5,
            payment: payment.map(|(status, url, code)| PaymentView {
                status: status.into(),
                order_id: Some("GW1".into()),
                error_code: code.map(Into::into),
                message: Some("Declined by the issuer".into()),
                action: url.map(|url| ActionView {
                    kind: "redirect".into(),
                    url: url.into(),
                }),
                card: None,
                payment_method: None,
            }),
            return_url: None,
        }
    }

    fn refused(code: &str) -> Result<SessionView, ApiError> {
        Err(ApiError::Refused {
            code: code.into(),
            message: "no".into(),
        })
    }

    #[test]
    fn each_answer_has_its_next_step() {
        let card = Some(Method::Card);
        let paid = Ok(session("SUCCESS", Some(("SUCCESS", None, Some("0000")))));
        assert_eq!(
            MODAL.on_answer(&paid, card),
            Next::Paid {
                status: "SUCCESS".into(),
                order_id: Some("GW1".into())
            }
        );
        let declined = Ok(session("OPEN", Some(("FAILURE", None, Some("3001")))));
        assert_eq!(
            MODAL.on_answer(&declined, card),
            Next::Declined {
                code: "3001".into(),
                message: "Declined by the issuer".into()
            }
        );
        assert_eq!(
            MODAL.on_answer(&Ok(session("OPEN", None)), card),
            Next::Ready
        );
        assert_eq!(MODAL.on_answer(&refused("SB0001"), card), Next::Expired);
        assert_eq!(MODAL.on_answer(&refused("SB0008"), card), Next::Locked);
        assert_eq!(MODAL.on_answer(&refused("SB0002"), card), Next::LookAgain);
        assert_eq!(
            MODAL.on_answer(&refused("SB0009"), card),
            Next::Refused {
                code: "SB0009".into(),
                message: "no".into(),
                text: Some("tooManyFailures")
            }
        );
        assert_eq!(
            MODAL.on_answer(&refused("206020"), card),
            Next::Refused {
                code: "206020".into(),
                message: "no".into(),
                text: None
            }
        );
        assert_eq!(
            MODAL.on_answer(&Err(ApiError::Timeout), card),
            Next::Unreachable { timed_out: true }
        );
        assert_eq!(
            MODAL.on_answer(&Err(ApiError::Unreachable), card),
            Next::Unreachable { timed_out: false }
        );
    }

    #[test]
    fn authentication_stays_on_the_page_only_for_cards_in_modal_mode() {
        let challenge = Ok(session(
            "PROCESSING",
            Some(("PROCESSING", Some("https://gw.example/3ds/x"), None)),
        ));
        let url = "https://gw.example/3ds/x".to_owned();
        assert_eq!(
            MODAL.on_answer(&challenge, Some(Method::Card)),
            Next::Authenticate {
                url: url.clone(),
                leave_page: false
            }
        );
        assert_eq!(
            MODAL.on_answer(&challenge, Some(Method::Alipay)),
            Next::Authenticate {
                url: url.clone(),
                leave_page: true
            },
            "a redirect method's approval is its own page"
        );
        let redirect = Coordinator {
            three_ds: ThreeDs::Redirect,
            ..MODAL
        };
        assert_eq!(
            redirect.on_answer(&challenge, Some(Method::Card)),
            Next::Authenticate {
                url,
                leave_page: true
            }
        );
        assert!(!MODAL.poll_settled(&challenge));
        assert!(!MODAL.poll_settled(&Err(ApiError::Unreachable)));
        assert!(MODAL.poll_settled(&Ok(session("SUCCESS", Some(("SUCCESS", None, None))))));
    }

    #[test]
    fn only_the_card_uses_the_built_in_pay_button_unless_hidden() {
        assert!(MODAL.shows_pay_button(Method::Card));
        assert!(!MODAL.shows_pay_button(Method::ApplePay));
        assert!(!MODAL.shows_pay_button(Method::Alipay));
        let hidden = Coordinator {
            hide_pay_button: true,
            ..MODAL
        };
        assert!(!hidden.shows_pay_button(Method::Card));
    }
}
