// Written the way PayKKa's documentation integrates encrypted-card.js (setEnv, init with
// styles and onCardEncrypted, holders marked data-eci, encrypt()), then paid through the
// demo merchant's API. Only the script tag in the page differs: it names the secure origin,
// so PayKKa's own host given to setEnv is not used.
(async function () {
  const result = document.getElementById('result');
  const show = (state, text) => { result.dataset.state = state; result.textContent = text; };
  const config = await (await fetch('/api/config')).json();
  const order = await (await fetch('/api/orders', { method: 'POST' })).json();
  PayKKaCardCheckoutEncryptedCard.setEnv({
    apiUrl: 'https://checkout-sandbox.eu.paykka.com',
    cdnUrl: 'https://checkout-sandbox.eu.paykka.com/cp',
  });
  const instance = PayKKaCardCheckoutEncryptedCard.init({
    merchantId: config.merchantId,
    clientKey: config.clientKey,
    showLabel: true,
    styles: {
      input: {
        base: { fontSize: '16px', color: '#1d2433' },
        focus: { borderColor: '#1f5eff' },
        valid: { color: '#1b5e20' },
        invalid: { color: '#c62828' },
      },
    },
    async onCardEncrypted(res) {
      if (!res) {
        show('error', 'Card encryption failed');
        return;
      }
      const response = await fetch('/api/payments', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          trans_id: order.trans_id,
          payment: {
            payment_method: 'BANKCARD',
            encrypted_card_no: res.encryptedCardNumber,
            encrypted_exp_month: res.encryptedExpireMonth,
            encrypted_exp_year: res.encryptedExpireYear,
            encrypted_cvv: res.encryptedCVV,
          },
        }),
      });
      const answer = await response.json();
      show(answer.status === 'SUCCESS' ? 'success' : 'declined', `${answer.status ?? answer.code}: ${answer.message ?? ''}`);
    },
  });
  document.getElementById('pay-form').addEventListener('submit', (event) => {
    event.preventDefault();
    instance.encrypt().catch(() => {});
  });
  document.body.dataset.ready = 'true';
})();
