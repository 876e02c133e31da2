// A faithful fake of the Google Pay API (`google.payments.api`) for tests and the demo's
// `--wallet-fakes` try-out: the environment check, `isReadyToPay` (with
// `paymentMethodPresent` only when asked), `createButton` requiring `onClick`,
// `loadPaymentData` validation (`DEVELOPER_ERROR`), the gesture rule, `CANCELED` for a
// second sheet or a closed one, and the `onPaymentAuthorized` loop (ERROR → retry or
// close, SUCCESS → resolve) with sandbox ECv2 tokens as JSON strings. Test code: never
// part of the package.

import { TEST_CARDS, base64, hex, randomBytes, renderSheet } from "./sheet.js";

const error = (statusCode, statusMessage) => ({ statusCode, statusMessage });
const PRICE = /^[0-9]+(\.[0-9][0-9])?$/;

function checkCard(method, tokenized) {
  if (method?.type !== "CARD") return "allowedPaymentMethods[0].type must be CARD";
  const p = method.parameters ?? {};
  if (!Array.isArray(p.allowedAuthMethods) || p.allowedAuthMethods.length === 0) return "allowedAuthMethods is required";
  if (!Array.isArray(p.allowedCardNetworks) || p.allowedCardNetworks.length === 0) return "allowedCardNetworks is required";
  if (!tokenized) return null;
  const t = method.tokenizationSpecification;
  if (t?.type !== "PAYMENT_GATEWAY" || !t.parameters?.gateway || !t.parameters?.gatewayMerchantId) {
    return "tokenizationSpecification needs PAYMENT_GATEWAY with gateway and gatewayMerchantId";
  }
  return null;
}

function checkVersion(request) {
  return request?.apiVersion === 2 && request?.apiVersionMinor === 0 ? null : "apiVersion 2.0 is required";
}

/** A sandbox ECv2 token for `card`: the message is base64, not encrypted (sandbox only). */
function token(card) {
  const message = {
    messageId: hex(randomBytes(16)),
    messageExpiration: String(Date.now() + 7 * 86400000),
    paymentMethod: "CARD",
    paymentMethodDetails: { pan: card.pan, expirationMonth: card.month, expirationYear: card.year, authMethod: "PAN_ONLY" },
  };
  const signedMessage = JSON.stringify({
    encryptedMessage: base64.encode(new TextEncoder().encode(JSON.stringify(message))),
    ephemeralPublicKey: base64.encode(randomBytes(65)),
    tag: base64.encode(randomBytes(32)),
  });
  return JSON.stringify({
    signature: base64.encode(randomBytes(70)),
    intermediateSigningKey: {
      signedKey: JSON.stringify({ keyValue: base64.encode(randomBytes(91)), keyExpiration: message.messageExpiration }),
      signatures: [base64.encode(randomBytes(70))],
    },
    protocolVersion: "ECv2",
    signedMessage,
  });
}

/** Installs `google.payments.api` (merged into an existing `google`); returns the sheet. */
export function install(options = {}) {
  const config = { gestureChecks: true, readyToPay: true, sheet: "scripted", ...options };
  const log = [];
  let open = null;

  class PaymentsClient {
    constructor(init = {}) {
      const environment = init.environment ?? "TEST";
      if (!["TEST", "PRODUCTION"].includes(environment)) throw new Error(`Unsupported environment: ${environment}`);
      this.environment = environment;
      this.callbacks = init.paymentDataCallbacks ?? {};
      log.push(`client:${environment}`);
    }

    isReadyToPay(request) {
      const problem = checkVersion(request) ?? checkCard(request?.allowedPaymentMethods?.[0], false);
      if (problem) return Promise.reject(error("DEVELOPER_ERROR", problem));
      log.push("isReadyToPay");
      const answer = { result: config.readyToPay };
      if (request.existingPaymentMethodRequired) answer.paymentMethodPresent = config.readyToPay;
      return Promise.resolve(answer);
    }

    createButton(options) {
      if (typeof options?.onClick !== "function") throw new Error("onClick is a required option");
      const wrapper = document.createElement("div");
      wrapper.className = "fake-gpay-button-container";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "fake-gpay-button";
      button.dataset.color = options.buttonColor ?? "default";
      button.dataset.type = options.buttonType ?? "buy";
      button.lang = options.buttonLocale ?? "en";
      button.textContent = "Buy with G Pay";
      button.addEventListener("click", (event) => options.onClick(event));
      wrapper.append(button);
      log.push("createButton");
      return wrapper;
    }

    loadPaymentData(request) {
      log.push("loadPaymentData");
      if (config.gestureChecks && !navigator.userActivation?.isActive) {
        return Promise.reject(error("DEVELOPER_ERROR", "loadPaymentData must be called in response to a user gesture"));
      }
      const problem = checkVersion(request) ?? checkCard(request?.allowedPaymentMethods?.[0], true)
        ?? (PRICE.test(request?.transactionInfo?.totalPrice ?? "") ? null : "transactionInfo.totalPrice is invalid")
        ?? (request?.transactionInfo?.currencyCode ? null : "transactionInfo.currencyCode is required")
        ?? ((request.callbackIntents ?? []).includes("PAYMENT_AUTHORIZATION") && !this.callbacks.onPaymentAuthorized
          ? "PAYMENT_AUTHORIZATION needs paymentDataCallbacks.onPaymentAuthorized" : null);
      if (problem) return Promise.reject(error("DEVELOPER_ERROR", problem));
      if (open) return Promise.reject(error("CANCELED", "A payment sheet is already open"));
      return new Promise((resolve, reject) => {
        open = { client: this, request, resolve, reject, message: "" };
        render();
      });
    }
  }

  async function pay(card = TEST_CARDS[0]) {
    const sheet = open;
    if (!sheet) throw new Error("no sheet is open");
    const paymentData = {
      apiVersion: 2,
      apiVersionMinor: 0,
      paymentMethodData: {
        type: "CARD",
        description: `${card.network} •••• ${card.pan.slice(-4)}`,
        info: { cardNetwork: card.network.toUpperCase(), cardDetails: card.pan.slice(-4) },
        tokenizationData: { type: "PAYMENT_GATEWAY", token: token(card) },
      },
    };
    log.push("authorize");
    const callback = sheet.client.callbacks.onPaymentAuthorized;
    if (callback) {
      const result = await callback(paymentData);
      if (open !== sheet) return result;
      if (result?.transactionState !== "SUCCESS") {
        // The sheet stays open with the merchant's message: retry or close.
        sheet.message = result?.error?.message ?? "Payment failed";
        log.push("authorization-error");
        render();
        return result;
      }
    }
    open = null;
    render();
    sheet.resolve(paymentData);
    return { transactionState: "SUCCESS" };
  }

  function close() {
    const sheet = open;
    if (!sheet) return false;
    open = null;
    render();
    log.push("closed");
    sheet.reject(error("CANCELED", "User closed the Payment Request UI."));
    return true;
  }

  function render() {
    if (config.sheet !== "dom") return;
    renderSheet("google-pay", open && {
      title: `Google Pay — ${open.request.merchantInfo?.merchantName ?? ""} ${open.request.transactionInfo.currencyCode} ${open.request.transactionInfo.totalPrice}`,
      canPay: true,
      message: open.message,
      pay: (card) => pay(card),
      cancel: () => close(),
    });
  }

  const google = (window.google ??= {});
  google.payments ??= {};
  google.payments.api = { PaymentsClient };
  return {
    log,
    get open() { return open; },
    pay,
    close,
    uninstall() {
      delete window.google.payments;
      renderSheet("google-pay", null);
    },
  };
}
