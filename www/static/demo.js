// The demo page: formats and validates the card with paykka-web's helpers, then encrypts it.
import init, { CardEncryptor, validateNumber, validateExpiry, validateCvc, formatExpiry } from '/pkg/paykka_web.js';

const $ = (id) => document.getElementById(id);
const messages = {
  REQUIRED: 'Required.',
  INVALID_CHARACTERS: 'Digits only.',
  INCOMPLETE: 'Incomplete.',
  TOO_LONG: 'Too long.',
  UNKNOWN_BRAND: 'Unknown card number.',
  UNSUPPORTED_BRAND: 'This card brand is not accepted.',
  LUHN_FAILED: 'Check the card number.',
  INVALID_MONTH: 'Month must be 01–12.',
  INVALID_YEAR: 'Check the year.',
  EXPIRED: 'The card has expired.',
  TOO_FAR_AHEAD: 'Check the year.',
};

function show(input, check, done) {
  const code = done ? check.errorWhenDone : check.error;
  input.setAttribute('aria-invalid', code ? 'true' : 'false');
  $(`${input.id}-error`).textContent = code ? messages[code] ?? code : '';
  return !code;
}

const number = $('card-number');
const expiry = $('expiry');
const cvc = $('cvc');
let brand = null;

function checkAll(done) {
  const n = validateNumber(number.value);
  brand = n.brand;
  $('brand').textContent = n.brand ? n.brand.toUpperCase() : '';
  const e = validateExpiry(expiry.value);
  const c = validateCvc(cvc.value, brand ?? undefined);
  return [show(number, n, done), show(expiry, e, done), show(cvc, c, done)].every(Boolean) ? e : null;
}

number.addEventListener('input', () => {
  const n = validateNumber(number.value);
  if (n.formatted) number.value = n.formatted;
  checkAll(false);
});
expiry.addEventListener('input', (event) => {
  if (event.inputType?.startsWith('delete')) return checkAll(false);
  try { expiry.value = formatExpiry(expiry.value); } catch { /* the error shows below */ }
  checkAll(false);
});
cvc.addEventListener('input', () => checkAll(false));
for (const input of [number, expiry, cvc]) input.addEventListener('blur', () => input.value && checkAll(true));

async function main() {
  await init();
  const response = await fetch('/api/demo-key');
  const { publicKey, serverTime } = await response.json();
  const encryptor = new CardEncryptor(publicKey, { serverTime });
  $('encrypt').disabled = false;

  $('card-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const date = checkAll(true);
    if (!date) {
      document.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    try {
      const encrypted = encryptor.encrypt({
        number: number.value, expiryMonth: date.month, expiryYear: date.year, cvc: cvc.value,
      });
      $('result').textContent = JSON.stringify({ payment_method: 'BANKCARD', brand, keyId: encryptor.keyId, ...encrypted }, null, 2);
      $('result').dataset.state = 'encrypted';
    } catch (error) {
      $('result').textContent = `${error.code}: ${error.message}`;
      $('result').dataset.state = 'error';
    }
  });
}

main().catch((error) => {
  $('result').textContent = `Could not start: ${error.code ?? ''} ${error.message}`;
  $('result').dataset.state = 'error';
});
