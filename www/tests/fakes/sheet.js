// What the wallet fakes share: the sandbox's test cards, byte helpers, and a plain DOM
// "sheet" that a shopper (or WebDriver, with trusted clicks) uses to pay or cancel.
// Test code: never part of the package.

const year = new Date().getFullYear() + 2;

/** Sandbox test cards, as a wallet would hold them. */
export const TEST_CARDS = [
  { label: "Visa •••• 4242 (approved)", pan: "4242424242424242", network: "Visa", month: 12, year },
  { label: "Visa •••• 0002 (declined)", pan: "4000000000000002", network: "Visa", month: 12, year },
  { label: "Visa •••• 3220 (3-D Secure)", pan: "4000000000003220", network: "Visa", month: 12, year },
  { label: "Mastercard •••• 4444 (approved)", pan: "5555555555554444", network: "MasterCard", month: 12, year },
].map((card) => ({ ...card, expiry: `${String(card.year).slice(2)}${String(card.month).padStart(2, "0")}31` }));

export const base64 = {
  encode: (bytes) => btoa(String.fromCharCode(...bytes)),
  decode: (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0)),
};

export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Shows (spec) or removes (null) the `kind` sheet: a card choice, Pay and Cancel, and a
 * message line. `spec = {title, canPay, pay(card), cancel(), message?}`.
 */
export function renderSheet(kind, spec) {
  const id = `fake-${kind}-sheet`;
  let sheet = document.getElementById(id);
  if (!spec) {
    sheet?.remove();
    return;
  }
  if (!sheet) {
    sheet = document.createElement("div");
    sheet.id = id;
    sheet.setAttribute("role", "dialog");
    sheet.setAttribute("aria-label", `${kind} (test fake)`);
    Object.assign(sheet.style, {
      position: "fixed", inset: "auto 0 0 0", padding: "16px", background: "#fff",
      borderTop: "2px solid #000", zIndex: "2147483647", font: "16px system-ui",
    });
    const title = document.createElement("p");
    title.className = "fake-title";
    const select = document.createElement("select");
    select.id = `fake-${kind}-card`;
    for (const [i, card] of TEST_CARDS.entries()) select.add(new Option(card.label, String(i)));
    const pay = document.createElement("button");
    pay.id = `fake-${kind}-pay`;
    pay.type = "button";
    pay.textContent = "Pay";
    const cancel = document.createElement("button");
    cancel.id = `fake-${kind}-cancel`;
    cancel.type = "button";
    cancel.textContent = "Cancel";
    const message = document.createElement("p");
    message.id = `fake-${kind}-message`;
    message.setAttribute("role", "status");
    sheet.append(title, select, pay, cancel, message);
    document.body.append(sheet);
  }
  sheet.querySelector(".fake-title").textContent = spec.title;
  sheet.querySelector(`#fake-${kind}-message`).textContent = spec.message ?? "";
  const pay = sheet.querySelector(`#fake-${kind}-pay`);
  pay.disabled = !spec.canPay;
  pay.onclick = () => spec.pay(TEST_CARDS[Number(sheet.querySelector("select").value)]);
  sheet.querySelector(`#fake-${kind}-cancel`).onclick = () => spec.cancel();
  sheet.dataset.state = spec.canPay ? "ready" : "waiting";
}

/** The `index`-th test card (for tests that drive a sheet directly). */
export const testCard = (index) => TEST_CARDS[index];
