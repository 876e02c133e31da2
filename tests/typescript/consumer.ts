// A merchant's code against the package's declarations, compiled with `tsc --strict`
// by ./dev test: every entry, its options, callbacks, payloads, results and errors.
import initCard, { EncryptedCard, type EncryptResult, type PaykkaError } from "../../pkg/paykka_web.js";
import initWallets, { ApplePayButton, GooglePayButton, type WalletEventMap } from "../../pkg/paykka_web_wallets.js";
import initApplePay, { ApplePayButton as AppleOnly } from "../../pkg/paykka_web_apple_pay.js";
import initGooglePay, { GooglePayButton as GoogleOnly } from "../../pkg/paykka_web_google_pay.js";
import initCheckout, { Checkout, type CheckoutEventMap } from "../../pkg/paykka_web_checkout.js";
import initInline, { EncryptedCard as InlineCard, type PublicKeyInput } from "../../pkg/paykka_web_inline.js";
import { applePayUnavailable, googlePayUnavailable } from "../../pkg/paykka-wallet-probe.js";

export async function cardFields(clientKey: string): Promise<string> {
  await initCard();
  const card = await EncryptedCard.mount("#card", {
    clientKey,
    environment: "sandbox",
    locale: "zh-CN",
    holderName: "optional",
    styles: { base: { color: "#111" }, invalid: { color: "#c00" } },
    onBrand: (e) => console.log(e.brand, e.codeLengths.length),
    onFieldValid: (e) => console.log(e.field, e.valid, e.last4),
    onError: (e) => console.log(e.code, e.message),
  });
  try {
    const result: EncryptResult = await card.encrypt();
    const method: "BANKCARD" = result.payment.payment_method;
    return method + result.payment.encrypted_card_no + (result.last4 ?? "");
  } catch (error) {
    return (error as PaykkaError).code;
  } finally {
    card.unmount();
  }
}

export async function wallets(reference: string): Promise<boolean> {
  // The probe first: no wallet here, no wallet bundle fetched.
  const appleReason: "NO_APPLE_PAY" | "VERSION_UNSUPPORTED" | "CANNOT_MAKE_PAYMENTS" | null = applePayUnavailable();
  const googleReason = await googlePayUnavailable({ environment: "TEST", payJsUrl: "/pay.js", loadTimeout: 3000 });
  if (appleReason !== null && googleReason !== null) return false;
  await initWallets();
  const common = {
    amount: { value: 1250, currency: "USD" },
    countryCode: "US",
    label: "Coffee",
    merchantApi: "/api",
    reference,
    onAction: (e: WalletEventMap["action"]) => location.assign(e.action.url),
    onFailed: (e: WalletEventMap["failed"]) => console.log(e.code, e.message),
  };
  const apple = await ApplePayButton.mount("#apple-pay", { ...common, buttonStyle: "white-outline", merchantCapabilities: ["supports3DS"] });
  const google = await GooglePayButton.mount("#google-pay", {
    ...common,
    merchantId: "10001234567890",
    environment: "TEST",
    networks: ["VISA", "MASTERCARD"],
    onAuthorized: (e) => fetch("/pay", { method: "POST", body: e.payment.token_data }).then((r) => r.json()),
  });
  const available: boolean = (await ApplePayButton.isAvailable()) || apple.available || google.available;
  apple.unmount();
  google.unmount();
  return available;
}

/** Inline mode from its own bundle: the same component and options, the fields on the page. */
export async function inlineFields(publicKey: PublicKeyInput): Promise<boolean> {
  await initInline();
  const card = await InlineCard.mount("#card", { publicKey, keyId: "k1", isolation: "inline", holderName: "hidden" });
  const valid = card.isValid;
  card.unmount();
  return valid;
}

/** A page with one wallet loads that wallet's bundle alone: the same button, the same options. */
export async function oneWallet(reference: string): Promise<boolean> {
  const common = { amount: { value: 500, currency: "EUR" }, countryCode: "DE", label: "Tea", merchantApi: "/api", reference };
  if (applePayUnavailable() === null) {
    await initApplePay();
    return (await AppleOnly.mount("#apple-pay", common)).available;
  }
  await initGooglePay();
  return (await GoogleOnly.mount("#google-pay", { ...common, merchantId: "10001234567890" })).available;
}

export async function checkout(sessionId: string, clientKey: string): Promise<Checkout> {
  await initCheckout();
  return Checkout.mount(document.getElementById("checkout") ?? "#checkout", {
    sessionId,
    clientKey,
    locale: "en-US",
    threeDSecure: "redirect",
    hidePayButton: true,
    onPaymentCompleted: (e: CheckoutEventMap["paymentCompleted"]) => console.log(e.orderId),
    onPaymentFailed: (e) => console.log(e.code),
    onExpired: () => console.log("expired"),
  });
}

// The custom elements and PayKKa's globals are typed too.
import "../../pkg/paykka-elements.js";
import type {} from "../../pkg/paykka-compat.js";

export async function elements(): Promise<string | null> {
  const element = document.createElement("paykka-checkout");
  element.options = { onPaymentCompleted: (e) => console.log(e.orderId) };
  document.body.append(element);
  const checkout = await element.ready;
  checkout?.pay();
  const card = document.querySelector("paykka-card");
  return card?.component ? "mounted" : null;
}

export function paykkaSdk(clientKey: string): void {
  window.PayKKaCardCheckoutEncryptedCard.setEnv({ apiUrl: "https://gateway.example" });
  const instance = window.PayKKaCardCheckoutEncryptedCard.init({
    clientKey,
    styles: { input: { base: { fontSize: "16px" } } },
    onCardEncrypted: (res) => console.log(res?.encryptedCVV),
  });
  void instance.encrypt();
  const { PayKKaCheckout, DropIn } = window.PayKKaCardCheckoutUI;
  const checkout = new PayKKaCheckout({ sessionId: "CS1", clientKey, onError: (e) => console.log(e.msg) });
  void checkout.init().then(() => checkout.create(DropIn).mount("#dropin"));
}
