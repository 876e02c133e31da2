// Mistakes a merchant could make; `tsc --strict` must refuse this file (./dev test checks
// that it fails, and on exactly these lines).
import { EncryptedCard } from "../../pkg/paykka_web.js";
import { GooglePayButton } from "../../pkg/paykka_web_wallets.js";
import * as applePayAlone from "../../pkg/paykka_web_apple_pay.js";
import { Checkout } from "../../pkg/paykka_web_checkout.js";
import * as inlineAlone from "../../pkg/paykka_web_inline.js";

export async function misspelt(): Promise<void> {
  await EncryptedCard.mount("#card", { clientKey: "ck", lokale: "zh-CN" }); // MISTAKE: misspelt option
  await GooglePayButton.mount("#gp", {
    amount: { value: 1, currency: "USD" }, countryCode: "US", label: "x", merchantId: "m",
    onFailed: (e) => console.log(e.reason), // MISTAKE: no such payload field
  });
  await Checkout.mount("#c", { sessionId: "s", clientKey: "k", threeDSecure: "popup" }); // MISTAKE: not a mode
}

export function wrongCode(error: import("../../pkg/paykka_web.js").PaykkaError): boolean {
  return error.code === "INVALID_OPTON"; // MISTAKE: no such error code
}

export function googleFromTheAppleBundle(): unknown {
  return applePayAlone.GooglePayButton; // MISTAKE: the Apple Pay bundle has no Google Pay button
}

export function encryptorFromTheInlineBundle(): unknown {
  return inlineAlone.CardEncryptor; // MISTAKE: CardEncryptor ships in paykka-web/full only
}
