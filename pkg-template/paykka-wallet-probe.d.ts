/** paykka-web's wallet availability probe (`paykka-web/wallet-probe`): run it before importing `paykka-web/wallets`. */
export type AppleUnavailableReason = "NO_APPLE_PAY" | "VERSION_UNSUPPORTED" | "CANNOT_MAKE_PAYMENTS";
export type GoogleUnavailableReason = "PAY_JS_UNAVAILABLE" | "CLIENT_REFUSED" | "NOT_READY";
/** Why Apple Pay cannot be shown here, or null when it can. */
export function applePayUnavailable(): AppleUnavailableReason | null;
/** Why Google Pay cannot be shown here, or null when it can (the GooglePayButton's options of the same names). */
export function googlePayUnavailable(options?: {
  environment?: "TEST" | "PRODUCTION";
  networks?: string[];
  payJsUrl?: string;
  loadTimeout?: number;
}): Promise<GoogleUnavailableReason | null>;
