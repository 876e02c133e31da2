//! The encodings a merchant's RSA public key comes in: PEM armour around DER, and the two
//! DER shapes it may hold, PKCS#1 `RSAPublicKey` and X.509 `SubjectPublicKeyInfo` with
//! `rsaEncryption`. Strict DER only: definite, minimal lengths; minimal, non-negative
//! integers; nothing left over. Two fixed shapes do not need a general ASN.1 library,
//! which cost every browser bundle that reads keys about 11 KB gzip; the native tests
//! hold this reader to the `pkcs1` and `spki` crates on generated and mutated keys.

use base64ct::{Base64, Encoding};

use super::CryptoError;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const NULL: u8 = 0x05;
const OBJECT_IDENTIFIER: u8 = 0x06;

/// rsaEncryption (1.2.840.113549.1.1.1), the content of its DER OBJECT IDENTIFIER.
const RSA_ENCRYPTION: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// The label and the bytes of a PEM text (`-----BEGIN <label>-----`, base64 lines,
/// `-----END <label>-----`). Lines may be of any length and end in LF or CRLF.
pub fn pem_decode(text: &str) -> Result<(&str, Vec<u8>), CryptoError> {
    let invalid = || CryptoError::KeyInvalid;
    let rest = text
        .trim()
        .strip_prefix("-----BEGIN ")
        .ok_or_else(invalid)?;
    // A label has no '-' (and a `str` pattern here would bring a searcher and its panics).
    let (label, rest) = rest.split_once('-').ok_or_else(invalid)?;
    let rest = rest.strip_prefix("----").ok_or_else(invalid)?;
    let end = ["-----END ", label, "-----"].concat();
    let body = rest.strip_suffix(end.as_str()).ok_or_else(invalid)?;
    let base64: String = body.split_ascii_whitespace().collect();
    let der = Base64::decode_vec(&base64).map_err(|_| invalid())?;
    Ok((label, der))
}

/// Reads DER elements one after another from a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// The content of the next element, which must be tagged `tag`.
    fn element(&mut self, tag: u8) -> Result<&'a [u8], CryptoError> {
        let invalid = || CryptoError::KeyInvalid;
        let (&found, rest) = self.0.split_first().ok_or_else(invalid)?;
        let (&first, rest) = rest.split_first().ok_or_else(invalid)?;
        if found != tag {
            return Err(invalid());
        }
        let (length, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            // The long form: one or two length bytes (a key is under 64 KB), no leading
            // zero, and only for lengths the short form cannot say.
            let count = usize::from(first & 0x7f);
            let (bytes, rest) = rest
                .split_at_checked(count)
                .filter(|_| (1..=2).contains(&count))
                .ok_or_else(invalid)?;
            let length = bytes
                .iter()
                .fold(0, |length, byte| length << 8 | usize::from(*byte));
            if bytes[0] == 0 || length < 0x80 {
                return Err(invalid());
            }
            (length, rest)
        };
        let (content, rest) = rest.split_at_checked(length).ok_or_else(invalid)?;
        self.0 = rest;
        Ok(content)
    }

    /// Nothing may follow the last element read.
    fn finish(&self) -> Result<(), CryptoError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(CryptoError::KeyInvalid)
        }
    }

    /// The content of a SEQUENCE that makes up the whole of `der`, to read from.
    fn whole_sequence(der: &'a [u8]) -> Result<Reader<'a>, CryptoError> {
        let mut outer = Reader(der);
        let content = outer.element(SEQUENCE)?;
        outer.finish()?;
        Ok(Reader(content))
    }

    /// The next element, an INTEGER that must be non-negative, as big-endian bytes
    /// without its sign byte.
    fn unsigned(&mut self) -> Result<&'a [u8], CryptoError> {
        match self.element(INTEGER)? {
            [] => Err(CryptoError::KeyInvalid),
            [first, ..] if first & 0x80 != 0 => Err(CryptoError::KeyInvalid),
            // A zero byte is there only to keep the next one's top bit from the sign.
            [0, next, ..] if next & 0x80 == 0 => Err(CryptoError::KeyInvalid),
            [0, rest @ ..] if !rest.is_empty() => Ok(rest),
            content => Ok(content),
        }
    }
}

/// The modulus and public exponent of a PKCS#1 `RSAPublicKey`.
pub fn rsa_public_key(der: &[u8]) -> Result<(&[u8], &[u8]), CryptoError> {
    let mut key = Reader::whole_sequence(der)?;
    let modulus = key.unsigned()?;
    let exponent = key.unsigned()?;
    key.finish()?;
    Ok((modulus, exponent))
}

/// The PKCS#1 key inside an X.509 `SubjectPublicKeyInfo`. Another algorithm than
/// `rsaEncryption` is `KeyUnsupported`; its parameters must be absent or NULL.
pub fn spki_rsa_key(der: &[u8]) -> Result<&[u8], CryptoError> {
    let mut info = Reader::whole_sequence(der)?;
    let mut algorithm = Reader(info.element(SEQUENCE)?);
    if algorithm.element(OBJECT_IDENTIFIER)? != RSA_ENCRYPTION {
        return Err(CryptoError::KeyUnsupported);
    }
    if !algorithm.0.is_empty() && !algorithm.element(NULL)?.is_empty() {
        return Err(CryptoError::KeyInvalid);
    }
    algorithm.finish()?;
    let key = match info.element(BIT_STRING)? {
        // No unused bits: the key is whole bytes.
        [0, key @ ..] => key,
        _ => return Err(CryptoError::KeyInvalid),
    };
    info.finish()?;
    Ok(key)
}
