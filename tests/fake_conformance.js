// Conformance checks of the wallet test fakes against the documented state machines
// (WALLETS.md §1.4–1.6, §2.3): each returns the list of broken rules (empty when the fake
// behaves as Apple's WebKit and Google's pay.js do). The fakes are installed by the caller.

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

const REQUEST = {
  countryCode: "US", currencyCode: "USD", supportedNetworks: ["visa"], merchantCapabilities: ["supports3DS"],
  total: { label: "Coffee", amount: "3.00", type: "final" },
};
const MERCHANT_SESSION = { merchantIdentifier: "merchant.test", merchantSessionIdentifier: "SSH1", domainName: "localhost" };

/** Whether `call` throws an error of `name` (DOMException names, TypeError). */
function throws(call, name) {
  try {
    call();
    return false;
  } catch (error) {
    return error.name === name;
  }
}

export async function appleFakeBreaks(fake, card) {
  const broken = [];
  const rule = (ok, text) => { if (!ok) broken.push(text); };
  const Session = window.ApplePaySession;
  rule(throws(() => Session.supportsVersion(0), "InvalidAccessError"), "supportsVersion(0) throws InvalidAccessError");
  rule(throws(() => new Session(3, { ...REQUEST, merchantCapabilities: [] }), "TypeError"), "no capability is a TypeError");
  rule(throws(() => new Session(3, { ...REQUEST, supportedNetworks: ["Visa"] }), "TypeError"), "networks are case-sensitive");

  // validatemerchant follows begin(); authorization waits for validation; one session at a time.
  const order = [];
  const session = new Session(3, REQUEST);
  for (const type of ["validatemerchant", "paymentauthorized", "cancel"]) {
    session.addEventListener(type, () => order.push(type));
  }
  rule(throws(() => session.completePayment(0), "InvalidAccessError"), "completePayment before authorization throws");
  session.begin();
  rule(throws(() => session.begin(), "InvalidAccessError"), "a second begin() throws");
  rule(throws(() => new Session(3, REQUEST).begin(), "InvalidAccessError"), "another session cannot begin while one is active");
  await fake.authorize(card).then(() => broken.push("authorized before merchant validation"), () => {});
  await tick();
  rule(order[0] === "validatemerchant", "validatemerchant comes first");
  rule(throws(() => session.completeMerchantValidation("{}"), "TypeError"), "a string merchant session is a TypeError");
  session.completeMerchantValidation(MERCHANT_SESSION);
  await fake.authorize(card);
  await tick();
  rule(order.join(",") === "validatemerchant,paymentauthorized", `validatemerchant precedes paymentauthorized (${order})`);
  session.completePayment({ status: 0 });
  rule(session.state === "completed", "SUCCESS is final");
  rule(throws(() => session.abort(), "InvalidAccessError"), "abort() after the end throws");

  // abort() closes the sheet without a cancel event; a refused session ends in cancel.
  const aborted = new Session(3, REQUEST);
  let cancelled = false;
  aborted.oncancel = () => { cancelled = true; };
  aborted.begin();
  await tick();
  aborted.abort();
  await tick(10);
  rule(!cancelled, "abort() sends no cancel");
  return broken;
}

export async function appleFakeTimesOut(fake) {
  const session = new window.ApplePaySession(3, REQUEST);
  const cancelled = new Promise((resolve) => { session.oncancel = resolve; });
  session.begin();
  const outcome = await Promise.race([cancelled.then(() => "cancel"), tick(1000).then(() => "nothing")]);
  return [fake.log.includes("cancel:timeout") ? "" : "no step timeout", outcome === "cancel" ? "" : "the timeout is no cancel"]
    .filter(Boolean);
}

const READY = {
  apiVersion: 2, apiVersionMinor: 0,
  allowedPaymentMethods: [{ type: "CARD", parameters: { allowedAuthMethods: ["PAN_ONLY"], allowedCardNetworks: ["VISA"] } }],
};
const DATA = {
  ...READY,
  allowedPaymentMethods: [{
    ...READY.allowedPaymentMethods[0],
    tokenizationSpecification: { type: "PAYMENT_GATEWAY", parameters: { gateway: "paykkaeu", gatewayMerchantId: "1" } },
  }],
  merchantInfo: { merchantName: "Coffee" },
  transactionInfo: { totalPriceStatus: "FINAL", totalPrice: "3.00", currencyCode: "USD", countryCode: "US" },
  callbackIntents: ["PAYMENT_AUTHORIZATION"],
};

export async function googleFakeBreaks(fake) {
  const broken = [];
  const rule = (ok, text) => { if (!ok) broken.push(text); };
  const api = window.google.payments.api;
  rule(throws(() => new api.PaymentsClient({ environment: "STAGING" }), "Error"), "an unknown environment throws");
  const answers = [{ transactionState: "ERROR", error: { intent: "PAYMENT_AUTHORIZATION", reason: "PAYMENT_DATA_INVALID", message: "Declined" } },
    { transactionState: "SUCCESS" }];
  let calls = 0;
  const client = new api.PaymentsClient({ paymentDataCallbacks: { onPaymentAuthorized: async () => answers[calls++] } });
  const ready = await client.isReadyToPay(READY);
  rule(ready.result === true && !("paymentMethodPresent" in ready), "isReadyToPay names paymentMethodPresent only when asked");
  rule(throws(() => client.createButton({}), "Error"), "createButton needs onClick");
  const bad = await client.loadPaymentData({ ...DATA, transactionInfo: { ...DATA.transactionInfo, totalPrice: "3" + ".001" } })
    .then(() => null, (e) => e.statusCode);
  rule(bad === "DEVELOPER_ERROR", "a bad request is DEVELOPER_ERROR");
  const paid = client.loadPaymentData(DATA);
  const second = await client.loadPaymentData(DATA).then(() => null, (e) => e.statusCode);
  rule(second === "CANCELED", "a second sheet is CANCELED");
  await fake.pay();
  rule(fake.open !== null, "an ERROR answer keeps the sheet open");
  await fake.pay();
  const data = await paid;
  rule(calls === 2, "onPaymentAuthorized runs again on retry");
  rule(typeof data.paymentMethodData.tokenizationData.token === "string", "the token is a JSON string");
  const closed = client.loadPaymentData(DATA).then(() => null, (e) => e.statusCode);
  fake.close();
  rule((await closed) === "CANCELED", "closing the sheet is CANCELED");
  return broken;
}
