// Types of paykka-web's custom elements (paykka-elements.js).
import type { EncryptedCard, EncryptedCardOptions } from "./paykka_web.js";
import type { ApplePayButton, ApplePayButtonOptions, GooglePayButton, GooglePayButtonOptions } from "./paykka_web_wallets.js";
import type { Checkout, CheckoutOptions } from "./paykka_web_checkout.js";

/** One of the elements: attributes for simple options, `options` for the rest. */
export interface PaykkaElement<Options, Component> extends HTMLElement {
  /** Options beyond the attributes (callbacks, styles…), merged over them. */
  options: Partial<Options>;
  /** The mounted component, once ready. */
  readonly component: Component | null;
  /** Resolves with the component once mounted (null when the options were refused, or a wallet element's wallet cannot be shown here: it emitted `paykka:unavailable`). */
  readonly ready: Promise<Component | null>;
}

export type PaykkaCardElement = PaykkaElement<EncryptedCardOptions, EncryptedCard>;
export type PaykkaApplePayElement = PaykkaElement<ApplePayButtonOptions, ApplePayButton>;
export type PaykkaGooglePayElement = PaykkaElement<GooglePayButtonOptions, GooglePayButton>;
export type PaykkaCheckoutElement = PaykkaElement<CheckoutOptions, Checkout>;

declare global {
  interface HTMLElementTagNameMap {
    "paykka-card": PaykkaCardElement;
    "paykka-apple-pay": PaykkaApplePayElement;
    "paykka-google-pay": PaykkaGooglePayElement;
    "paykka-checkout": PaykkaCheckoutElement;
  }
}
