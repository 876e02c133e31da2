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

/// An Apple Pay token (`{paymentMethod, transactionIdentifier, paymentData}`) for `pan`
/// and a total of USD 3.00, encrypted to the base64 SPKI `recipient` for
/// `merchant_identifier`.
pub fn apple_pay_token(
    recipient: &str,
    merchant_identifier: &str,
    pan: &str,
    expiry_yymmdd: &str,
) -> Value {
    apple_pay_token_for(
        recipient,
        merchant_identifier,
        pan,
        expiry_yymmdd,
        300,
        "840",
    )
}

/// The same for a total of `amount` minor units of the ISO 4217 numeric `currency`.
pub fn apple_pay_token_for(
    recipient: &str,
    merchant_identifier: &str,
    pan: &str,
    expiry_yymmdd: &str,
    amount: i64,
    currency: &str,
) -> Value {
    let plaintext = json!({
        "applicationPrimaryAccountNumber": pan,
        "applicationExpirationDate": expiry_yymmdd,
        "currencyCode": currency,
        "transactionAmount": amount,
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
    google_pay_token_expiring(pan, month, year, Some("4102444800000"))
}

/// The same, with `messageExpiration` (milliseconds since the epoch) or none at all.
pub fn google_pay_token_expiring(
    pan: &str,
    month: u8,
    year: u16,
    expiration: Option<&str>,
) -> String {
    let mut id = [0u8; 16];
    openssl::rand::rand_bytes(&mut id).unwrap();
    let message = json!({
        "messageId": hex(&id),
        "messageExpiration": expiration,
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

/// Which of Apple's marks the test chain's certificates carry.
#[derive(Clone, Copy)]
pub struct Marks {
    pub leaf_oid: bool,
    pub intermediate_oid: bool,
}

impl Marks {
    pub const APPLE: Marks = Marks {
        leaf_oid: true,
        intermediate_oid: true,
    };
}

/// A certificate chain shaped like Apple's (a P-384 root, a P-256 intermediate CA, a P-256
/// leaf) that signs tokens the way Apple does: a detached CMS (PKCS #7) signature with a
/// signing time, over `ephemeralPublicKey ‖ data ‖ transactionId ‖ applicationData`.
pub struct ApplePki {
    pub root_pem: String,
    intermediate: openssl::x509::X509,
    leaf: openssl::x509::X509,
    leaf_key: PKey<openssl::pkey::Private>,
}

impl ApplePki {
    pub fn new(marks: Marks) -> ApplePki {
        use openssl::hash::MessageDigest;
        let key = |nid| {
            PKey::from_ec_key(EcKey::generate(&EcGroup::from_curve_name(nid).unwrap()).unwrap())
                .unwrap()
        };
        let (root_key, intermediate_key, leaf_key) = (
            key(Nid::SECP384R1),
            key(Nid::X9_62_PRIME256V1),
            key(Nid::X9_62_PRIME256V1),
        );
        let root = certificate("Test Root CA - G3", &root_key, None, true, None);
        let intermediate = certificate(
            "Test Application Integration CA - G3",
            &intermediate_key,
            Some((&root, &root_key, MessageDigest::sha384())),
            true,
            marks
                .intermediate_oid
                .then_some("1.2.840.113635.100.6.2.14"),
        );
        let leaf = certificate(
            "ecc-smp-broker-sign_UC4-SANDBOX",
            &leaf_key,
            Some((&intermediate, &intermediate_key, MessageDigest::sha256())),
            false,
            marks.leaf_oid.then_some("1.2.840.113635.100.6.29"),
        );
        ApplePki {
            root_pem: String::from_utf8(root.to_pem().unwrap()).unwrap(),
            intermediate,
            leaf,
            leaf_key,
        }
    }

    /// Signs `token` (made by `apple_pay_token`) in place.
    pub fn sign(&self, token: &mut Value) {
        use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
        use openssl::stack::Stack;
        let header = &token["paymentData"]["header"];
        let decode = |field: &Value| Base64::decode_vec(field.as_str().unwrap()).unwrap();
        let mut signed = decode(&header["ephemeralPublicKey"]);
        signed.extend(decode(&token["paymentData"]["data"]));
        let unhex = |text: &str| base16ct::mixed::decode_vec(text).unwrap();
        signed.extend(unhex(header["transactionId"].as_str().unwrap()));
        if let Some(application_data) = header["applicationData"].as_str() {
            signed.extend(unhex(application_data));
        }
        let mut chain = Stack::new().unwrap();
        chain.push(self.intermediate.clone()).unwrap();
        let signature = Pkcs7::sign(
            &self.leaf,
            &self.leaf_key,
            &chain,
            &signed,
            Pkcs7Flags::DETACHED | Pkcs7Flags::BINARY,
        )
        .unwrap();
        token["paymentData"]["signature"] =
            json!(Base64::encode_string(&signature.to_der().unwrap()));
    }
}

fn certificate(
    name: &str,
    key: &PKey<openssl::pkey::Private>,
    issuer: Option<(
        &openssl::x509::X509,
        &PKey<openssl::pkey::Private>,
        openssl::hash::MessageDigest,
    )>,
    ca: bool,
    apple_oid: Option<&str>,
) -> openssl::x509::X509 {
    use openssl::asn1::{Asn1Integer, Asn1Object, Asn1OctetString, Asn1Time};
    use openssl::bn::BigNum;
    use openssl::x509::extension::BasicConstraints;
    use openssl::x509::{X509Builder, X509Extension, X509NameBuilder};
    let mut subject = X509NameBuilder::new().unwrap();
    subject.append_entry_by_text("CN", name).unwrap();
    subject
        .append_entry_by_text("O", "paykka-web tests")
        .unwrap();
    let subject = subject.build();
    let mut builder = X509Builder::new().unwrap();
    builder.set_version(2).unwrap();
    let mut serial = [0u8; 8];
    openssl::rand::rand_bytes(&mut serial).unwrap();
    serial[0] &= 0x7f;
    let serial = Asn1Integer::from_bn(&BigNum::from_slice(&serial).unwrap()).unwrap();
    builder.set_serial_number(&serial).unwrap();
    builder.set_subject_name(&subject).unwrap();
    let issuer_name = issuer.map_or(&*subject, |(cert, _, _)| cert.subject_name());
    builder.set_issuer_name(issuer_name).unwrap();
    builder.set_pubkey(key).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    builder
        .set_not_before(&Asn1Time::from_unix(now - 86_400).unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::from_unix(now + 365 * 86_400).unwrap())
        .unwrap();
    let mut constraints = BasicConstraints::new();
    constraints.critical();
    if ca {
        constraints.ca();
    }
    builder
        .append_extension(constraints.build().unwrap())
        .unwrap();
    if let Some(oid) = apple_oid {
        let oid = Asn1Object::from_str(oid).unwrap();
        let null = Asn1OctetString::new_from_bytes(&[0x05, 0x00]).unwrap();
        builder
            .append_extension(X509Extension::new_from_der(&oid, false, &null).unwrap())
            .unwrap();
    }
    let (signer, digest) = issuer.map_or(
        (key, openssl::hash::MessageDigest::sha384()),
        |(_, k, d)| (k, d),
    );
    builder.sign(signer, digest).unwrap();
    builder.build()
}
