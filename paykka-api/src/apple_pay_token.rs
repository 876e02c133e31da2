//! Apple Pay `EC_v1` payment tokens, opened with a payment-processing key as Apple's token
//! reference describes: the key picked by `publicKeyHash`, Z = ECDH(P-256) with the
//! ephemeral key, the NIST SP 800-56A one-round KDF with SHA-256 (`id-aes256-GCM`, party U
//! "Apple", party V the SHA-256 of the merchant identifier), then AES-256-GCM with a
//! 16-byte zero IV. The sandbox gateway uses its key (PayKKa decrypts); the merchant uses
//! its own with `--apple-pay-decrypt`. With a trust root (`--apple-pay-signing-root`) the
//! token's CMS signature is checked first (`apple_pay_signature`); without one (the test
//! fakes' tokens are not signed by Apple) it is only required to be there.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aes::Aes256;
use aes_gcm::aead::{consts::U16, Aead, KeyInit};
use aes_gcm::AesGcm;
use base64ct::{Base64, Encoding};
use p256::ecdh::diffie_hellman;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use p256::{PublicKey, SecretKey};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::apple_pay_signature::{SignatureError, TrustRoot};

/// Why a token cannot be opened (no token content in the texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token_data is not an Apple Pay EC_v1 token")]
    Shape,
    #[error("the token was made for another payment-processing key")]
    OtherKey,
    #[error("the token could not be decrypted")]
    Decryption,
    #[error("the token's signature was refused: {0}")]
    Signature(SignatureError),
}

/// What an opened token holds (the device account number stays in memory only).
pub struct ApplePayment {
    pub account_number: Zeroizing<String>,
    /// `YYMMDD`.
    pub expiry: String,
    pub cardholder_name: Option<String>,
    /// `3DSecure` or `EMV`.
    pub data_type: String,
    pub cryptogram: Option<String>,
    pub eci: Option<String>,
    /// The total the shopper approved, in minor units, and its ISO 4217 numeric currency
    /// code (`"840"`): a gateway pays only the order they match.
    pub transaction_amount: i64,
    pub currency_code: String,
    /// The token's one-time identity: SHA-256 (hex) of the ephemeral key's point and the
    /// ciphertext, which no one without the processing key can change and still be
    /// decrypted (a re-encoded key or an edited, unsigned header leaves it as it is).
    pub one_time_id: String,
}

impl ApplePayment {
    /// `"2031"` from `YYMMDD`.
    pub fn exp_year(&self) -> String {
        ["20", &self.expiry[..2]].concat()
    }

    /// `"07"` from `YYMMDD`.
    pub fn exp_month(&self) -> String {
        self.expiry[2..4].to_owned()
    }

    /// Whether the shopper approved exactly `amount` minor units of `currency` (alpha code).
    pub fn is_for(&self, amount: i64, currency: &str) -> bool {
        self.transaction_amount == amount
            && crate::money::numeric_code(currency) == Some(self.currency_code.as_str())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    ephemeral_public_key: String,
    public_key_hash: String,
    transaction_id: String,
    application_data: Option<String>,
}

#[derive(Deserialize)]
struct PaymentData {
    version: String,
    data: String,
    signature: String,
    header: Header,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Plaintext {
    application_primary_account_number: String,
    application_expiration_date: String,
    cardholder_name: Option<String>,
    currency_code: String,
    transaction_amount: i64,
    payment_data_type: String,
    payment_data: Option<Value>,
}

/// A payment-processing key with the merchant identifier it belongs to.
pub struct ProcessingKey {
    secret: SecretKey,
    merchant_identifier: String,
    /// Where token signatures must chain to; `None` takes unsigned (test) tokens.
    signing_root: Option<Arc<TrustRoot>>,
}

impl ProcessingKey {
    /// Loads the PKCS #8 PEM key at `path`, or creates one there.
    pub fn load_or_create(path: &Path, merchant_identifier: &str) -> anyhow::Result<Self> {
        let secret = match std::fs::read_to_string(path) {
            Ok(pem) => SecretKey::from_pkcs8_pem(&pem)?,
            Err(_) => {
                let secret = random_secret();
                std::fs::write(path, secret.to_pkcs8_pem(LineEnding::LF)?.as_bytes())?;
                secret
            }
        };
        Ok(ProcessingKey::from_secret(secret, merchant_identifier))
    }

    pub fn from_secret(secret: SecretKey, merchant_identifier: &str) -> Self {
        ProcessingKey {
            secret,
            merchant_identifier: merchant_identifier.to_owned(),
            signing_root: None,
        }
    }

    /// Opens only tokens whose signature chains to `root` (when given).
    pub fn with_signing_root(mut self, root: Option<Arc<TrustRoot>>) -> Self {
        self.signing_root = root;
        self
    }

    /// The public key as base64 X.509 SubjectPublicKeyInfo DER.
    pub fn public_key_base64(&self) -> String {
        Base64::encode_string(&self.public_key_der())
    }

    fn public_key_der(&self) -> Vec<u8> {
        self.secret
            .public_key()
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// `header.publicKeyHash` of tokens made for this key.
    pub fn public_key_hash(&self) -> String {
        Base64::encode_string(&Sha256::digest(self.public_key_der()))
    }

    /// Opens `token_data` (the whole Apple Pay token as JSON, or its `paymentData`) made for
    /// this key's merchant identifier, at `now_ms` (milliseconds since the Unix epoch, for
    /// the signing time).
    pub fn open(&self, token_data: &str, now_ms: i64) -> Result<ApplePayment, TokenError> {
        self.open_for(token_data, &self.merchant_identifier, now_ms)
    }

    /// Opens a token made for `merchant_identifier` (a gateway's key serves many merchants;
    /// the KDF binds the token to one, so another merchant's token does not decrypt).
    pub fn open_for(
        &self,
        token_data: &str,
        merchant_identifier: &str,
        now_ms: i64,
    ) -> Result<ApplePayment, TokenError> {
        let token: Value = serde_json::from_str(token_data).map_err(|_| TokenError::Shape)?;
        let data = crate::guesses::apple_pay_data(&token);
        let data: PaymentData =
            serde_json::from_value(data.clone()).map_err(|_| TokenError::Shape)?;
        let signature = Base64::decode_vec(&data.signature)
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or(TokenError::Shape)?;
        let well_formed = data.version == "EC_v1"
            && !data.header.transaction_id.is_empty()
            && data
                .header
                .transaction_id
                .bytes()
                .all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Err(TokenError::Shape);
        }
        if data.header.public_key_hash != self.public_key_hash() {
            return Err(TokenError::OtherKey);
        }
        let ephemeral_der =
            Base64::decode_vec(&data.header.ephemeral_public_key).map_err(|_| TokenError::Shape)?;
        let ephemeral =
            PublicKey::from_public_key_der(&ephemeral_der).map_err(|_| TokenError::Shape)?;
        let ciphertext = Base64::decode_vec(&data.data).map_err(|_| TokenError::Shape)?;
        if let Some(root) = &self.signing_root {
            let signed = signed_content(&data.header, &ephemeral_der, &ciphertext)?;
            let now = Duration::from_millis(u64::try_from(now_ms).unwrap_or_default());
            root.verify(&signature, &signed, now)
                .map_err(TokenError::Signature)?;
        }
        let shared = diffie_hellman(self.secret.to_nonzero_scalar(), ephemeral.as_affine());
        let key = Zeroizing::new(derive_key(
            shared.raw_secret_bytes().as_ref(),
            merchant_identifier,
        ));
        let cipher = AesGcm::<Aes256, U16>::new_from_slice(key.as_ref())
            .map_err(|_| TokenError::Decryption)?;
        let plaintext = Zeroizing::new(
            cipher
                .decrypt(&[0u8; 16].into(), ciphertext.as_ref())
                .map_err(|_| TokenError::Decryption)?,
        );
        let plain: Plaintext =
            serde_json::from_slice(&plaintext).map_err(|_| TokenError::Decryption)?;
        let expiry = plain.application_expiration_date;
        if expiry.len() != 6 || !expiry.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TokenError::Decryption);
        }
        let member = |key: &str| {
            plain
                .payment_data
                .as_ref()
                .and_then(|d| d.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let mut identity = Sha256::new();
        identity.update(ephemeral.to_sec1_point(false).as_bytes());
        identity.update(&ciphertext);
        Ok(ApplePayment {
            one_time_id: base16ct::lower::encode_string(&identity.finalize()),
            transaction_amount: plain.transaction_amount,
            currency_code: plain.currency_code,
            cryptogram: member("onlinePaymentCryptogram"),
            eci: member("eciIndicator"),
            account_number: Zeroizing::new(plain.application_primary_account_number),
            expiry,
            cardholder_name: plain.cardholder_name,
            data_type: plain.payment_data_type,
        })
    }
}

/// What the token's signature covers: `ephemeralPublicKey ‖ data ‖ transactionId ‖
/// applicationData` (the key and data decoded from base64, the ids from hex).
fn signed_content(
    header: &Header,
    ephemeral_der: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, TokenError> {
    let hex = |text: &str| base16ct::mixed::decode_vec(text).map_err(|_| TokenError::Shape);
    let mut signed = [ephemeral_der, ciphertext].concat();
    signed.extend(hex(&header.transaction_id)?);
    if let Some(application_data) = &header.application_data {
        signed.extend(hex(application_data)?);
    }
    Ok(signed)
}

/// A new P-256 key from the OS's randomness (a draw outside the curve order is drawn again).
pub fn random_secret() -> SecretKey {
    loop {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::fill(&mut bytes[..]);
        if let Ok(secret) = SecretKey::from_slice(&bytes[..]) {
            return secret;
        }
    }
}

/// The symmetric key: SHA-256(counter 1 ‖ Z ‖ otherInfo), otherInfo = 0x0D ‖
/// "id-aes256-GCM" ‖ "Apple" ‖ SHA-256(merchant identifier).
pub fn derive_key(shared_secret: &[u8], merchant_identifier: &str) -> [u8; 32] {
    let mut kdf = Sha256::new();
    kdf.update([0, 0, 0, 1]);
    kdf.update(shared_secret);
    kdf.update([0x0d]);
    kdf.update(b"id-aes256-GCM");
    kdf.update(b"Apple");
    kdf.update(Sha256::digest(merchant_identifier.as_bytes()));
    kdf.finalize().into()
}

/// Apple's merchant identifier for a sandbox merchant (the merchant session names it).
pub fn merchant_identifier(merchant_id: &str) -> String {
    ["merchant.sandbox.", merchant_id].concat()
}
