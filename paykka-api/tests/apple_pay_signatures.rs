//! Apple Pay token signatures, checked before decryption when a trust root is set: tokens
//! signed by an Apple-shaped chain (made with OpenSSL, independent of the verifier) open;
//! unsigned, tampered, unmarked, foreign-rooted, stale and Apple-root-mismatched ones are
//! refused with the reason, and no card number is in any error text.

#[path = "support/tokens.rs"]
mod tokens;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paykka_api::apple_pay_signature::{SignatureError, TrustRoot};
use paykka_api::apple_pay_token::{random_secret, ProcessingKey, TokenError};
use serde_json::{json, Value};
use tokens::{ApplePki, Marks};

const MERCHANT: &str = "merchant.sandbox.test";
const PAN: &str = "4242424242424242";

fn now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
}

fn key_trusting(pki: &ApplePki) -> ProcessingKey {
    let root = TrustRoot::from_pem(&pki.root_pem).unwrap();
    ProcessingKey::from_secret(random_secret(), MERCHANT).with_signing_root(Some(Arc::new(root)))
}

fn token_for(key: &ProcessingKey) -> Value {
    tokens::apple_pay_token(&key.public_key_base64(), MERCHANT, PAN, "311231")
}

fn open(key: &ProcessingKey, token: &Value, at: Duration) -> Result<String, TokenError> {
    key.open(&token.to_string(), at.as_millis() as i64)
        .map(|payment| payment.account_number.to_string())
}

#[test]
fn a_token_signed_by_an_apple_shaped_chain_opens() {
    let pki = ApplePki::new(Marks::APPLE);
    let key = key_trusting(&pki);
    let mut token = token_for(&key);
    pki.sign(&mut token);
    assert_eq!(open(&key, &token, now()).unwrap(), PAN);
    // Its paymentData alone (what some integrations send) opens too.
    assert_eq!(open(&key, &token["paymentData"], now()).unwrap(), PAN);
    // applicationData, when the request had it, is part of what is signed.
    let mut with_data = token_for(&key);
    with_data["paymentData"]["header"]["applicationData"] = json!("c0ffee00");
    pki.sign(&mut with_data);
    assert_eq!(open(&key, &with_data, now()).unwrap(), PAN);
    with_data["paymentData"]["header"]
        .as_object_mut()
        .unwrap()
        .remove("applicationData");
    assert_eq!(
        open(&key, &with_data, now()),
        Err(TokenError::Signature(SignatureError::Digest))
    );
}

#[test]
fn unsigned_tampered_and_foreign_tokens_are_refused_with_their_reason() {
    let pki = ApplePki::new(Marks::APPLE);
    let key = key_trusting(&pki);

    let unsigned = token_for(&key);
    assert_eq!(
        open(&key, &unsigned, now()),
        Err(TokenError::Signature(SignatureError::Encoding))
    );

    let mut tampered = token_for(&key);
    pki.sign(&mut tampered);
    let other = token_for(&key);
    tampered["paymentData"]["data"] = other["paymentData"]["data"].clone();
    assert_eq!(
        open(&key, &tampered, now()),
        Err(TokenError::Signature(SignatureError::Digest))
    );

    let mut swapped_id = token_for(&key);
    pki.sign(&mut swapped_id);
    swapped_id["paymentData"]["header"]["transactionId"] = json!("00".repeat(32));
    assert_eq!(
        open(&key, &swapped_id, now()),
        Err(TokenError::Signature(SignatureError::Digest))
    );

    let stranger = ApplePki::new(Marks::APPLE);
    let mut foreign = token_for(&key);
    stranger.sign(&mut foreign);
    assert_eq!(
        open(&key, &foreign, now()),
        Err(TokenError::Signature(SignatureError::Chain))
    );

    let apple = ProcessingKey::from_secret(random_secret(), MERCHANT)
        .with_signing_root(Some(Arc::new(TrustRoot::apple())));
    let for_apple_key = {
        let mut t = tokens::apple_pay_token(&apple.public_key_base64(), MERCHANT, PAN, "311231");
        pki.sign(&mut t);
        t
    };
    assert_eq!(
        open(&apple, &for_apple_key, now()),
        Err(TokenError::Signature(SignatureError::Chain)),
        "a test chain does not pass for Apple's"
    );
    for refused in [&unsigned, &tampered, &foreign] {
        let text = format!("{:?}", open(&key, refused, now()));
        assert!(!text.contains(PAN), "{text}");
    }
}

#[test]
fn certificates_without_apples_marks_are_refused() {
    for marks in [
        Marks {
            leaf_oid: false,
            intermediate_oid: true,
        },
        Marks {
            leaf_oid: true,
            intermediate_oid: false,
        },
    ] {
        let pki = ApplePki::new(marks);
        let key = key_trusting(&pki);
        let mut token = token_for(&key);
        pki.sign(&mut token);
        assert_eq!(
            open(&key, &token, now()),
            Err(TokenError::Signature(SignatureError::NotApplePay))
        );
    }
}

#[test]
fn a_signature_older_or_newer_than_a_few_minutes_is_refused() {
    let pki = ApplePki::new(Marks::APPLE);
    let key = key_trusting(&pki);
    let mut token = token_for(&key);
    pki.sign(&mut token);
    let minutes = |m: u64| Duration::from_secs(m * 60);
    assert!(open(&key, &token, now() + minutes(4)).is_ok());
    assert_eq!(
        open(&key, &token, now() + minutes(6)),
        Err(TokenError::Signature(SignatureError::SigningTime)),
        "a replay later"
    );
    assert_eq!(
        open(&key, &token, now() - minutes(6)),
        Err(TokenError::Signature(SignatureError::SigningTime)),
        "a clock far behind"
    );
}

#[test]
fn a_trust_root_must_be_a_self_signed_certificate() {
    assert!(TrustRoot::from_pem("not a certificate").is_err());
    assert!(TrustRoot::from_pem(&ApplePki::new(Marks::APPLE).root_pem).is_ok());
}
