// paykka-web's wallet availability probe: a few hundred bytes a page runs before it fetches
// a wallet bundle (paykka_web_wallets.js for both, paykka_web_apple_pay.js or
// paykka_web_google_pay.js for one), so a browser where no wallet can be shown downloads no
// wallet code, and one where a single wallet can only that wallet's. Apple Pay: `ApplePaySession` exists, supports version 3
// and `canMakePayments()`. Google Pay: pay.js (loaded only when `google.payments.api` is
// absent) and `isReadyToPay` for cards. The buttons check again when they mount.

const PAY_JS_URL = 'https://pay.google.com/gp/p/js/pay.js';
const GOOGLE_NETWORKS = ['AMEX', 'DISCOVER', 'MASTERCARD', 'VISA'];

/** Why Apple Pay cannot be shown here, or null when it can. */
export function applePayUnavailable() {
  const session = window.ApplePaySession;
  if (typeof session !== 'function') return 'NO_APPLE_PAY';
  try {
    if (!session.supportsVersion(3)) return 'VERSION_UNSUPPORTED';
    return session.canMakePayments() ? null : 'CANNOT_MAKE_PAYMENTS';
  } catch {
    return 'CANNOT_MAKE_PAYMENTS';
  }
}

const paymentsApi = () => window.google?.payments?.api;

let payJs = null;

/** Loads pay.js once (a failure or `timeout` ms without it is a `false`). */
function loadPayJs(url, timeout) {
  if (paymentsApi()?.PaymentsClient) return Promise.resolve(true);
  payJs ??= new Promise((resolve) => {
    const script = document.createElement('script');
    const timer = setTimeout(() => resolve(false), timeout);
    script.onload = () => { clearTimeout(timer); resolve(Boolean(paymentsApi()?.PaymentsClient)); };
    script.onerror = () => { clearTimeout(timer); resolve(false); };
    script.async = true;
    script.src = url;
    document.head.append(script);
  }).then((loaded) => { if (!loaded) payJs = null; return loaded; });
  return payJs;
}

/**
 * Why Google Pay cannot be shown here, or null when it can: the options are the button's
 * (`environment`, `networks`, `payJsUrl`, `loadTimeout`).
 */
export async function googlePayUnavailable(options = {}) {
  const { environment = 'TEST', networks = GOOGLE_NETWORKS, payJsUrl = PAY_JS_URL, loadTimeout = 8000 } = options;
  if (!(await loadPayJs(payJsUrl, loadTimeout))) return 'PAY_JS_UNAVAILABLE';
  let client;
  try {
    client = new (paymentsApi().PaymentsClient)({ environment });
  } catch {
    return 'CLIENT_REFUSED';
  }
  try {
    const answer = await client.isReadyToPay({
      apiVersion: 2,
      apiVersionMinor: 0,
      allowedPaymentMethods: [{
        type: 'CARD',
        parameters: { allowedAuthMethods: ['PAN_ONLY', 'CRYPTOGRAM_3DS'], allowedCardNetworks: networks },
      }],
    });
    return answer?.result === true ? null : 'NOT_READY';
  } catch {
    return 'NOT_READY';
  }
}
