//! Wallet tokens made the way Apple and Google make them, with OpenSSL (an implementation
//! independent of the one under test): Apple Pay `EC_v1` encrypted to a processing key,
//! and the sandbox's Google Pay `ECv2` test tokens.

#![allow(dead_code)]

use base64ct::{Base64, Encoding};
use openssl::derive::Deriver;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::sha::sha256;
use openssl::symm::{encrypt_aead, Cipher};
use serde_json::{json, Value};

/// An Apple Pay token (`{paymentMethod, transactionIdentifier, paymentData}`) for `pan`,
/// encrypted to the base64 SPKI `recipient` for `merchant_identifier`.
pub fn apple_pay_token(
    recipient: &str,
    merchant_identifier: &str,
    pan: &str,
    expiry_yymmdd: &str,
) -> Value {
    let plaintext = json!({
        "applicationPrimaryAccountNumber": pan,
        "applicationExpirationDate": expiry_yymmdd,
        "currencyCode": "840",
        "transactionAmount": 300,
        "deviceManufacturerIdentifier": "040010030273",
        "paymentDataType": "3DSecure",
        "paymentData": {"onlinePaymentCryptogram": "AOE9J1MAAhHoBfZM6EBIAoABFA==", "eciIndicator": "5"}
    });
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    let ephemeral = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
    let recipient_der = Base64::decode_vec(recipient).unwrap();
    let peer = PKey::public_key_from_der(&recipient_der).unwrap();
    let mut deriver = Deriver::new(&ephemeral).unwrap();
    deriver.set_peer(&peer).unwrap();
    let z = deriver.derive_to_vec().unwrap();
    let mut other_info = vec![0x0d];
    other_info.extend_from_slice(b"id-aes256-GCM");
    other_info.extend_from_slice(b"Apple");
    other_info.extend_from_slice(&sha256(merchant_identifier.as_bytes()));
    let key = sha256(&[&[0, 0, 0, 1][..], &z, &other_info].concat());
    let mut tag = [0u8; 16];
    let mut data = encrypt_aead(
        Cipher::aes_256_gcm(),
        &key,
        Some(&[0u8; 16]),
        &[],
        plaintext.to_string().as_bytes(),
        &mut tag,
    )
    .unwrap();
    data.extend_from_slice(&tag);
    let mut id = [0u8; 32];
    openssl::rand::rand_bytes(&mut id).unwrap();
    json!({
        "paymentMethod": {"displayName": "Visa 4242", "network": "Visa", "type": "credit"},
        "transactionIdentifier": hex(&id),
        "paymentData": {
            "version": "EC_v1",
            "data": Base64::encode_string(&data),
            "signature": Base64::encode_string(b"sandbox tokens are not signed by Apple"),
            "header": {
                "ephemeralPublicKey": Base64::encode_string(&ephemeral.public_key_to_der().unwrap()),
                "publicKeyHash": Base64::encode_string(&sha256(&recipient_der)),
                "transactionId": hex(&id),
            }
        }
    })
}

/// A sandbox Google Pay token for `pan` (the string `tokenizationData.token` holds).
pub fn google_pay_token(pan: &str, month: u8, year: u16) -> String {
    let mut id = [0u8; 16];
    openssl::rand::rand_bytes(&mut id).unwrap();
    let message = json!({
        "messageId": hex(&id),
        "messageExpiration": "4102444800000",
        "paymentMethod": "CARD",
        "paymentMethodDetails": {"pan": pan, "expirationMonth": month, "expirationYear": year, "authMethod": "PAN_ONLY"}
    });
    let signed = json!({
        "encryptedMessage": Base64::encode_string(message.to_string().as_bytes()),
        "ephemeralPublicKey": "BOdoXP+9Aq473SnGwg3JU1aiNpsd9vH2ognq4PtDtlLGa3Kj8TPf+jaQNPyDSkh3JUhiS0KyrrlWhAgNZKHYF2Y=",
        "tag": "me2qB4aVk8SX8+7Bt6Sx+0pXnz6tHZjcmgQ5/FlafiQ="
    });
    json!({
        "signature": "MEQCIH6Q4OwQ0jAceFEkGF0JID6sJNXxOEi4r+mA7biRxqBQAiAondqoUpU/bdsrAOpZIsrHQS9nwiiNwOrr24RyPeHA0Q==",
        "intermediateSigningKey": {
            "signedKey": "{\"keyExpiration\":\"4102444800000\",\"keyValue\":\"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\"}",
            "signatures": ["MEYCIQCO2EIi48s8VTH+ilMEpoXLFfkxAwHjfPSCVED/QDSHmQIhALLJmrUlNAY8hDQRV/y1iKZGsWpeNmIP+z+tCQHQxP0v"]
        },
        "protocolVersion": "ECv2",
        "signedMessage": signed.to_string()
    })
    .to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
