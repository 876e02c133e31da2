//! What fields and the host say to each other, as typed values, and the decoding of what
//! arrives over `postMessage` (untrusted data: any shape, any size). Decoding goes through
//! the small `MessageData` view, so the same code runs on browser objects and, in tests, on
//! arbitrary JSON. Nothing decoded can carry card data: the number field's report keeps at
//! most a BIN and the last four digits, and results are ciphertexts bound to their slot.

use crate::card::{Brand, FieldError, Validity};

use super::field::FieldKind;
use super::model::FieldReport;

/// Read access to one received message (a plain object).
pub trait MessageData {
    /// A string member.
    fn text(&self, key: &str) -> Option<String>;
    /// A number member.
    fn number(&self, key: &str) -> Option<f64>;
    /// A boolean member (`false` when absent or not a boolean).
    fn flag(&self, key: &str) -> bool;
    /// The string members of an object member.
    fn entries(&self, key: &str) -> Option<Vec<(String, String)>>;
}

/// The protocol version every message carries.
pub const VERSION: f64 = 1.0;

/// Where an encrypted value goes in the `encrypt()` result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    CardNumber,
    ExpireMonth,
    ExpireYear,
    Cvv,
    HolderName,
}

impl Slot {
    pub const ALL: [Slot; 5] = [
        Slot::CardNumber,
        Slot::ExpireMonth,
        Slot::ExpireYear,
        Slot::Cvv,
        Slot::HolderName,
    ];

    /// The member name in the `encrypt()` result.
    pub fn id(self) -> &'static str {
        match self {
            Slot::CardNumber => "encryptedCardNumber",
            Slot::ExpireMonth => "encryptedExpireMonth",
            Slot::ExpireYear => "encryptedExpireYear",
            Slot::Cvv => "encryptedCVV",
            Slot::HolderName => "holderName",
        }
    }

    pub fn from_id(id: &str) -> Option<Slot> {
        Slot::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The field whose value fills the slot.
    pub fn field(self) -> &'static [FieldKind] {
        match self {
            Slot::CardNumber => &[FieldKind::CardNumber],
            Slot::ExpireMonth => &[FieldKind::ExpiryDate, FieldKind::ExpiryMonth],
            Slot::ExpireYear => &[FieldKind::ExpiryDate, FieldKind::ExpiryYear],
            Slot::Cvv => &[FieldKind::SecurityCode],
            Slot::HolderName => &[FieldKind::HolderName],
        }
    }
}

/// Why a field could not set itself up or encrypt: a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    InvalidOption,
    InsecureContext,
    OriginNotAllowed,
    KeyFetchFailed,
    KeyInvalid,
    KeyTooShort,
    KeyTooLong,
    KeyUnsupported,
    Validation,
    EncryptionFailed,
}

impl Failure {
    pub const ALL: [Failure; 10] = [
        Failure::InvalidOption,
        Failure::InsecureContext,
        Failure::OriginNotAllowed,
        Failure::KeyFetchFailed,
        Failure::KeyInvalid,
        Failure::KeyTooShort,
        Failure::KeyTooLong,
        Failure::KeyUnsupported,
        Failure::Validation,
        Failure::EncryptionFailed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Failure::InvalidOption => "INVALID_OPTION",
            Failure::InsecureContext => "INSECURE_CONTEXT",
            Failure::OriginNotAllowed => "ORIGIN_NOT_ALLOWED",
            Failure::KeyFetchFailed => "KEY_FETCH_FAILED",
            Failure::KeyInvalid => "KEY_INVALID",
            Failure::KeyTooShort => "KEY_TOO_SHORT",
            Failure::KeyTooLong => "KEY_TOO_LONG",
            Failure::KeyUnsupported => "KEY_UNSUPPORTED",
            Failure::Validation => "VALIDATION",
            Failure::EncryptionFailed => "ENCRYPTION_FAILED",
        }
    }

    pub fn from_code(code: &str) -> Option<Failure> {
        Failure::ALL.into_iter().find(|f| f.code() == code)
    }

    /// A readable message (no secrets involved).
    pub fn message(self) -> &'static str {
        match self {
            Failure::OriginNotAllowed => "this page's origin is not registered for the client key",
            Failure::KeyFetchFailed => "the secure origin could not give the encryption key",
            Failure::KeyInvalid
            | Failure::KeyTooShort
            | Failure::KeyTooLong
            | Failure::KeyUnsupported => "the encryption key is not usable",
            Failure::EncryptionFailed | Failure::Validation => "the card could not be encrypted",
            Failure::InvalidOption => "the frame got malformed options",
            Failure::InsecureContext => {
                "the secure origin offers no WebCrypto: serve it over https (or from localhost)"
            }
        }
    }
}

/// From a field to the host.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldMessage {
    /// The frame booted and waits for its configuration.
    Hello,
    /// Configured and able to encrypt.
    Ready,
    Report(FieldReport),
    /// Complete and valid: focus may move on.
    Complete,
    /// The shopper pressed Enter.
    Enter,
    /// An edit was refused (e.g. letters pasted).
    Rejected(FieldError),
    /// The frame's content height changed (frames mode).
    Height(f64),
    /// The field's result slots for an encrypt request.
    Encrypted {
        request: u32,
        values: Vec<(Slot, String)>,
    },
    /// The field is invalid, so nothing was encrypted.
    Invalid {
        request: u32,
        error: FieldError,
    },
    /// A setup (request 0) or encryption failure.
    Failed {
        request: u32,
        failure: Failure,
    },
    /// The frame took the options of configure number `update` (an `update()`'s; the first
    /// configure is answered by `Ready`).
    Configured {
        update: u32,
    },
    /// The frame refused the options of configure number `update` (0: the first), saying
    /// which option and why (`styles.base.color: value not allowed`).
    Refused {
        update: u32,
        reason: String,
    },
}

/// From the host to a field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldCommand {
    Focus,
    Validate,
    Brand(Option<Brand>),
    Clear,
    Disable(bool),
    Encrypt(u32),
}

/// The longest holder name a result may carry.
const MAX_HOLDER_NAME: usize = 200;

/// The longest reason a refusal may carry.
const MAX_REASON: usize = 200;

/// What a refusal says, if it is a short line that cannot be card data (no run of nine
/// or more digits), else a reason of our own: it ends up in an error's message.
fn plain_reason(text: Option<String>) -> String {
    let longest_digits = |t: &str| {
        t.split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0)
    };
    text.filter(|t| {
        !t.is_empty()
            && crate::card::char_count(t) <= MAX_REASON
            && !t.chars().any(char::is_control)
            && longest_digits(t) < 9
    })
    .unwrap_or_else(|| "the secure fields refused the options".to_owned())
}

/// Reads the envelope: version, channel and field must match. Returns the message type.
pub fn open_envelope(data: &impl MessageData, channel: &str) -> Option<(FieldKind, String)> {
    if data.number("paykka") != Some(VERSION) || data.text("channel").as_deref() != Some(channel) {
        return None;
    }
    let field = FieldKind::from_id(&data.text("field")?)?;
    let kind = data.text("type")?;
    (kind.len() <= 16).then_some((field, kind))
}

fn request_of(data: &impl MessageData) -> Option<u32> {
    number_of(data, "request")
}

/// A whole number member that fits a `u32` (a request's or a configure's number).
pub fn number_of(data: &impl MessageData, key: &str) -> Option<u32> {
    let n = data.number(key)?;
    (n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0).then_some(n as u32)
}

/// A compact JWE as `paykka-web JWE v1` makes them: five base64url parts, a header, an
/// RSA-wrapped key of 2048–4096 bits, a 96-bit IV, a ciphertext and a 128-bit tag.
pub fn is_jwe_compact(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    let [header, wrapped, iv, ciphertext, tag] = parts.as_slice() else {
        return false;
    };
    value.len() <= 4096
        && !header.is_empty()
        && (342..=683).contains(&wrapped.len())
        && iv.len() == 16
        && !ciphertext.is_empty()
        && tag.len() == 22
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A message from a field of kind `field`, or `None` if it is not a well-formed one.
pub fn decode_message(
    data: &impl MessageData,
    field: FieldKind,
    kind: &str,
) -> Option<FieldMessage> {
    let error = |key: &str| data.text(key).as_deref().and_then(FieldError::from_code);
    let is_number = field == FieldKind::CardNumber;
    Some(match kind {
        "hello" => FieldMessage::Hello,
        "ready" => FieldMessage::Ready,
        "complete" => FieldMessage::Complete,
        "enter" => FieldMessage::Enter,
        "rejected" => FieldMessage::Rejected(error("error")?),
        "height" => FieldMessage::Height(data.number("height").filter(|h| h.is_finite())?),
        "report" => {
            let validity = Validity::from_state(&data.text("state")?, error("validityError"))?;
            let brand = data.text("brand").as_deref().and_then(Brand::from_id);
            let digits = |s: &String, len: std::ops::RangeInclusive<usize>| {
                len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
            };
            FieldMessage::Report(FieldReport {
                kind: field,
                validity,
                empty: data.flag("empty"),
                focused: data.flag("focused"),
                shown_error: error("shownError"),
                acceptable: data.flag("acceptable"),
                // Only the number field may speak of brand, BIN and last 4.
                brand: brand.filter(|_| is_number),
                bin: data.text("bin").filter(|b| is_number && digits(b, 6..=8)),
                last4: data.text("last4").filter(|l| is_number && digits(l, 4..=4)),
                revision: data
                    .number("revision")
                    .filter(|r| (0.0..=f64::from(u32::MAX)).contains(r))
                    .map_or(0, |r| r as u32),
            })
        }
        "encrypted" => {
            let mut values = Vec::new();
            for (id, value) in data.entries("values")? {
                let slot = Slot::from_id(&id).filter(|s| s.field().contains(&field))?;
                let sound = match slot {
                    Slot::HolderName => crate::card::char_count(&value) <= MAX_HOLDER_NAME,
                    _ => is_jwe_compact(&value),
                };
                if !sound || values.iter().any(|(s, _)| *s == slot) {
                    return None;
                }
                values.push((slot, value));
            }
            FieldMessage::Encrypted {
                request: request_of(data)?,
                values,
            }
        }
        "invalid" => FieldMessage::Invalid {
            request: request_of(data)?,
            error: error("error")?,
        },
        "failed" => FieldMessage::Failed {
            request: request_of(data)?,
            failure: Failure::from_code(&data.text("code")?)?,
        },
        "configured" => FieldMessage::Configured {
            update: number_of(data, "update")?,
        },
        "refused" => FieldMessage::Refused {
            update: number_of(data, "update")?,
            reason: plain_reason(data.text("reason")),
        },
        _ => return None,
    })
}

/// A command from the host, or `None` if it is not a well-formed one.
pub fn decode_command(data: &impl MessageData, kind: &str) -> Option<FieldCommand> {
    Some(match kind {
        "focus" => FieldCommand::Focus,
        "validate" => FieldCommand::Validate,
        "clear" => FieldCommand::Clear,
        "brand" => FieldCommand::Brand(data.text("brand").as_deref().and_then(Brand::from_id)),
        "disable" => FieldCommand::Disable(data.flag("disabled")),
        "encrypt" => FieldCommand::Encrypt(request_of(data)?),
        _ => return None,
    })
}
