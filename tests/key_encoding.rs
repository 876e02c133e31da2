//! The key reader (`crypto::key_encoding`) held to the ASN.1 libraries it replaced in the
//! browser bundles (`pkcs1`, `spki`, their PEM decoder), thousands of generated and mutated
//! keys per property, and to OpenSSL's PEM for real keys.
#![cfg(not(target_arch = "wasm32"))]

use paykka_web::crypto::key_encoding::{pem_decode, rsa_public_key, spki_rsa_key};
use paykka_web::crypto::{CryptoError, EncryptionKey};
use pkcs1::der::asn1::{AnyRef, BitStringRef, UintRef};
use pkcs1::der::pem::LineEnding;
use pkcs1::der::{Decode, Encode, Tag, Tagged};
use proptest::prelude::*;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

type Components = (Vec<u8>, Vec<u8>);

/// A PKCS#1 `RSAPublicKey` as the `pkcs1` crate encodes it.
fn pkcs1_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    pkcs1::RsaPublicKey {
        modulus: UintRef::new(n).unwrap(),
        public_exponent: UintRef::new(e).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// That key in a `SubjectPublicKeyInfo` as the `spki` crate encodes it.
fn spki_der(pkcs1: &[u8], parameters: Option<AnyRef<'_>>) -> Vec<u8> {
    SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid: pkcs1::ALGORITHM_OID,
            parameters,
        },
        subject_public_key: BitStringRef::from_bytes(pkcs1).unwrap(),
    }
    .to_der()
    .unwrap()
}

fn library_pkcs1(der: &[u8]) -> Option<Components> {
    let key = pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(der).ok()?;
    Some((
        key.modulus.as_bytes().to_vec(),
        key.public_exponent.as_bytes().to_vec(),
    ))
}

/// The library's reading of an SPKI, and whether its parameters are absent or NULL (the
/// only ones RFC 3279 allows for rsaEncryption, and the only ones ours takes).
fn library_spki(der: &[u8]) -> Option<(Vec<u8>, bool)> {
    let info = SubjectPublicKeyInfoRef::try_from(der).ok()?;
    if info.algorithm.oid != pkcs1::ALGORITHM_OID {
        return None;
    }
    let plain = info
        .algorithm
        .parameters
        .is_none_or(|p| p.tag() == Tag::Null && p.value().is_empty());
    Some((info.subject_public_key.as_bytes()?.to_vec(), plain))
}

fn ours_pkcs1(der: &[u8]) -> Option<Components> {
    rsa_public_key(der)
        .ok()
        .map(|(n, e)| (n.to_vec(), e.to_vec()))
}

#[derive(Clone, Debug)]
enum Mutation {
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => any::<usize>().prop_map(Mutation::Remove),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut der: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let at = |i: usize, len: usize| i % (len + 1);
        match *m {
            Mutation::Set(i, b) if !der.is_empty() => {
                let i = i % der.len();
                der[i] = b;
            }
            Mutation::Insert(i, b) => der.insert(at(i, der.len()), b),
            Mutation::Remove(i) if !der.is_empty() => {
                der.remove(i % der.len());
            }
            Mutation::Truncate(i) => der.truncate(at(i, der.len())),
            _ => {}
        }
    }
    der
}

/// Moduli of any size up to a 4096-bit key's and beyond, exponents up to 9 bytes; leading
/// zeros and top bits set included.
fn components() -> impl Strategy<Value = Components> {
    (
        proptest::collection::vec(any::<u8>(), 1..600),
        proptest::collection::vec(any::<u8>(), 1..10),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn pkcs1_keys_read_as_the_library_reads_them((n, e) in components()) {
        let der = pkcs1_der(&n, &e);
        prop_assert_eq!(ours_pkcs1(&der), library_pkcs1(&der));
        prop_assert!(ours_pkcs1(&der).is_some());
    }

    #[test]
    fn mutated_pkcs1_keys_are_taken_or_refused_as_the_library_does(
        (n, e) in components(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let der = mutate(pkcs1_der(&n, &e), &mutations);
        prop_assert_eq!(ours_pkcs1(&der), library_pkcs1(&der));
    }

    #[test]
    fn spki_keys_read_as_the_library_reads_them(
        (n, e) in components(),
        null_parameters in any::<bool>(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let pkcs1 = pkcs1_der(&n, &e);
        let parameters = null_parameters.then_some(AnyRef::NULL);
        let der = mutate(spki_der(&pkcs1, parameters), &mutations);
        let ours = spki_rsa_key(&der).ok().map(<[u8]>::to_vec);
        match library_spki(&der) {
            Some((key, true)) => prop_assert_eq!(ours, Some(key)),
            Some((_, false)) | None => prop_assert_eq!(ours, None),
        }
        if mutations.is_empty() {
            prop_assert_eq!(spki_rsa_key(&der).ok(), Some(&pkcs1[..]));
        }
    }

    #[test]
    fn pem_reads_as_the_library_writes_it(
        der in proptest::collection::vec(any::<u8>(), 0..700),
        crlf in any::<bool>(),
        label in prop_oneof![Just("PUBLIC KEY"), Just("RSA PUBLIC KEY"), Just("CERTIFICATE")],
    ) {
        let ending = if crlf { LineEnding::CRLF } else { LineEnding::LF };
        let pem = pkcs1::der::pem::encode_string(label, ending, &der).unwrap();
        let (read_label, read) = pem_decode(&pem).unwrap();
        prop_assert_eq!(read_label, label);
        prop_assert_eq!(&read, &der);
        // As a merchant might paste it: rewrapped, indented, with a blank line after.
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let rewrapped: Vec<&str> = body.as_bytes().chunks(50).map(|c| std::str::from_utf8(c).unwrap()).collect();
        let pasted = format!("  -----BEGIN {label}-----\n  {}\n-----END {label}-----\n\n", rewrapped.join("\n  "));
        prop_assert_eq!(pem_decode(&pasted).unwrap().1, der);
    }

    #[test]
    fn anything_is_refused_with_a_typed_error_never_a_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        text in any::<String>(),
    ) {
        let _ = rsa_public_key(&bytes);
        let _ = spki_rsa_key(&bytes);
        let _ = pem_decode(&text);
        let armoured = format!("-----BEGIN PUBLIC KEY-----\n{text}\n-----END PUBLIC KEY-----");
        let _ = EncryptionKey::from_text(&armoured, None);
    }
}

#[test]
fn openssl_keys_of_each_form_give_the_same_key() {
    let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
    let spki = String::from_utf8(rsa.public_key_to_pem().unwrap()).unwrap();
    let pkcs1 = String::from_utf8(rsa.public_key_to_pem_pkcs1().unwrap()).unwrap();
    assert!(spki.contains("BEGIN PUBLIC KEY") && pkcs1.contains("BEGIN RSA PUBLIC KEY"));
    for pem in [spki, pkcs1] {
        let key = EncryptionKey::from_text(&pem, None).unwrap();
        assert_eq!(key.modulus(), rsa.n().to_vec());
        assert_eq!(key.exponent(), rsa.e().to_vec());
    }
}

#[test]
fn keys_of_other_algorithms_and_labels_are_unsupported() {
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    let ec = EcKey::generate(&group).unwrap();
    let ec_pem = String::from_utf8(ec.public_key_to_pem().unwrap()).unwrap();
    assert_eq!(
        EncryptionKey::from_text(&ec_pem, None).unwrap_err(),
        CryptoError::KeyUnsupported
    );
    let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
    let pem = String::from_utf8(rsa.public_key_to_pem().unwrap()).unwrap();
    let relabelled = [
        // Another label throughout: not a key this reads.
        ("PUBLIC KEY", "CERTIFICATE", CryptoError::KeyUnsupported),
        // An end line that does not match the begin line.
        (
            "END PUBLIC KEY",
            "END RSA PUBLIC KEY",
            CryptoError::KeyInvalid,
        ),
    ];
    for (from, to, expected) in relabelled {
        assert_eq!(
            EncryptionKey::from_text(&pem.replace(from, to), None).unwrap_err(),
            expected,
            "{from} → {to}"
        );
    }
}

#[test]
fn non_canonical_der_is_refused_as_the_library_refuses_it() {
    // SEQUENCE { INTEGER 0x00c5…, INTEGER 65537 } and its bad spellings.
    let mut modulus = vec![0x02, 0x81, 0x81, 0x00];
    modulus.extend([0xc5; 128]);
    let exponent = [0x02, 0x03, 0x01, 0x00, 0x01];
    let sequence = |header: &[u8], body: &[&[u8]]| {
        let mut der = header.to_vec();
        body.iter().for_each(|part| der.extend_from_slice(part));
        der
    };
    let good = sequence(&[0x30, 0x81, 0x89], &[&modulus, &exponent]);
    assert!(ours_pkcs1(&good).is_some() && library_pkcs1(&good).is_some());
    let bad_exponents: [&[u8]; 4] = [
        &[0x02, 0x81, 0x03, 0x01, 0x00, 0x01], // long form for a short length
        &[0x02, 0x04, 0x00, 0x01, 0x00, 0x01], // a zero byte that is not a sign byte
        &[0x02, 0x03, 0x81, 0x00, 0x01],       // negative
        &[0x02, 0x00],                         // empty
    ];
    for exponent in bad_exponents {
        let header = [0x30, 0x81, (modulus.len() + exponent.len()) as u8];
        let der = sequence(&header, &[&modulus, exponent]);
        assert_eq!(ours_pkcs1(&der), None, "{exponent:02x?}");
        assert_eq!(library_pkcs1(&der), None, "{exponent:02x?}");
    }
    let bad_sequences = [
        sequence(&[0x30, 0x82, 0x00, 0x89], &[&modulus, &exponent]), // length's leading zero
        sequence(&[0x30, 0x80], &[&modulus, &exponent, &[0, 0]]),    // indefinite length
        sequence(&[0x30, 0x81, 0x89], &[&modulus, &exponent, &[0]]), // a byte after the end
        sequence(&[0x31, 0x81, 0x89], &[&modulus, &exponent]),       // a SET
    ];
    for der in bad_sequences {
        assert_eq!(ours_pkcs1(&der), None, "{der:02x?}");
        assert_eq!(library_pkcs1(&der), None, "{der:02x?}");
    }
}
