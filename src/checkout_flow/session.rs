//! The session as the checkout's session API shows it to a shopper's page: one serde type
//! that the gateway serialises and the drop-in reads, so the two cannot drift apart.

use serde::{Deserialize, Serialize};

use super::methods::{allowed, Method};
use super::screen::{screen_for, Screen};

/// A session and its latest payment, as the page may see them (nothing secret: no
/// `notify_url`, no card number).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub session_id: String,
    /// The PayKKa merchant id (Google Pay's `gatewayMerchantId`).
    pub merchant_id: String,
    /// Minor units of `currency`.
    pub amount: u64,
    pub currency: String,
    #[serde(default)]
    pub goods: Vec<GoodsLine>,
    pub merchant_name: Option<String>,
    pub locale: Option<String>,
    /// PayKKa's method codes, as the session allows them.
    pub allowed_payment_methods: Vec<String>,
    pub expire_time: String,
    /// `OPEN`, `EXPIRED`, `LOCKED` (no attempts left) or the latest payment's status.
    pub status: String,
    /// Failed payments the session still takes.
    pub attempts_left: u32,
    pub payment: Option<PaymentView>,
    /// Where the merchant sends the shopper once paid (the session's `return_url`, an
    /// http(s) URL; `success` passes it on as `returnUrl`).
    #[serde(default)]
    pub return_url: Option<String>,
}

/// One line of the order summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodsLine {
    pub name: String,
    /// Minor units, per item.
    pub price: u64,
    pub quantity: u32,
}

/// The session's latest payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub status: String,
    pub order_id: Option<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
    /// 3-D Secure or a redirect method's approval page.
    pub action: Option<ActionView>,
    pub card: Option<CardView>,
    pub payment_method: Option<String>,
}

/// Where the shopper must go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// What a page may show of the card: brand, BIN and last 4.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardView {
    pub card_brand: Option<String>,
    pub bin: Option<String>,
    pub last4: Option<String>,
}

impl SessionView {
    /// What the shopper sees for this answer.
    pub fn screen(&self) -> Screen {
        let payment = self.payment.as_ref();
        screen_for(
            &self.status,
            payment.map(|p| p.status.as_str()),
            payment
                .and_then(|p| p.action.as_ref())
                .map(|a| a.url.as_str()),
            payment.and_then(|p| p.error_code.as_deref()),
            payment.and_then(|p| p.message.as_deref()),
        )
    }

    /// The session's methods the checkout knows, in display order.
    pub fn methods(&self) -> Vec<Method> {
        allowed(&self.allowed_payment_methods)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> SessionView {
        SessionView {
            session_id: "CS1".into(),
            merchant_id: "10001234567890".into(),
            amount: 300,
            currency: "USD".into(),
            goods: vec![GoodsLine {
                name: "Beans".into(),
                price: 300,
                quantity: 1,
            }],
            merchant_name: Some("Coffee".into()),
            locale: None,
            allowed_payment_methods: vec!["BANKCARD".into(), "apple_pay".into(), "CHEQUE".into()],
            expire_time: "2026-12-05T10:00:00+08:00".into(),
            status: "OPEN".into(),
            attempts_left: 5,
            payment: None,
            return_url: None,
        }
    }

    #[test]
    fn the_view_round_trips_in_the_gateways_json_shape() {
        let mut view = open();
        view.payment = Some(PaymentView {
            status: "PROCESSING".into(),
            order_id: Some("GW1".into()),
            error_code: Some("0000".into()),
            message: None,
            action: Some(ActionView {
                kind: "redirect".into(),
                url: "https://gw.example/3ds/x".into(),
            }),
            card: Some(CardView {
                card_brand: Some("VISA".into()),
                bin: Some("424242".into()),
                last4: Some("4242".into()),
            }),
            payment_method: Some("BANKCARD".into()),
        });
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["payment"]["action"]["type"], "redirect");
        assert_eq!(json["attempts_left"], 5);
        let back: SessionView = serde_json::from_value(json).unwrap();
        assert_eq!(back, view);
        assert_eq!(
            back.screen(),
            Screen::Action {
                url: "https://gw.example/3ds/x".into()
            }
        );
    }

    #[test]
    fn methods_and_screens_come_from_the_view() {
        let view = open();
        assert_eq!(view.methods(), [Method::Card, Method::ApplePay]);
        assert_eq!(view.screen(), Screen::Form { declined: None });
        let locked = SessionView {
            status: "LOCKED".into(),
            attempts_left: 0,
            ..open()
        };
        assert_eq!(locked.screen(), Screen::Locked);
    }
}
