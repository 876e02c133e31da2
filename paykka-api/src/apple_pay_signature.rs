//! The detached CMS signature of an Apple Pay `EC_v1` token, checked as Apple's token
//! reference asks before anything is decrypted: the signer is a leaf certificate carrying
//! Apple's OID 1.2.840.113635.100.6.29, issued by an intermediate carrying
//! 1.2.840.113635.100.6.2.14, issued by the trusted root (Apple Root CA – G3 in
//! production); each certificate's signature verifies with its issuer's key and is valid
//! at signing time; the signed attributes hold the SHA-256 of `ephemeralPublicKey ‖ data ‖
//! transactionId ‖ applicationData` and a signing time within a few minutes of now; and the
//! leaf's key (ECDSA P-256) verifies the signature over those attributes.

use std::time::Duration;

use cms::cert::x509::attr::Attribute;
use cms::cert::x509::der::asn1::ObjectIdentifier;
use cms::cert::x509::der::{Decode, Encode};
use cms::cert::x509::ext::pkix::BasicConstraints;
use cms::cert::x509::time::Time;
use cms::cert::x509::Certificate;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use sha2::{Digest, Sha256, Sha384};

/// Apple Root CA – G3 (public; SHA-256 fingerprint 63:34:3A:BF:…:3E:91:79).
pub const APPLE_ROOT_CA_G3: &str = include_str!("apple_root_ca_g3.pem");

/// How far a token's signing time may be from now (Apple: "a few minutes").
pub const SIGNING_TIME_TOLERANCE: Duration = Duration::from_secs(5 * 60);

const LEAF_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113635.100.6.29");
const INTERMEDIATE_OID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113635.100.6.2.14");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// Why a signature is refused (no token content in the texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature is not a CMS SignedData with one signer")]
    Encoding,
    #[error("the signer's certificates do not chain to the trusted root")]
    Chain,
    #[error("a certificate lacks Apple's Apple Pay OID")]
    NotApplePay,
    #[error("the signed content is not this token's")]
    Digest,
    #[error("the signature does not verify")]
    Signature,
    #[error("the signing time is missing or too far from now")]
    SigningTime,
}

/// The root that Apple Pay token signatures must chain to.
pub struct TrustRoot {
    root: Certificate,
}

impl TrustRoot {
    /// The root certificate in `pem`, which must be a self-signed CA.
    pub fn from_pem(pem: &str) -> anyhow::Result<TrustRoot> {
        let body: String = pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(body.trim())
            .map_err(|_| anyhow::anyhow!("the trust root is not a PEM certificate"))?;
        let root = Certificate::from_der(&der)
            .map_err(|_| anyhow::anyhow!("the trust root is not an X.509 certificate"))?;
        issued_by(&root, &root)
            .map_err(|_| anyhow::anyhow!("the trust root is not self-signed"))?;
        if !is_ca(&root) {
            anyhow::bail!("the trust root is not a CA certificate");
        }
        Ok(TrustRoot { root })
    }

    /// The root a command line names: `apple` (Apple Root CA – G3, for real tokens) or a
    /// PEM file (a test root); none: signatures are not checked (test tokens only).
    pub fn named(name: Option<&str>) -> anyhow::Result<Option<std::sync::Arc<TrustRoot>>> {
        let root = match name {
            None => {
                tracing::warn!("Apple Pay token signatures are not verified (test tokens only)");
                return Ok(None);
            }
            Some("apple") => TrustRoot::apple(),
            Some(path) => {
                let pem = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("reading the Apple Pay signing root {path}: {e}")
                })?;
                TrustRoot::from_pem(&pem)?
            }
        };
        Ok(Some(std::sync::Arc::new(root)))
    }

    /// Apple Root CA – G3.
    pub fn apple() -> TrustRoot {
        TrustRoot::from_pem(APPLE_ROOT_CA_G3).expect("the embedded Apple root parses")
    }

    /// Checks `signature` (DER) over `signed` at `now` (since the Unix epoch).
    pub fn verify(
        &self,
        signature: &[u8],
        signed: &[u8],
        now: Duration,
    ) -> Result<(), SignatureError> {
        let content = ContentInfo::from_der(signature).map_err(|_| SignatureError::Encoding)?;
        if content.content_type != SIGNED_DATA {
            return Err(SignatureError::Encoding);
        }
        let data: SignedData = content
            .content
            .decode_as()
            .map_err(|_| SignatureError::Encoding)?;
        let [signer] = data.signer_infos.0.as_slice() else {
            return Err(SignatureError::Encoding);
        };
        let certificates: Vec<&Certificate> = data
            .certificates
            .as_ref()
            .map(|set| {
                set.0
                    .iter()
                    .filter_map(|c| match c {
                        CertificateChoices::Certificate(cert) => Some(cert),
                        CertificateChoices::Other(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let leaf = certificates
            .iter()
            .copied()
            .find(|c| has_extension(c, &LEAF_OID))
            .ok_or(SignatureError::NotApplePay)?;
        let intermediate = certificates
            .iter()
            .copied()
            .find(|c| has_extension(c, &INTERMEDIATE_OID))
            .ok_or(SignatureError::NotApplePay)?;
        let SignerIdentifier::IssuerAndSerialNumber(id) = &signer.sid else {
            return Err(SignatureError::Encoding);
        };
        let tbs = &leaf.tbs_certificate;
        if id.issuer != tbs.issuer || id.serial_number != tbs.serial_number {
            return Err(SignatureError::Encoding);
        }
        if !is_ca(intermediate) {
            return Err(SignatureError::Chain);
        }
        issued_by(intermediate, &self.root)?;
        issued_by(leaf, intermediate)?;

        let attributes = signer
            .signed_attrs
            .as_ref()
            .ok_or(SignatureError::Encoding)?;
        if signer.digest_alg.oid != SHA256 {
            return Err(SignatureError::Encoding);
        }
        let digest = attribute(attributes.iter(), &MESSAGE_DIGEST)
            .and_then(|v| {
                v.decode_as::<cms::cert::x509::der::asn1::OctetString>()
                    .ok()
            })
            .ok_or(SignatureError::Encoding)?;
        if digest.as_bytes() != Sha256::digest(signed).as_slice() {
            return Err(SignatureError::Digest);
        }
        let signed_at = attribute(attributes.iter(), &SIGNING_TIME)
            .and_then(|v| Time::from_der(&v.to_der().ok()?).ok())
            .map(|t| t.to_unix_duration())
            .ok_or(SignatureError::SigningTime)?;
        if now.abs_diff(signed_at) > SIGNING_TIME_TOLERANCE {
            return Err(SignatureError::SigningTime);
        }
        for cert in [leaf, intermediate, &self.root] {
            let validity = &cert.tbs_certificate.validity;
            let valid = validity.not_before.to_unix_duration() <= signed_at
                && signed_at <= validity.not_after.to_unix_duration();
            if !valid {
                return Err(SignatureError::Chain);
            }
        }
        // The signature covers the attributes' DER as a SET OF (not their [0] tag).
        let attributes_der = attributes.to_der().map_err(|_| SignatureError::Encoding)?;
        verify_ecdsa(
            leaf,
            &signer.signature_algorithm.oid,
            &attributes_der,
            signer.signature.as_bytes(),
        )
        .map_err(|_| SignatureError::Signature)
    }
}

fn attribute<'a>(
    mut attributes: impl Iterator<Item = &'a Attribute>,
    oid: &ObjectIdentifier,
) -> Option<&'a cms::cert::x509::der::Any> {
    let found = attributes.find(|a| a.oid == *oid)?;
    match found.values.as_slice() {
        [value] => Some(value),
        _ => None,
    }
}

fn has_extension(cert: &Certificate, oid: &ObjectIdentifier) -> bool {
    cert.tbs_certificate
        .extensions
        .as_ref()
        .is_some_and(|exts| exts.iter().any(|e| e.extn_id == *oid))
}

fn is_ca(cert: &Certificate) -> bool {
    cert.tbs_certificate
        .extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == BASIC_CONSTRAINTS))
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .is_some_and(|c| c.ca)
}

/// `cert` names `issuer` as its issuer and carries a signature `issuer`'s key verifies.
fn issued_by(cert: &Certificate, issuer: &Certificate) -> Result<(), SignatureError> {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return Err(SignatureError::Chain);
    }
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|_| SignatureError::Encoding)?;
    let signature = cert.signature.as_bytes().ok_or(SignatureError::Encoding)?;
    verify_ecdsa(issuer, &cert.signature_algorithm.oid, &tbs, signature)
        .map_err(|_| SignatureError::Chain)
}

/// Verifies an ECDSA (P-256 or P-384) DER `signature` of `message` with `signer`'s key,
/// hashing as `algorithm` (ecdsa-with-SHA256 or -SHA384) says.
fn verify_ecdsa(
    signer: &Certificate,
    algorithm: &ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
) -> Result<(), ()> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let prehash = match *algorithm {
        ECDSA_SHA256 => Sha256::digest(message).to_vec(),
        ECDSA_SHA384 => Sha384::digest(message).to_vec(),
        _ => return Err(()),
    };
    let spki = &signer.tbs_certificate.subject_public_key_info;
    let curve: ObjectIdentifier = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as().ok())
        .ok_or(())?;
    let point = spki.subject_public_key.as_bytes().ok_or(())?;
    match curve {
        P256 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| ())?;
            let signature = p256::ecdsa::Signature::from_der(signature).map_err(|_| ())?;
            key.verify_prehash(&prehash, &signature).map_err(|_| ())
        }
        P384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| ())?;
            let signature = p384::ecdsa::Signature::from_der(signature).map_err(|_| ())?;
            key.verify_prehash(&prehash, &signature).map_err(|_| ())
        }
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_apple_root_is_apple_root_ca_g3() {
        let root = TrustRoot::apple();
        let der = root.root.to_der().unwrap();
        let fingerprint: Vec<String> = Sha256::digest(&der)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        assert_eq!(
            fingerprint.join(":"),
            "63:34:3A:BF:B8:9A:6A:03:EB:B5:7E:9B:3F:5F:A7:BE:7C:4F:5C:75:6F:30:17:B3:A8:C4:88:C3:65:3E:91:79"
        );
        assert!(is_ca(&root.root));
    }

    #[test]
    fn garbage_is_an_encoding_error() {
        let root = TrustRoot::apple();
        let now = Duration::from_secs(1_800_000_000);
        assert_eq!(root.verify(b"", b"x", now), Err(SignatureError::Encoding));
        assert_eq!(
            root.verify(b"sandbox tokens are not signed", b"x", now),
            Err(SignatureError::Encoding)
        );
    }
}
