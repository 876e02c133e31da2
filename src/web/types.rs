//! TypeScript declarations every bundle's `.d.ts` needs (brands, field states and error
//! codes, keys, errors); the declarations of each exported part live beside it.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const SHARED_TYPES: &str = r#"
/** A brand identifier. */
export type BrandId = "visa" | "mastercard" | "amex" | "diners" | "discover" | "jcb"
  | "unionpay" | "maestro" | "elo" | "mir" | "hiper" | "hipercard";
/** The state of a field's value. */
export type FieldState = "empty" | "potentiallyValid" | "valid" | "invalid";
/** Stable field error codes. */
export type FieldErrorCode = "REQUIRED" | "INVALID_CHARACTERS" | "INCOMPLETE" | "TOO_LONG"
  | "UNKNOWN_BRAND" | "UNSUPPORTED_BRAND" | "LUHN_FAILED" | "INVALID_MONTH" | "INVALID_YEAR"
  | "EXPIRED" | "TOO_FAR_AHEAD";
/** One invalid field on submit: its error code and the text the shopper sees. */
export interface FieldProblem { field: "cardNumber" | "expiryDate" | "expiryMonth" | "expiryYear" | "securityCode" | "holderName"; code: FieldErrorCode; message: string }
/** An RSA public key: a JWK object or JSON text, an SPKI/PKCS#1 PEM, or "<exponent hex>|<modulus hex>". */
export type PublicKeyInput = string | { kty: "RSA"; n: string; e: string; kid?: string; alg?: string; use?: string };
/** One `paykka-web JWE v1` compact string per field. */
export interface EncryptedCardValues {
  encryptedCardNumber: string;
  encryptedExpireMonth: string;
  encryptedExpireYear: string;
  encryptedCVV: string;
}
/** Browser data for 3-D Secure 2 and risk checks. */
export interface BrowserInfo {
  user_agent: string; language: string; color_depth: number; screen_height: number; screen_width: number;
  timezone_offset: string; java_enabled: boolean; javascript_enabled: boolean;
  device_type: "PC" | "MOBILE" | "TABLET"; device_os: "WINDOWS" | "MACOS" | "LINUX" | "ANDROID" | "IOS";
  terminal_type: "WEB"; challenge_window_size: "01" | "02" | "03" | "04" | "05";
}
/** Stable codes of the errors this package throws or reports about setup, keys and encryption. */
export type PaykkaErrorCode = "INVALID_OPTION" | "HOLDER_MISSING" | "INSECURE_CONTEXT" | "ORIGIN_NOT_ALLOWED"
  | "KEY_FETCH_FAILED" | "KEY_INVALID" | "KEY_TOO_SHORT" | "KEY_TOO_LONG" | "KEY_UNSUPPORTED"
  | "VALIDATION" | "ENCRYPTION_FAILED" | "FRAME_TIMEOUT" | "FRAME_NAVIGATED" | "UNMOUNTED";
/** A gateway's code, passed on as given: PayKKa's digits (`3001` declined, `206011` no session…) or the sandbox's `SB…`. */
export type GatewayCode = `${number}` | `SB${number}`;
/** Every error this package throws or reports. */
export interface PaykkaError extends Error {
  name: "PaykkaError";
  code: PaykkaErrorCode;
  field?: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// Where a component mounts: a selector or an element.
    #[wasm_bindgen(typescript_type = "string | Element")]
    pub type MountTarget;
}
