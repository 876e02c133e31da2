//! Native interop: an independent JOSE implementation (josekit, OpenSSL-backed) decrypts
//! our `paykka-web JWE v1` output; tampering with any part makes decryption fail.

#![cfg(not(target_arch = "wasm32"))]

use base64ct::{Base64UrlUnpadded, Encoding};
use josekit::jwe::{self, alg::rsaes::RsaesJweDecrypter, RSA_OAEP_256};
use paykka_web::crypto::{
    encrypt_card, encrypt_field, CardFields, CryptoError, EncryptionContext, EncryptionKey,
    FieldName, Jwk,
};
use serde_json::Value;

struct TestKey {
    public_pem: String,
    public_jwk: String,
    decrypter: RsaesJweDecrypter,
}

fn test_key(bits: u32) -> TestKey {
    let pair = RSA_OAEP_256.generate_key_pair(bits).expect("keygen");
    TestKey {
        public_pem: String::from_utf8(pair.to_pem_public_key()).expect("pem"),
        public_jwk: pair.to_jwk_public_key().to_string(),
        decrypter: RSA_OAEP_256
            .decrypter_from_pem(pair.to_pem_private_key())
            .expect("decrypter"),
    }
}

fn decrypt(key: &TestKey, compact: &str) -> Result<(Value, Value), josekit::JoseError> {
    let (plaintext, header) = jwe::deserialize_compact(compact, &key.decrypter)?;
    let payload: Value = serde_json::from_slice(&plaintext).expect("payload is JSON");
    let header: Value = serde_json::from_str(&header.to_string()).expect("header is JSON");
    Ok((payload, header))
}

fn card() -> CardFields {
    CardFields {
        number: "4242 4242 4242 4242".into(),
        expiry_month: "7".into(),
        expiry_year: "31".into(),
        cvc: "123".into(),
    }
}

const NOW_MS: i64 = 1_796_210_477_123; // 2026-12-02T11:21:17.123Z

#[test]
fn josekit_decrypts_every_field_with_every_member() {
    let key = test_key(2048);
    let our_key = EncryptionKey::from_text(&key.public_pem, Some("key-2026-11")).unwrap();
    let context = EncryptionContext {
        now_ms: NOW_MS,
        session_id: Some("CS20261127000001".into()),
    };
    let encrypted = encrypt_card(&our_key, &card(), &context, &mut rand::rng()).unwrap();
    let cases = [
        (
            &encrypted.encrypted_card_number,
            "number",
            "4242424242424242",
        ),
        (&encrypted.encrypted_expire_month, "expiryMonth", "07"),
        (&encrypted.encrypted_expire_year, "expiryYear", "2031"),
        (&encrypted.encrypted_cvv, "cvc", "123"),
    ];
    let mut nonces = Vec::new();
    for (compact, field, value) in cases {
        assert_eq!(compact.split('.').count(), 5, "compact serialization");
        let (payload, header) = decrypt(&key, compact).expect("josekit decrypts");
        assert_eq!(header["alg"], "RSA-OAEP-256");
        assert_eq!(header["enc"], "A256GCM");
        assert_eq!(header["kid"], "key-2026-11");
        assert_eq!(header["cty"], "paykka-field+json;v=1");
        assert_eq!(header.as_object().unwrap().len(), 4, "{header}");
        assert_eq!(payload["field"], field);
        assert_eq!(payload["value"], value);
        assert_eq!(payload["generationtime"], "2026-12-02T11:21:17.123Z");
        assert_eq!(payload["sid"], "CS20261127000001");
        let nonce = payload["nonce"].as_str().unwrap();
        assert_eq!(Base64UrlUnpadded::decode_vec(nonce).unwrap().len(), 16);
        nonces.push(nonce.to_owned());
        assert_eq!(payload.as_object().unwrap().len(), 5, "{payload}");
        // Fresh 96-bit IV per field.
        let iv = compact.split('.').nth(2).unwrap();
        assert_eq!(Base64UrlUnpadded::decode_vec(iv).unwrap().len(), 12);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "a fresh nonce per field");
}

#[test]
fn every_key_size_and_format_round_trips() {
    for bits in [2048, 3072, 4096] {
        let key = test_key(bits);
        let our_key = EncryptionKey::from_text(&key.public_pem, None).unwrap();
        assert_eq!(our_key.bits(), bits as usize);
        let jwe = encrypt_field(
            &our_key,
            FieldName::Cvc,
            "1234",
            &EncryptionContext {
                now_ms: NOW_MS,
                session_id: None,
            },
            &mut rand::rng(),
        )
        .unwrap();
        let (payload, header) = decrypt(&key, &jwe).unwrap();
        assert_eq!(payload["value"], "1234");
        assert!(payload.get("sid").is_none());
        // Without a key id the RFC 7638 thumbprint is used: 32 bytes, base64url.
        let kid = header["kid"].as_str().unwrap();
        assert_eq!(Base64UrlUnpadded::decode_vec(kid).unwrap().len(), 32);
    }
}

fn context() -> EncryptionContext {
    EncryptionContext {
        now_ms: NOW_MS,
        session_id: None,
    }
}

fn b64_to_hex(b64: &str) -> String {
    Base64UrlUnpadded::decode_vec(b64)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn jwk_and_hex_pair_keys_work_like_pem() {
    let key = test_key(2048);
    let mut jwk: Jwk = serde_json::from_str(&key.public_jwk).unwrap();
    jwk.kid = Some("from-jwk".into());
    let from_jwk = EncryptionKey::from_jwk(&jwk, Some("ignored")).unwrap();
    assert_eq!(from_jwk.kid(), "from-jwk");
    let hex_pair = format!("{}|{}", b64_to_hex(&jwk.e), b64_to_hex(&jwk.n));
    let from_hex = EncryptionKey::from_text(&hex_pair, Some("from-hex")).unwrap();
    let from_pem = EncryptionKey::from_text(&key.public_pem, None).unwrap();
    // A secure origin's key names its id: the JWK's, else the one beside it; never a
    // thumbprint.
    let served = EncryptionKey::from_jwk_with_id(&jwk, Some("beside")).unwrap();
    assert_eq!(served.kid(), "from-jwk");
    jwk.kid = None;
    let thumbprinted = EncryptionKey::from_jwk(&jwk, None).unwrap();
    assert_eq!(
        thumbprinted.kid(),
        from_pem.kid(),
        "same key, same thumbprint"
    );
    let served_beside = EncryptionKey::from_jwk_with_id(&jwk, Some(" beside ")).unwrap();
    assert_eq!(served_beside.kid(), "beside");
    for missing in [None, Some(""), Some("  ")] {
        assert_eq!(
            EncryptionKey::from_jwk_with_id(&jwk, missing).unwrap_err(),
            CryptoError::KeyInvalid,
            "{missing:?}"
        );
    }
    for our_key in [from_jwk, from_hex, from_pem, served, served_beside] {
        let jwe = encrypt_field(
            &our_key,
            FieldName::Number,
            "4242424242424242",
            &context(),
            &mut rand::rng(),
        )
        .unwrap();
        let (payload, header) = decrypt(&key, &jwe).unwrap();
        assert_eq!(payload["value"], "4242424242424242");
        assert_eq!(header["kid"], our_key.kid());
    }
}

#[test]
fn tampering_with_any_part_fails() {
    let key = test_key(2048);
    let our_key = EncryptionKey::from_text(&key.public_pem, Some("k1")).unwrap();
    let jwe = encrypt_field(
        &our_key,
        FieldName::Cvc,
        "123",
        &context(),
        &mut rand::rng(),
    )
    .unwrap();
    assert!(decrypt(&key, &jwe).is_ok());
    let parts: Vec<&str> = jwe.split('.').collect();
    // A header that says another kid: the AAD no longer matches.
    let forged_header = Base64UrlUnpadded::encode_string(
        br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"k2","cty":"paykka-field+json;v=1"}"#,
    );
    let mut tampered = vec![{
        let mut p = parts.clone();
        p[0] = &forged_header;
        p.join(".")
    }];
    for index in 1..5 {
        let mut bytes = Base64UrlUnpadded::decode_vec(parts[index]).unwrap();
        bytes[0] ^= 0x01;
        let flipped = Base64UrlUnpadded::encode_string(&bytes);
        let mut p = parts.clone();
        p[index] = &flipped;
        tampered.push(p.join("."));
    }
    for (index, forged) in tampered.iter().enumerate() {
        assert!(
            decrypt(&key, forged).is_err(),
            "part {index} tampered but decrypted"
        );
    }
    // Another key cannot decrypt it either.
    assert!(decrypt(&test_key(2048), &jwe).is_err());
}

#[test]
fn distinct_ciphertexts_for_the_same_input() {
    let key = test_key(2048);
    let our_key = EncryptionKey::from_text(&key.public_pem, None).unwrap();
    let a = encrypt_field(
        &our_key,
        FieldName::Cvc,
        "123",
        &context(),
        &mut rand::rng(),
    )
    .unwrap();
    let b = encrypt_field(
        &our_key,
        FieldName::Cvc,
        "123",
        &context(),
        &mut rand::rng(),
    )
    .unwrap();
    assert_ne!(a, b);
    let (header_a, header_b) = (a.split('.').next(), b.split('.').next());
    assert_eq!(header_a, header_b, "the header is deterministic");
}

#[test]
fn bad_keys_are_typed_errors() {
    // josekit refuses to make a 1024-bit key; OpenSSL itself still does.
    let short = openssl::rsa::Rsa::generate(1024).unwrap();
    let short_pem = String::from_utf8(short.public_key_to_pem().unwrap()).unwrap();
    assert_eq!(
        EncryptionKey::from_text(&short_pem, None).unwrap_err(),
        CryptoError::KeyTooShort
    );
    let short_jwk = Jwk {
        kty: "RSA".into(),
        n: Base64UrlUnpadded::encode_string(&short.n().to_vec()),
        e: Base64UrlUnpadded::encode_string(&short.e().to_vec()),
        ..Jwk::default()
    };
    assert_eq!(
        EncryptionKey::from_jwk(&short_jwk, None).unwrap_err(),
        CryptoError::KeyTooShort
    );
    assert_eq!(
        EncryptionKey::from_components(&[0xff; 520], &[1, 0, 1], None).unwrap_err(),
        CryptoError::KeyTooLong
    );
    let mut even_modulus = vec![0xc5; 256];
    even_modulus[255] = 0x02;
    assert_eq!(
        EncryptionKey::from_components(&even_modulus, &[1, 0, 1], None).unwrap_err(),
        CryptoError::KeyInvalid
    );
    let good: Jwk = serde_json::from_str(&test_key(2048).public_jwk).unwrap();
    let cases: Vec<(Jwk, CryptoError)> = vec![
        (
            Jwk {
                kty: "EC".into(),
                ..good.clone()
            },
            CryptoError::KeyUnsupported,
        ),
        (
            Jwk {
                alg: Some("RSA1_5".into()),
                ..good.clone()
            },
            CryptoError::KeyUnsupported,
        ),
        (
            Jwk {
                key_use: Some("sig".into()),
                ..good.clone()
            },
            CryptoError::KeyUnsupported,
        ),
        (
            Jwk {
                n: "!!not base64!!".into(),
                ..good.clone()
            },
            CryptoError::KeyInvalid,
        ),
        (
            Jwk {
                e: "AQ".into(),
                ..good.clone()
            },
            CryptoError::KeyInvalid,
        ),
        (
            Jwk {
                n: String::new(),
                ..good.clone()
            },
            CryptoError::KeyInvalid,
        ),
    ];
    for (jwk, expected) in cases {
        assert_eq!(
            EncryptionKey::from_jwk(&jwk, None).unwrap_err(),
            expected,
            "{jwk:?}"
        );
        assert_eq!(
            EncryptionKey::from_jwk_with_id(&jwk, Some("kid")).unwrap_err(),
            expected,
            "{jwk:?}"
        );
    }
    for text in [
        "",
        "not a key",
        "-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----",
        "-----BEGIN RSA PUBLIC KEY-----\n\n-----END RSA PUBLIC KEY-----",
        "10001|zz",
        "|",
        "10001|",
    ] {
        assert_eq!(
            EncryptionKey::from_text(text, None).unwrap_err(),
            CryptoError::KeyInvalid,
            "{text:?}"
        );
    }
    assert_eq!(CryptoError::KeyTooShort.code(), "KEY_TOO_SHORT");
}

#[test]
fn card_values_are_checked_before_encryption() {
    let key = test_key(2048);
    let our_key = EncryptionKey::from_text(&key.public_pem, None).unwrap();
    let cases = [
        (
            CardFields {
                number: "4242".into(),
                ..card()
            },
            FieldName::Number,
        ),
        (
            CardFields {
                number: "4242 4242 4242 424x".into(),
                ..card()
            },
            FieldName::Number,
        ),
        (
            CardFields {
                expiry_month: "13".into(),
                ..card()
            },
            FieldName::ExpiryMonth,
        ),
        (
            CardFields {
                expiry_month: "".into(),
                ..card()
            },
            FieldName::ExpiryMonth,
        ),
        (
            CardFields {
                expiry_year: "3".into(),
                ..card()
            },
            FieldName::ExpiryYear,
        ),
        (
            CardFields {
                cvc: "12".into(),
                ..card()
            },
            FieldName::Cvc,
        ),
        (
            CardFields {
                cvc: "12a".into(),
                ..card()
            },
            FieldName::Cvc,
        ),
    ];
    for (fields, field) in cases {
        let err = encrypt_card(&our_key, &fields, &context(), &mut rand::rng()).unwrap_err();
        assert_eq!(err, CryptoError::Validation(field));
        assert_eq!(err.code(), "VALIDATION");
        let text = format!("{err} {err:?} {fields:?}");
        assert!(
            !text.contains("4242") && !text.contains("123"),
            "no card data in {text}"
        );
    }
}
