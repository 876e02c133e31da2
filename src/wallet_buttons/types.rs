//! TypeScript declarations of the wallet buttons: options, events, payloads, error codes.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const WALLET_TYPES: &str = r#"
export type WalletId = "applePay" | "googlePay";
/** Why a button is not shown. */
export type WalletUnavailableReason = "NO_APPLE_PAY" | "VERSION_UNSUPPORTED" | "CANNOT_MAKE_PAYMENTS"
  | "PAY_JS_UNAVAILABLE" | "CLIENT_REFUSED" | "NOT_READY" | "BUTTON_REFUSED";
/** Stable codes of the `error` event. */
export type WalletErrorCode = "NETWORK_ERROR" | "TIMEOUT" | "MERCHANT_ERROR" | "MERCHANT_VALIDATION_FAILED"
  | "APPLE_PAY_SESSION_FAILED" | "APPLE_PAY_TOKEN_MISSING" | "GOOGLE_PAY_TOKEN_MISSING"
  | "GOOGLE_PAY_DEVELOPER_ERROR" | "GOOGLE_PAY_BUYER_ACCOUNT_ERROR" | "GOOGLE_PAY_MERCHANT_ACCOUNT_ERROR"
  | "GOOGLE_PAY_INTERNAL_ERROR" | "GOOGLE_PAY_ERROR";
/** What the merchant backend pays with. */
export interface WalletPayment { payment_method: "APPLE_PAY" | "GOOGLE_PAY"; token_data: string }
/** The backend's answer (the demo merchant API's shape). */
export interface WalletAnswer {
  status?: string; action?: { type?: string; url: string } | null; error_code?: string | null; code?: string; message?: string | null;
}
export interface WalletEventMap {
  ready: { wallet: WalletId };
  unavailable: { wallet: WalletId; reason: WalletUnavailableReason };
  click: { wallet: WalletId };
  authorized: { wallet: WalletId; payment: WalletPayment; network: string | null };
  cancel: { wallet: WalletId; afterAuthorization?: boolean };
  success: { wallet: WalletId };
  /** `code`: the backend's (a gateway code such as "3001", or "PAYMENT_FAILED" when it gave none). */
  failed: { wallet: WalletId; code: GatewayCode | "PAYMENT_FAILED" | (string & {}); message: string };
  action: { wallet: WalletId; action: { type: "redirect"; url: string } };
  error: { wallet: WalletId; code: WalletErrorCode; message: string };
}
export interface WalletButtonOptions {
  /** The total in minor units (USD 1250 = $12.50; JPY 1690 = ¥1690). */
  amount: { value: number; currency: string };
  /** The merchant's ISO 3166 alpha-2 country. */
  countryCode: string;
  /** The total's label on the sheet (Apple) / the merchant's name (Google). */
  label: string;
  networks?: string[];
  /** The demo's conventions: POST {merchantApi}/payments with {trans_id: reference, payment}. */
  merchantApi?: string;
  reference?: string;
  buttonType?: string;
  buttonLocale?: string;
  /** How long the backend may take to answer, ms (1000–25000, default 25000). */
  answerTimeout?: number;
  onReady?: (e: WalletEventMap["ready"]) => void;
  onUnavailable?: (e: WalletEventMap["unavailable"]) => void;
  onClick?: (e: WalletEventMap["click"]) => void;
  /** Without merchantApi: pay with `e.payment` and return (a promise of) the backend's answer. */
  onAuthorized?: (e: WalletEventMap["authorized"]) => WalletAnswer | Promise<WalletAnswer> | void;
  onCancel?: (e: WalletEventMap["cancel"]) => void;
  onSuccess?: (e: WalletEventMap["success"]) => void;
  onFailed?: (e: WalletEventMap["failed"]) => void;
  onAction?: (e: WalletEventMap["action"]) => void;
  onError?: (e: WalletEventMap["error"]) => void;
}
export interface ApplePayButtonOptions extends WalletButtonOptions {
  /** Apple's network names: "visa", "masterCard", "amex", "discover", "jcb", "chinaUnionPay"… */
  networks?: string[];
  merchantCapabilities?: ("supports3DS" | "supportsEMV" | "supportsCredit" | "supportsDebit")[];
  buttonStyle?: "black" | "white" | "white-outline";
  /** Without merchantApi: return PayKKa's Create Apple Pay Session answer (string or object). */
  onValidateMerchant?: (e: { validationURL: string; domainName: string }) => string | object | Promise<string | object>;
}
export interface GooglePayButtonOptions extends WalletButtonOptions {
  environment?: "TEST" | "PRODUCTION";
  /** The PayKKa merchant id (tokenization's gatewayMerchantId). */
  merchantId: string;
  /** Google's merchant id (required in PRODUCTION). */
  googleMerchantId?: string;
  /** Default "paykkaeu". */
  gateway?: string;
  networks?: ("AMEX" | "DISCOVER" | "ELO" | "INTERAC" | "JCB" | "MAESTRO" | "MASTERCARD" | "VISA")[];
  buttonColor?: "default" | "black" | "white";
  buttonSizeMode?: "static" | "fill";
  /** Where pay.js comes from when google.payments.api is absent. */
  payJsUrl?: string;
  /** How long pay.js may take to load, ms (default 8000). */
  loadTimeout?: number;
}
"#;
