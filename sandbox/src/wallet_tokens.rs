//! Wallet tokens at the sandbox: `token_data` of `APPLE_PAY` and `GOOGLE_PAY` payments is
//! checked for its shape (PayKKa's 010000 otherwise) and opened to the card it stands
//! for, whose number picks the outcome like any test card. Apple Pay `EC_v1` tokens are
//! decrypted with the gateway's payment-processing key for the paying merchant's identifier,
//! and pay only the amount and currency the shopper approved; Google Pay `ECv2` test tokens
//! carry their message base64-encoded instead of encrypted (a sandbox convention in
//! `guesses.rs`) and are refused after their `messageExpiration`. Each token has a one-time
//! identity an attacker cannot change, kept as long as the token could be accepted.

use serde::Deserialize;

use axum::http::StatusCode;

use super::protocol::ApiError;
use paykka_api::apple_pay_token::{merchant_identifier, ProcessingKey, TokenError};
use paykka_api::card::Card;
use paykka_api::guesses;
use paykka_api::jwe::CardError;

/// Sandbox-only code: the token was approved for another amount or currency.
pub const WRONG_AMOUNT: &str = "SB0007";

/// A token's one-time identity and how long it must be remembered (`None`: for ever, as
/// nothing in the token says when it stops being acceptable).
pub struct OneTimeId {
    pub id: String,
    pub keep_until: Option<i64>,
}

/// A wallet's card and the token's one-time identity (a token pays once).
pub struct WalletCard {
    pub card: Card,
    pub once: OneTimeId,
}

/// What the token must have been made for: the paying merchant and the order's total.
pub struct Expected<'a> {
    pub merchant_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
}

fn malformed(what: &str) -> ApiError {
    ApiError::bad_request(["token_data is not a ", what, " token"].concat())
}

/// Opens an Apple Pay token with the gateway's processing key, for `expected`.
pub fn apple_pay(
    key: &ProcessingKey,
    token_data: &str,
    expected: &Expected<'_>,
    now_ms: i64,
) -> Result<WalletCard, ApiError> {
    let identifier = merchant_identifier(expected.merchant_id);
    let payment = key
        .open_for(token_data, &identifier, now_ms)
        .map_err(|e| match e {
            TokenError::Shape => malformed("valid Apple Pay EC_v1"),
            TokenError::Signature(_) => malformed("validly signed Apple Pay"),
            TokenError::OtherKey | TokenError::Decryption => ApiError::from(CardError::Decryption(
                "Apple Pay token could not be decrypted",
            )),
        })?;
    let card = Card::without_code(
        &payment.account_number,
        &payment.exp_month(),
        &payment.exp_year(),
        now_ms,
    )
    .map_err(ApiError::from)?;
    if !payment.is_for(expected.amount, expected.currency) {
        return Err(wrong_amount());
    }
    Ok(WalletCard {
        card,
        once: OneTimeId {
            id: ["applepay:", &payment.one_time_id].concat(),
            keep_until: None,
        },
    })
}

/// The refusal of a token approved for another total.
pub fn wrong_amount() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        WRONG_AMOUNT,
        "The wallet token was approved for another amount or currency",
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GoogleToken {
    protocol_version: String,
    signature: String,
    intermediate_signing_key: IntermediateKey,
    signed_message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntermediateKey {
    signed_key: String,
    signatures: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignedMessage {
    encrypted_message: String,
    ephemeral_public_key: String,
    tag: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GoogleMessage {
    message_id: String,
    /// Milliseconds since the Unix epoch, as a string.
    message_expiration: String,
    payment_method_details: Details,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    pan: String,
    expiration_month: u8,
    expiration_year: u16,
}

/// Opens a Google Pay `ECv2` token (the string from `tokenizationData.token`, unchanged).
pub fn google_pay(token_data: &str, now_ms: i64) -> Result<WalletCard, ApiError> {
    let token: GoogleToken =
        serde_json::from_str(token_data).map_err(|_| malformed("Google Pay ECv2"))?;
    let message: SignedMessage =
        serde_json::from_str(&token.signed_message).map_err(|_| malformed("Google Pay ECv2"))?;
    let well_formed = token.protocol_version == "ECv2"
        && !token.signature.is_empty()
        && !token.intermediate_signing_key.signed_key.is_empty()
        && !token.intermediate_signing_key.signatures.is_empty()
        && !message.ephemeral_public_key.is_empty()
        && !message.tag.is_empty();
    if !well_formed {
        return Err(malformed("Google Pay ECv2"));
    }
    let undecryptable = || {
        ApiError::from(CardError::Decryption(
            "Google Pay token could not be decrypted",
        ))
    };
    let plaintext =
        guesses::google_pay_test_message(&message.encrypted_message).ok_or_else(undecryptable)?;
    let message: GoogleMessage = serde_json::from_slice(&plaintext).map_err(|_| undecryptable())?;
    let expires_at = message
        .message_expiration
        .parse::<i64>()
        .map_err(|_| malformed("Google Pay ECv2"))?;
    if now_ms > expires_at {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "206021",
            "Google Pay token expired",
        ));
    }
    if message.message_id.is_empty() {
        return Err(malformed("Google Pay ECv2"));
    }
    let details = message.payment_method_details;
    let card = Card::without_code(
        &details.pan,
        &details.expiration_month.to_string(),
        &details.expiration_year.to_string(),
        now_ms,
    )
    .map_err(ApiError::from)?;
    Ok(WalletCard {
        card,
        once: OneTimeId {
            id: ["googlepay:", &message.message_id].concat(),
            keep_until: Some(expires_at),
        },
    })
}
