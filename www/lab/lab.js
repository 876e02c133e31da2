// The component lab: mount from URL options, record everything the host page can see. It
// loads the page bundle, or inline mode's. A test may set `lab.lose` to a predicate on
// message events: those it picks never reach the component (a frame whose answers are lost).

const lab = { card: null, events: [], messages: [], console: [], error: null, lose: null };
window.lab = lab;
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  const original = console[level];
  console[level] = (...args) => { lab.console.push(args.map(String).join(' ')); original.apply(console, args); };
}
// Registered before the component's listener, so it runs first.
window.addEventListener('message', (e) => {
  lab.messages.push({ origin: e.origin, data: JSON.stringify(e.data) });
  if (lab.lose?.(e)) e.stopImmediatePropagation();
});
const names = ['ready', 'change', 'focus', 'blur', 'brand', 'binValue', 'fieldValid', 'allValid', 'submit', 'encrypted', 'error'];
for (const name of names) {
  document.addEventListener(`paykka:${name}`, (e) => lab.events.push({ via: 'dom', name, detail: e.detail }));
}

const params = new URLSearchParams(location.search);
const inline = params.get('isolation') === 'inline';
const { default: init, EncryptedCard } = await import(inline ? '/pkg/paykka_web_inline.js' : '/pkg/paykka_web.js');
const status = document.getElementById('status');
const config = await (await fetch('/api/config')).json();
await init();
// ?holders: the merchant's own layout — holder elements, the expiry and security code side
// by side (styled through the CSSOM: the page's CSP allows no inline style).
if (params.has('holders')) {
  const target = document.getElementById('card');
  const row = document.createElement('div');
  row.style.display = 'flex';
  row.style.gap = '12px';
  for (const field of ['cardNumber', 'expiryDate', 'securityCode', 'holderName']) {
    const element = document.createElement('div');
    element.dataset.paykkaField = field;
    element.style.padding = '4px';
    element.style.border = '1px solid #ccd';
    if (field === 'expiryDate' || field === 'securityCode') {
      element.style.flex = '1 1 0';
      element.style.minWidth = '0';
      row.append(element);
      if (field === 'expiryDate') target.append(row);
    } else {
      target.append(element);
    }
  }
}
const callbacks = {};
for (const name of names) {
  callbacks[`on${name[0].toUpperCase()}${name.slice(1)}`] = (detail) => lab.events.push({ via: 'callback', name, detail });
}
try {
  lab.card = await EncryptedCard.mount('#card', {
    clientKey: config.clientKey,
    environment: params.get('environment') ?? config.environment,
    isolation: params.get('isolation') ?? 'frames',
    locale: params.get('locale') ?? 'en-US',
    holderName: params.get('holderName') ?? 'hidden',
    frameTimeout: Number(params.get('frameTimeout') ?? 6000),
    ...(params.has('styles') ? { styles: JSON.parse(params.get('styles')) } : {}),
    ...(params.has('fonts') ? { fonts: JSON.parse(params.get('fonts')) } : {}),
    ...callbacks,
  });
  status.dataset.state = 'ready';
  status.textContent = 'ready';
} catch (error) {
  lab.error = { code: error.code, message: error.message, name: error.name };
  status.dataset.state = 'error';
  status.textContent = `${error.code}: ${error.message}`;
}
